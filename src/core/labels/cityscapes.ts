/**
 * The Cityscapes label set: 34 labelIds (0..33) of which 19 are trained on (trainIds 0..18);
 * every other labelId maps to 255 = ignore. Colours are the official Cityscapes palette.
 */
import { IGNORE_ID, makeLabelSet, type LabelSet } from './labelSet';

export const IGNORE = IGNORE_ID;

export interface CityscapesLabel {
  readonly name: string;
  readonly id: number;
  /** 0..18 for the 19 evaluated classes, 255 for ignored ones. */
  readonly trainId: number;
  readonly category: string;
  readonly color: readonly [number, number, number];
}

const L = (
  name: string,
  id: number,
  trainId: number,
  category: string,
  color: [number, number, number],
): CityscapesLabel => ({ name, id, trainId, category, color });

export const CITYSCAPES_LABELS: readonly CityscapesLabel[] = [
  L('unlabeled', 0, IGNORE, 'void', [0, 0, 0]),
  L('ego vehicle', 1, IGNORE, 'void', [0, 0, 0]),
  L('rectification border', 2, IGNORE, 'void', [0, 0, 0]),
  L('out of roi', 3, IGNORE, 'void', [0, 0, 0]),
  L('static', 4, IGNORE, 'void', [0, 0, 0]),
  L('dynamic', 5, IGNORE, 'void', [111, 74, 0]),
  L('ground', 6, IGNORE, 'void', [81, 0, 81]),
  L('road', 7, 0, 'flat', [128, 64, 128]),
  L('sidewalk', 8, 1, 'flat', [244, 35, 232]),
  L('parking', 9, IGNORE, 'flat', [250, 170, 160]),
  L('rail track', 10, IGNORE, 'flat', [230, 150, 140]),
  L('building', 11, 2, 'construction', [70, 70, 70]),
  L('wall', 12, 3, 'construction', [102, 102, 156]),
  L('fence', 13, 4, 'construction', [190, 153, 153]),
  L('guard rail', 14, IGNORE, 'construction', [180, 165, 180]),
  L('bridge', 15, IGNORE, 'construction', [150, 100, 100]),
  L('tunnel', 16, IGNORE, 'construction', [150, 120, 90]),
  L('pole', 17, 5, 'object', [153, 153, 153]),
  L('polegroup', 18, IGNORE, 'object', [153, 153, 153]),
  L('traffic light', 19, 6, 'object', [250, 170, 30]),
  L('traffic sign', 20, 7, 'object', [220, 220, 0]),
  L('vegetation', 21, 8, 'nature', [107, 142, 35]),
  L('terrain', 22, 9, 'nature', [152, 251, 152]),
  L('sky', 23, 10, 'sky', [70, 130, 180]),
  L('person', 24, 11, 'human', [220, 20, 60]),
  L('rider', 25, 12, 'human', [255, 0, 0]),
  L('car', 26, 13, 'vehicle', [0, 0, 142]),
  L('truck', 27, 14, 'vehicle', [0, 0, 70]),
  L('bus', 28, 15, 'vehicle', [0, 60, 100]),
  L('caravan', 29, IGNORE, 'vehicle', [0, 0, 90]),
  L('trailer', 30, IGNORE, 'vehicle', [0, 0, 110]),
  L('train', 31, 16, 'vehicle', [0, 80, 100]),
  L('motorcycle', 32, 17, 'vehicle', [0, 0, 230]),
  L('bicycle', 33, 18, 'vehicle', [119, 11, 32]),
];

/** Highest labelId that appears in labelIds PNGs ("license plate", id -1, never does). */
export const MAX_LABEL_ID = 33;

/** Number of evaluated (train) classes. */
export const NUM_TRAIN_CLASSES = 19;

/** The 19 train classes, indexed by trainId. */
export const TRAIN_CLASSES: readonly CityscapesLabel[] = CITYSCAPES_LABELS.filter(
  (l) => l.trainId !== IGNORE,
).sort((a, b) => a.trainId - b.trainId);

/** Lookup table labelId -> trainId over all 256 byte values (unknown values -> 255). */
export const LABEL_ID_TO_TRAIN_ID: Uint8Array = (() => {
  const lut = new Uint8Array(256).fill(IGNORE);
  for (const l of CITYSCAPES_LABELS) lut[l.id] = l.trainId;
  return lut;
})();

/** Lookup table trainId -> labelId (255 -> 0 "unlabeled"). */
export const TRAIN_ID_TO_LABEL_ID: Uint8Array = (() => {
  const lut = new Uint8Array(256).fill(0);
  for (const l of TRAIN_CLASSES) lut[l.trainId] = l.id;
  return lut;
})();

/** The project label set of Cityscapes (and of the synthetic generator, which writes its layout). */
export const CITYSCAPES_LABEL_SET: LabelSet = makeLabelSet(
  'cityscapes',
  TRAIN_CLASSES.map((c) => ({ name: c.name, color: c.color })),
);

export function labelIdByName(name: string): number {
  const l = CITYSCAPES_LABELS.find((x) => x.name === name);
  if (!l) throw new Error(`unknown Cityscapes class name '${name}'`);
  return l.id;
}
