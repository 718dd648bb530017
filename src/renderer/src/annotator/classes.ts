/**
 * The annotator's classes are the project's label set (ProjectInfo.labelSet: Cityscapes' 19,
 * CamVid's 11, or the user's own list), plus "ignore" (255). Nothing here is written out by
 * hand: `classTable(labelSet)` derives names, colours and shortcut keys from the set.
 *
 * Keyboard (the same rule for every set): class ids 0..9 -> keys 1..9, 0; ids 10..18 ->
 * Shift + 1..9; Shift + 0 -> ignore. Classes past id 18 (a custom set may have up to 100) get
 * no key: they are picked by clicking the palette. Keys are matched on KeyboardEvent.code
 * (the physical key), so the shortcuts work the same on every keyboard layout.
 */
import { IGNORE_ID, type LabelSet, type Rgb } from '../../../core/api/contract';

export { IGNORE_ID };
export type { Rgb };

export interface AnnotationClass {
  /** The value painted into the mask: the class id in the label set, or 255 for ignore. */
  readonly id: number;
  readonly name: string;
  readonly color: Rgb;
  /** What the palette shows as the shortcut, e.g. "3" or "⇧2"; null: no key (palette click only). */
  readonly keyHint: string | null;
  /** KeyboardEvent.code of the shortcut's key; null: no key. */
  readonly keyCode: string | null;
  /** Whether the shortcut needs Shift. */
  readonly shift: boolean;
}

/** The classes of one label set, as the annotator uses them. */
export interface ClassTable {
  /** The set's classes, indexed by id. */
  readonly classes: readonly AnnotationClass[];
  /** What the palette offers, in palette order: the classes, then ignore. */
  readonly palette: readonly AnnotationClass[];
  /** Mask colours by class id (for maskImage's palette). */
  readonly colors: readonly Rgb[];
  /** The class with this id (a class id or 255), or undefined. */
  byId(id: number): AnnotationClass | undefined;
  /** The class a key press picks, or undefined when the key is not a class shortcut. */
  forKey(code: string, shiftKey: boolean): AnnotationClass | undefined;
}

/** Classes with a key: 0..9 plain digits, 10..18 Shift + digit (Shift + 0 is ignore). */
export const KEYED_CLASSES = 19;

const digitCode = (d: number): string => `Digit${d}`;

/** The shortcut of class `id`: 0..9 -> 1..9, 0; 10..18 -> Shift + 1..9; none beyond. */
export function keyOf(id: number): Pick<AnnotationClass, 'keyHint' | 'keyCode' | 'shift'> {
  if (id < 0 || id >= KEYED_CLASSES) return { keyHint: null, keyCode: null, shift: false };
  const shift = id >= 10;
  const digit = shift ? id - 9 : (id + 1) % 10;
  return { keyHint: shift ? `⇧${digit}` : String(digit), keyCode: digitCode(digit), shift };
}

/** "ignore": drawn transparent (or hatched); the eraser paints it. */
export const IGNORE_CLASS: AnnotationClass = {
  id: IGNORE_ID,
  name: 'ignore',
  color: [0, 0, 0],
  keyHint: '⇧0',
  keyCode: digitCode(0),
  shift: true,
};

/** The annotator's view of a label set (ids in the set's order). */
export function classTable(set: Pick<LabelSet, 'classes'>): ClassTable {
  const classes: AnnotationClass[] = set.classes.map((c) => ({ id: c.id, name: c.name, color: c.color, ...keyOf(c.id) }));
  const palette = [...classes, IGNORE_CLASS];
  const byKey = new Map(palette.filter((c) => c.keyCode !== null).map((c) => [`${c.shift ? 'S-' : ''}${c.keyCode}`, c]));
  return {
    classes,
    palette,
    colors: classes.map((c) => c.color),
    byId: (id) => (id === IGNORE_ID ? IGNORE_CLASS : classes.find((c) => c.id === id)),
    forKey: (code, shiftKey) => byKey.get(`${shiftKey ? 'S-' : ''}${code}`),
  };
}

/** CSS colour of a class (a grey for an id outside the set). */
export function cssColour(c: Rgb | undefined): string {
  const [r, g, b] = c ?? [80, 80, 80];
  return `rgb(${r}, ${g}, ${b})`;
}
