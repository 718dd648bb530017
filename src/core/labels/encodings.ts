/**
 * How label files encode a label set's classes: the values a dataset's own files hold (read
 * into class ids 0..n-1 and 255 = not labelled) and the values an export writes back. Each
 * encoding belongs to one kind of label set; every value outside an encoding is an error,
 * never silently ignored: it means a wrong file or a wrong dataset format.
 */
import { CITYSCAPES_LABELS, IGNORE, TRAIN_CLASSES } from './cityscapes';
import { CAMVID_VOID } from './camvid';
import { IGNORE_ID, type LabelSet, type LabelSetKind } from './labelSet';

/**
 * - `cityscapes-labelIds`: Cityscapes labelIds 0..33 (the 19 trainIds and 255 once read);
 * - `cityscapes-trainIds`: trainIds 0..18 and 255;
 * - `camvid`: CamVid's 0..10 and 11 = void (255 once read);
 * - `class-ids`: the set's own ids 0..n-1 and 255 (custom sets, and what masks store).
 */
export const LABEL_ENCODINGS = ['cityscapes-labelIds', 'cityscapes-trainIds', 'camvid', 'class-ids'] as const;
export type LabelEncoding = (typeof LABEL_ENCODINGS)[number];

/** The kind of label set an encoding's files can be read into. */
export const ENCODING_KIND: Record<Exclude<LabelEncoding, 'class-ids'>, LabelSetKind> = {
  'cityscapes-labelIds': 'cityscapes',
  'cityscapes-trainIds': 'cityscapes',
  camvid: 'camvid',
};

/** A 256-entry table: the class id (or 255) of each file value, or -1 where the value is not allowed. */
export type DecodeTable = Int16Array;

function table(pairs: Iterable<readonly [number, number]>): DecodeTable {
  const t = new Int16Array(256).fill(-1);
  for (const [from, to] of pairs) t[from] = to;
  return t;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The decoding of an encoding's files for a set with `n` classes, and its allowed values in words. */
export function decodeTable(encoding: LabelEncoding, n: number): { table: DecodeTable; allowed: string } {
  switch (encoding) {
    case 'cityscapes-labelIds':
      return { table: table(CITYSCAPES_LABELS.map((l) => [l.id, l.trainId] as const)), allowed: 'Cityscapes labelIds 0..33' };
    case 'cityscapes-trainIds':
      return {
        table: table([...range(TRAIN_CLASSES.length).map((i) => [i, i] as const), [IGNORE, IGNORE]]),
        allowed: `Cityscapes trainIds 0..${TRAIN_CLASSES.length - 1} and ${IGNORE} (ignore)`,
      };
    case 'camvid':
      return { table: table([...range(11).map((i) => [i, i] as const), [CAMVID_VOID, IGNORE_ID]]), allowed: `CamVid classes 0..10 and ${CAMVID_VOID} (void)` };
    case 'class-ids':
      return { table: table([...range(n).map((i) => [i, i] as const), [IGNORE_ID, IGNORE_ID]]), allowed: `class ids 0..${n - 1} and ${IGNORE_ID} (not labelled)` };
  }
}

/** Whether files in `encoding` can be read into `set`. */
export function encodingFits(encoding: LabelEncoding, set: LabelSet): boolean {
  return encoding === 'class-ids' || ENCODING_KIND[encoding] === set.kind;
}

/** One file an export writes per mask: its name suffix and the value of each class id (index 255: not labelled). */
export interface ExportFile {
  /** e.g. "_gtFine_labelIds": appended to the frame's output stem, before ".png". */
  readonly suffix: string;
  /** 'grey': one byte per pixel; 'palette': an indexed PNG coloured with the set's colours. */
  readonly form: 'grey' | 'palette';
  /** file value by class id (256 entries; [255] is what "not labelled" becomes). */
  readonly values: Uint8Array;
  /** In words, for the export manifest. */
  readonly description: string;
}

function identity(): Uint8Array {
  return Uint8Array.from(range(256));
}

/**
 * The files an export writes for each mask in this set's own formats: Cityscapes labelIds
 * (and trainIds, and a colour palette PNG) for Cityscapes; the dataset's own ids (CamVid:
 * void = 11) and a palette PNG for CamVid; the class ids (255 = not labelled) and a palette PNG
 * for a custom set.
 */
export function exportFiles(set: LabelSet): ExportFile[] {
  switch (set.kind) {
    case 'cityscapes': {
      const labelIds = new Uint8Array(256);
      for (const l of TRAIN_CLASSES) labelIds[l.trainId] = l.id;
      labelIds[IGNORE_ID] = 0;
      return [
        { suffix: '_gtFine_labelIds', form: 'grey', values: labelIds, description: 'Cityscapes labelIds 0..33 (0 = unlabeled)' },
        { suffix: '_gtFine_labelTrainIds', form: 'grey', values: identity(), description: 'Cityscapes trainIds 0..18, 255 = ignore' },
        { suffix: '_gtFine_color', form: 'palette', values: identity(), description: 'trainIds as an indexed PNG in Cityscapes colours' },
      ];
    }
    case 'camvid': {
      const own = identity();
      own[IGNORE_ID] = CAMVID_VOID;
      return [
        { suffix: '', form: 'grey', values: own, description: 'CamVid label values 0..10, 11 = void' },
        { suffix: '_color', form: 'palette', values: own, description: 'CamVid label values as an indexed PNG in CamVid colours' },
      ];
    }
    case 'custom':
      return [
        { suffix: '', form: 'grey', values: identity(), description: `class ids 0..${set.classes.length - 1}, 255 = not labelled` },
        { suffix: '_color', form: 'palette', values: identity(), description: 'class ids as an indexed PNG in the label set colours' },
      ];
  }
}
