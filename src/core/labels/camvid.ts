/**
 * CamVid's classes as distributed with the SegNet tutorial: label values 0..10 are the 11
 * classes (usual colours), 11 is void.
 */
import { makeLabelSet, type LabelSet, type Rgb } from './labelSet';

export interface CamvidClass {
  readonly name: string;
  readonly color: Rgb;
}

/** The 11 CamVid classes, indexed by label value, with their usual colours. */
export const CAMVID_CLASSES: readonly CamvidClass[] = [
  { name: 'sky', color: [128, 128, 128] },
  { name: 'building', color: [128, 0, 0] },
  { name: 'pole', color: [192, 192, 128] },
  { name: 'road', color: [128, 64, 128] },
  { name: 'pavement', color: [60, 40, 222] },
  { name: 'tree', color: [128, 128, 0] },
  { name: 'sign/symbol', color: [192, 128, 128] },
  { name: 'fence', color: [64, 64, 128] },
  { name: 'car', color: [64, 0, 128] },
  { name: 'pedestrian', color: [64, 64, 0] },
  { name: 'bicyclist', color: [0, 128, 192] },
];

export const NUM_CAMVID_CLASSES = CAMVID_CLASSES.length;

/** Label value of void pixels in CamVid's files (loaded as 255 = ignore). */
export const CAMVID_VOID = 11;

export const CAMVID_LABEL_SET: LabelSet = makeLabelSet('camvid', CAMVID_CLASSES);
