/**
 * What a dataset reader hands back: an index of file paths (absolute), split by
 * train/val/test, with the clips (ordered video frames with intrinsics) and the single frames
 * that have, or could get, a label. Nothing is decoded here; see load.ts for that.
 */
import type { Intrinsics } from './camera';
import type { LabelEncoding } from '../labels';

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export type DatasetFormat = 'cityscapes' | 'camvid' | 'frames';

/** Which class set a dataset's labels use once loaded (see load.ts loadLabel). */
export type ClassSet = 'cityscapes' | 'camvid';

/** How the values of a label file are encoded: see src/core/labels/encodings.ts. */
export type { LabelEncoding } from '../labels';

export interface LabelFile {
  readonly path: string;
  readonly encoding: LabelEncoding;
}

/** Consecutive video frames of one camera, in playback order. */
export interface Clip {
  /** Unique within the dataset: a Cityscapes labelled frame's name ({city}_{seq}_{frame}) or a folder name. */
  readonly key: string;
  readonly split: Split;
  readonly framePaths: readonly string[];
  /** Size of the frames as stored (read from the first frame). */
  readonly width: number;
  readonly height: number;
  /** Intrinsics in pixels of width x height. */
  readonly intrinsics: Intrinsics;
  /** Where the intrinsics came from: a camera json path, or a description. */
  readonly intrinsicsSource: string;
  /** Position of the clip's labelled frame in framePaths (Cityscapes: 19), if it has one. */
  readonly keyframeIndex?: number;
  /** Ground-truth depth per frame (16-bit PNG, centimetres), aligned with framePaths (synthetic data). */
  readonly depthPaths?: readonly string[];
  /** Camera poses of the frames (JSON, see docs/dataset-layout.md) (synthetic data). */
  readonly posesPath?: string;
}

/** A single image that has a label, or could get one. */
export interface LabelledFrame {
  /** Unique within the dataset, e.g. `aachen_000000_000019` or a file name without extension. */
  readonly key: string;
  readonly split: Split;
  readonly imagePath: string;
  /** Size of the image as stored. */
  readonly width: number;
  readonly height: number;
  /** The dataset's own label, if it has one. */
  readonly label?: LabelFile;
  /** The clip holding this frame and its neighbours, if any, and the frame's position in it. */
  readonly clipKey?: string;
  readonly indexInClip?: number;
  /** Cityscapes camera json of this frame, if present. */
  readonly cameraPath?: string;
  /** Ground-truth depth of this frame (synthetic data), if present. */
  readonly depthPath?: string;
}

export interface DatasetSplit {
  readonly frames: readonly LabelledFrame[];
  readonly clips: readonly Clip[];
}

export interface DatasetIndex {
  readonly format: DatasetFormat;
  /** Absolute path of the dataset's root folder. */
  readonly root: string;
  /** The class set of the labels; null where the dataset has none (plain frames). */
  readonly classSet: ClassSet | null;
  /** Only the splits the dataset has. */
  readonly splits: Partial<Record<Split, DatasetSplit>>;
}
