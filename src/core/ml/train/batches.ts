/**
 * Batches as tensors: frames decoded (through a FrameCache) at the training size, cropped,
 * flipped and colour-jittered by per-sample augmentations, with labels and intrinsics
 * transformed the same way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DataError } from '../../errors';
import { intrinsicsMatrix, scaleIntrinsics } from '../../data/camera';
import type { RasterU8, Size } from '../../data/imageIo';
import { loadLabel } from '../../data/load';
import { egoMask, type EgoRegion } from '../losses/egoMask';
import { augmentIntrinsics, cropBatch, cropLabels, jitterColours, type GeometricAug, type PhotometricAug } from './augment';
import type { FrameCache } from './frameCache';
import type { FrameSample } from './samples';
import type { TripletBatch } from './sdeBatch';

/** Stacks RGB rasters into [B, H, W, 3] floats in [0, 1]. */
export function rastersToTensor(rasters: readonly RasterU8[]): tf.Tensor4D {
  const { width: w, height: h } = rasters[0]!;
  const data = new Float32Array(rasters.length * h * w * 3);
  rasters.forEach((r, b) => {
    if (r.width !== w || r.height !== h || r.channels !== 3) throw new Error(`rastersToTensor: raster ${b} is ${r.width}x${r.height}x${r.channels}, expected ${w}x${h}x3`);
    const off = b * h * w * 3;
    for (let i = 0; i < r.data.length; i++) data[off + i] = r.data[i]! / 255;
  });
  return tf.tensor4d(data, [rasters.length, h, w, 3]);
}

/** Labels (training ids, 255 = ignore) of the given size, decoded once per file. */
export class LabelCache {
  private readonly entries = new Map<string, Promise<RasterU8>>();
  constructor(readonly size: Size) {}
  get(sample: FrameSample): Promise<RasterU8> {
    if (!sample.label) return Promise.reject(new DataError(sample.imagePath, 'frame has no label'));
    const key = sample.label.path;
    let p = this.entries.get(key);
    if (!p) {
      p = loadLabel(sample.label, this.size);
      p.catch(() => this.entries.delete(key));
      this.entries.set(key, p);
    }
    return p;
  }
}

export interface SegBatch {
  /** Augmented images as the loss and mixing see them (cropped, flipped, not jittered). */
  images: tf.Tensor4D;
  /** The same, colour-jittered: the network's input. */
  inputs: tf.Tensor4D;
  /** int32 [B, H, W] training ids, 255 = ignore; absent for unlabelled batches. */
  labels?: tf.Tensor3D;
}

export function disposeSeg(b: SegBatch): void {
  tf.dispose([b.images, b.inputs, ...(b.labels ? [b.labels] : [])]);
}

/** int32 [B, H, W] labels of the samples, cropped and flipped by `geo` (nearest). */
export async function labelBatch(samples: readonly FrameSample[], geo: readonly GeometricAug[], labels: LabelCache): Promise<tf.Tensor3D> {
  const rasters = await Promise.all(samples.map((s) => labels.get(s)));
  const { width: w, height: h } = rasters[0]!;
  const data = new Int32Array(samples.length * h * w);
  rasters.forEach((r, b) => data.set(r.data, b * h * w));
  return tf.tidy(() => cropLabels(tf.tensor3d(data, [samples.length, h, w], 'int32'), geo.map((g) => g.box)));
}

/** Images (and labels, when `withLabels`) of the samples, augmented. */
export async function segBatch(
  samples: readonly FrameSample[],
  geo: readonly GeometricAug[],
  colour: readonly PhotometricAug[],
  frames: FrameCache,
  labels: LabelCache | null,
): Promise<SegBatch> {
  const rasters = await Promise.all(samples.map((s) => frames.get(s.imagePath)));
  const labelRasters = labels ? await Promise.all(samples.map((s) => labels.get(s))) : null;
  const boxes = geo.map((g) => g.box);
  return tf.tidy(() => {
    const raw = rastersToTensor(rasters);
    const images = cropBatch(raw, boxes, 'bilinear');
    const inputs = jitterColours(images, colour);
    if (!labelRasters) return { images, inputs };
    const { width: w, height: h } = labelRasters[0]!;
    const data = new Int32Array(samples.length * h * w);
    labelRasters.forEach((r, b) => data.set(r.data, b * h * w));
    const lab = cropLabels(tf.tensor3d(data, [samples.length, h, w], 'int32'), boxes);
    return { images, inputs, labels: lab };
  });
}

/**
 * Target frames with their neighbours (each sample needs `neighbourPaths` and `intrinsics`),
 * one crop/flip and one colour jitter per sample for all its frames.
 */
export async function tripletBatch(
  samples: readonly FrameSample[],
  offsets: readonly number[],
  geo: readonly GeometricAug[],
  colour: readonly PhotometricAug[],
  frames: FrameCache,
  ego?: EgoRegion,
): Promise<TripletBatch> {
  for (const s of samples) {
    if (!s.neighbourPaths || !s.intrinsics) throw new DataError(s.imagePath, 'frame has no neighbouring video frames: self-supervised depth cannot train on it');
  }
  const targets = await Promise.all(samples.map((s) => frames.get(s.imagePath)));
  const sources = await Promise.all(offsets.map((_, k) => Promise.all(samples.map((s) => frames.get(s.neighbourPaths![k]!)))));
  const { width: w, height: h } = frames.size;
  const boxes = geo.map((g) => g.box);
  return tf.tidy(() => {
    const target = cropBatch(rastersToTensor(targets), boxes, 'bilinear');
    const src = sources.map((r) => cropBatch(rastersToTensor(r), boxes, 'bilinear'));
    const ks = samples.map((s, b) => intrinsicsMatrix(augmentIntrinsics(scaleIntrinsics(s.intrinsics!, { width: w, height: h }), geo[b]!, w, h)));
    return {
      target,
      sources: src,
      offsets: [...offsets],
      targetIn: jitterColours(target, colour),
      sourcesIn: src.map((x) => jitterColours(x, colour)),
      K: tf.tensor3d(ks.flat(), [samples.length, 3, 3]),
      keepMask: ego ? cropBatch(egoMask(samples.length, h, w, ego), boxes, 'nearest') : undefined,
    };
  });
}
