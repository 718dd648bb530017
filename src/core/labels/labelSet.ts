/**
 * A project's label set: the classes its masks, training heads, metrics, review, report and
 * export speak of. Class ids are 0..n-1 in palette order; 255 marks pixels left unlabelled
 * (training and scoring ignore them). Where the dataset brings its own label files, the set's
 * kind says how their values map to the ids (see encodings.ts).
 *
 * Plain data (JSON-safe, no Node imports): the API sends it to the UI as it is.
 */
import { z } from 'zod';
import { UsageError } from '../errors';

/** The mask value of "not labelled": training and scoring ignore these pixels. */
export const IGNORE_ID = 255;

/** Most classes a set may have (ids must stay below IGNORE_ID; palettes past a hundred are unusable). */
export const MAX_CLASSES = 100;

export type Rgb = readonly [number, number, number];

export interface LabelClass {
  /** 0..n-1: the value in masks and the index of the network's output channel. */
  readonly id: number;
  readonly name: string;
  readonly color: Rgb;
}

/**
 * - `cityscapes`: the 19 evaluated Cityscapes classes (trainIds); dataset files hold labelIds 0..33.
 * - `camvid`: CamVid's 11 classes; dataset files hold 0..10 and 11 = void.
 * - `custom`: the user's own list; files hold the class ids and 255 = not labelled.
 */
export const LABEL_SET_KINDS = ['cityscapes', 'camvid', 'custom'] as const;
export type LabelSetKind = (typeof LABEL_SET_KINDS)[number];

export interface LabelSet {
  readonly kind: LabelSetKind;
  /** Shown to users, e.g. "CamVid (11 classes)". */
  readonly title: string;
  readonly classes: readonly LabelClass[];
  readonly ignoreId: typeof IGNORE_ID;
}

const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);

/** A class as a user defines it: a name and, optionally, a colour ("#rrggbb" or [r, g, b]). */
export const classInput = z
  .object({
    name: z.string().trim().min(1, 'a class needs a name').max(60, 'a class name has at most 60 characters'),
    color: z.union([z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'), rgb]).optional(),
  })
  .strict();
export type ClassInput = z.infer<typeof classInput>;

/** The user's own label set, as given when a project is created. */
export const customLabelSetInput = z
  .array(classInput)
  .min(2, 'a label set needs at least 2 classes')
  .max(MAX_CLASSES, `a label set has at most ${MAX_CLASSES} classes`)
  .superRefine((classes, ctx) => {
    const seen = new Map<string, number>();
    classes.forEach((c, i) => {
      const key = c.name.trim().toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `class name '${c.name.trim()}' is used twice (classes ${first + 1} and ${i + 1})` });
      else seen.set(key, i);
      if (key === 'ignore') ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `'ignore' is reserved for unlabelled pixels` });
    });
  });

/** The stored form (projects.label_set_json). */
export const storedLabelSet = z
  .object({
    kind: z.enum(LABEL_SET_KINDS),
    classes: z.array(z.object({ name: z.string().min(1), color: rgb }).strict()).min(2).max(MAX_CLASSES),
  })
  .strict();
export type StoredLabelSet = z.infer<typeof storedLabelSet>;

/** Colours for classes given without one: evenly spread hues, alternating lightness. */
export function defaultClassColour(index: number): Rgb {
  const hue = (index * 137.508) % 360;
  const light = index % 2 === 0 ? 0.5 : 0.35;
  const sat = 0.75;
  const c = (1 - Math.abs(2 * light - 1)) * sat;
  const h = hue / 60;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = light - c / 2;
  return [r, g, b].map((v) => Math.round((v + m) * 255)) as unknown as Rgb;
}

function parseColour(c: ClassInput['color'], index: number): Rgb {
  if (c === undefined) return defaultClassColour(index);
  if (typeof c === 'string') return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as unknown as Rgb;
  return c;
}

export function titleOf(kind: LabelSetKind, n: number): string {
  const name = kind === 'cityscapes' ? 'Cityscapes' : kind === 'camvid' ? 'CamVid' : 'Custom';
  return `${name} (${n} classes)`;
}

/** A label set of `kind` with these classes (ids in list order). */
export function makeLabelSet(kind: LabelSetKind, classes: readonly { name: string; color: Rgb }[]): LabelSet {
  return {
    kind,
    title: titleOf(kind, classes.length),
    classes: classes.map((c, id) => ({ id, name: c.name, color: [c.color[0], c.color[1], c.color[2]] as const })),
    ignoreId: IGNORE_ID,
  };
}

/** The user's own set from names and optional colours (checked: 2..100 classes, unique names). */
export function customLabelSet(input: readonly ClassInput[]): LabelSet {
  const r = customLabelSetInput.safeParse(input);
  if (!r.success) {
    const where = (path: readonly PropertyKey[]): string => (typeof path[0] === 'number' ? `class ${path[0] + 1}${path.length > 1 ? ` ${String(path[1])}` : ''}: ` : '');
    throw new UsageError(`label set: ${r.error.issues.map((i) => `${where(i.path)}${i.message}`).join('; ')}`);
  }
  const classes = r.data;
  return makeLabelSet(
    'custom',
    classes.map((c, i) => ({ name: c.name.trim(), color: parseColour(c.color, i) })),
  );
}

export function toStored(set: LabelSet): StoredLabelSet {
  return { kind: set.kind, classes: set.classes.map((c) => ({ name: c.name, color: [...c.color] as [number, number, number] })) };
}

export const numClasses = (set: LabelSet): number => set.classes.length;

/** A class's name, "ignore" for 255, or `value N` for a value outside the set. */
export function className(set: LabelSet, id: number): string {
  if (id === set.ignoreId) return 'ignore';
  return set.classes[id]?.name ?? `value ${id}`;
}

/** What a mask may hold, in words: "0..10 (the 11 classes) or 255 (not labelled)". */
export function allowedValuesText(set: LabelSet): string {
  return `0..${set.classes.length - 1} (${set.title}) or ${set.ignoreId} (not labelled)`;
}

/** A 256-entry palette: each class's colour at its id, black elsewhere (255 included). */
export function palette256(set: LabelSet): Rgb[] {
  const p: Rgb[] = Array.from({ length: 256 }, () => [0, 0, 0] as const);
  for (const c of set.classes) p[c.id] = c.color;
  return p;
}
