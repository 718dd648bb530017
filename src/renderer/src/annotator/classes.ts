/**
 * The annotator's own class table: the 19 Cityscapes train classes (trainId 0..18) with the
 * official Cityscapes colours, plus "ignore" (255). The renderer may not import core, so the
 * values are written out here by hand from src/core/data/cityscapesClasses.ts; a test
 * compares the two tables so they cannot drift apart.
 *
 * Keyboard: digits 1..9, 0 pick trainIds 0..9; Shift + 1..9 pick trainIds 10..18;
 * Shift + 0 picks ignore. Keys are matched on KeyboardEvent.code (the physical key), so the
 * shortcuts work the same on every keyboard layout.
 */

/** trainId of "not labelled": training ignores these pixels. */
export const IGNORE_ID = 255;

export type Rgb = readonly [number, number, number];

export interface AnnotationClass {
  readonly trainId: number;
  readonly name: string;
  readonly color: Rgb;
  /** What the palette shows as the shortcut, e.g. "3" or "⇧2". */
  readonly keyHint: string;
  /** KeyboardEvent.code of the shortcut's key. */
  readonly keyCode: string;
  /** Whether the shortcut needs Shift. */
  readonly shift: boolean;
}

const digitCode = (d: number): string => `Digit${d}`;

function entry(trainId: number, name: string, color: Rgb): AnnotationClass {
  // trainIds 0..9 -> keys 1..9, 0; 10..18 -> Shift+1..9.
  const shift = trainId >= 10;
  const digit = shift ? trainId - 9 : (trainId + 1) % 10;
  return {
    trainId,
    name,
    color,
    keyHint: shift ? `⇧${digit}` : String(digit),
    keyCode: digitCode(digit),
    shift,
  };
}

/** The 19 train classes, indexed by trainId. */
export const TRAIN_CLASSES: readonly AnnotationClass[] = [
  entry(0, 'road', [128, 64, 128]),
  entry(1, 'sidewalk', [244, 35, 232]),
  entry(2, 'building', [70, 70, 70]),
  entry(3, 'wall', [102, 102, 156]),
  entry(4, 'fence', [190, 153, 153]),
  entry(5, 'pole', [153, 153, 153]),
  entry(6, 'traffic light', [250, 170, 30]),
  entry(7, 'traffic sign', [220, 220, 0]),
  entry(8, 'vegetation', [107, 142, 35]),
  entry(9, 'terrain', [152, 251, 152]),
  entry(10, 'sky', [70, 130, 180]),
  entry(11, 'person', [220, 20, 60]),
  entry(12, 'rider', [255, 0, 0]),
  entry(13, 'car', [0, 0, 142]),
  entry(14, 'truck', [0, 0, 70]),
  entry(15, 'bus', [0, 60, 100]),
  entry(16, 'train', [0, 80, 100]),
  entry(17, 'motorcycle', [0, 0, 230]),
  entry(18, 'bicycle', [119, 11, 32]),
];

/** "ignore": drawn transparent (or hatched); the eraser paints it. */
export const IGNORE_CLASS: AnnotationClass = {
  trainId: IGNORE_ID,
  name: 'ignore',
  color: [0, 0, 0],
  keyHint: '⇧0',
  keyCode: digitCode(0),
  shift: true,
};

/** Everything the palette offers, in palette order: the 19 classes, then ignore. */
export const PALETTE_CLASSES: readonly AnnotationClass[] = [...TRAIN_CLASSES, IGNORE_CLASS];

/** The class a key press picks, or undefined when the key is not a class shortcut. */
export function classForKey(code: string, shiftKey: boolean): AnnotationClass | undefined {
  return PALETTE_CLASSES.find((c) => c.keyCode === code && c.shift === shiftKey);
}

/** The class with this trainId (0..18 or 255), or undefined. */
export function classById(trainId: number): AnnotationClass | undefined {
  return trainId === IGNORE_ID ? IGNORE_CLASS : TRAIN_CLASSES[trainId];
}
