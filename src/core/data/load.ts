/**
 * Decoding what a dataset index points at, resized to a training size: images with an
 * area/bilinear filter, labels converted to training ids and resized with nearest
 * neighbour, intrinsics scaled to match.
 */
import { DataError, UsageError } from '../errors';
import { scaleIntrinsics, type Intrinsics } from './camera';
import type { Clip, DatasetIndex, LabelFile, LabelledFrame } from './datasetTypes';
import { readLabel, readRgb, readU16, type RasterU8, type Size } from './imageIo';
import { checkSameSize, resizeLabelNearest, toClassIds } from './labels';
import { readImageSize } from './scan';

/** An RGB image, resized to `size` when given. */
export function loadImage(path: string, size?: Size): Promise<RasterU8> {
  return readRgb(path, size);
}

/**
 * A label in training ids (255 = ignore), every value checked at full resolution, then
 * resized to `size` with nearest neighbour when given.
 */
export async function loadLabel(label: LabelFile, size?: Size): Promise<RasterU8> {
  const ids = toClassIds(await readLabel(label.path), label.encoding, label.path);
  return size ? resizeLabelNearest(ids, size) : ids;
}

export interface LoadedFrame {
  readonly image: RasterU8;
  /** Training ids (255 = ignore), or null where the frame has no label. */
  readonly label: RasterU8 | null;
}

/**
 * A frame's image and label (when it has one) at `size` (default: as stored). The image
 * and the label must have the same size on disk.
 */
export async function loadLabelledFrame(frame: LabelledFrame, size?: Size): Promise<LoadedFrame> {
  if (!frame.label) return { image: await readRgb(frame.imagePath, size), label: null };
  const [image, raw, imageSize] = await Promise.all([
    readRgb(frame.imagePath, size),
    readLabel(frame.label.path),
    readImageSize(frame.imagePath),
  ]);
  checkSameSize(frame.imagePath, imageSize, frame.label.path, raw);
  const ids = toClassIds(raw, frame.label.encoding, frame.label.path);
  return { image, label: size ? resizeLabelNearest(ids, size) : ids };
}

/** A clip's intrinsics for its frames resized to `size` (default: as stored). */
export function clipIntrinsics(clip: Clip, size?: Size): Intrinsics {
  return size ? scaleIntrinsics(clip.intrinsics, size) : clip.intrinsics;
}

/** The clip a frame belongs to; a DataError where it has none. */
export function clipOf(index: DatasetIndex, frame: LabelledFrame): Clip {
  if (frame.clipKey === undefined) throw new DataError(frame.imagePath, 'frame has no video clip (no neighbouring frames)');
  const clip = index.splits[frame.split]?.clips.find((c) => c.key === frame.clipKey);
  if (!clip) throw new DataError(frame.imagePath, `clip '${frame.clipKey}' is not in the ${frame.split} split of the index`);
  return clip;
}

/**
 * Paths of the frames at `offsets` from position `centre` of a clip (e.g. [-1, 1] for the
 * previous and next frame). A DataError names the clip when an offset falls outside it.
 */
export function neighbourFramePaths(clip: Clip, centre: number, offsets: readonly number[]): string[] {
  if (!Number.isInteger(centre) || centre < 0 || centre >= clip.framePaths.length) {
    throw new UsageError(`frame position ${centre} is outside clip '${clip.key}' (${clip.framePaths.length} frames)`);
  }
  return offsets.map((o) => {
    const p = clip.framePaths[centre + o];
    if (p === undefined) {
      throw new DataError(
        clip.framePaths[centre]!,
        `no frame at offset ${o} in clip '${clip.key}' (frame ${centre} of ${clip.framePaths.length})`,
      );
    }
    return p;
  });
}

/** Paths of the frames at `offsets` (default previous and next) from a frame, in its clip. */
export function neighboursOf(index: DatasetIndex, frame: LabelledFrame, offsets: readonly number[] = [-1, 1]): string[] {
  const clip = clipOf(index, frame);
  return neighbourFramePaths(clip, frame.indexInClip ?? 0, offsets);
}

/** Decodes the frames of a clip at the given positions, resized to `size` when given. */
export function loadClipFrames(clip: Clip, positions: readonly number[], size?: Size): Promise<RasterU8[]> {
  for (const i of positions) {
    if (!Number.isInteger(i) || i < 0 || i >= clip.framePaths.length) {
      throw new UsageError(`frame position ${i} is outside clip '${clip.key}' (${clip.framePaths.length} frames)`);
    }
  }
  return Promise.all(positions.map((i) => readRgb(clip.framePaths[i]!, size)));
}

/**
 * Ground-truth depth in metres from a 16-bit PNG in centimetres (0 = no depth, e.g. sky),
 * resized to `size` with nearest neighbour (depth must not be blended across edges).
 */
export async function loadDepthMetres(path: string, size: Size): Promise<Float32Array> {
  const d = await readU16(path);
  const out = new Float32Array(size.height * size.width);
  for (let y = 0; y < size.height; y++) {
    const sy = Math.min(d.height - 1, Math.floor(((y + 0.5) * d.height) / size.height));
    for (let x = 0; x < size.width; x++) {
      const sx = Math.min(d.width - 1, Math.floor(((x + 0.5) * d.width) / size.width));
      out[y * size.width + x] = d.data[sy * d.width + sx]! / 100;
    }
  }
  return out;
}
