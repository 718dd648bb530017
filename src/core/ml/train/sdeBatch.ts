/**
 * The self-supervised depth objective on a batch of frame triplets: the pose network sees
 * each (target, source) pair in temporal order (earlier frame first) and the transform is
 * inverted for a source before the target, as in monodepth2; the depth network's
 * disparities (from whatever network produced them: the depth network or the multi-task
 * network) feed `sdeLoss`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { transformFromParameters } from '../geometry';
import { sdeLoss, type SdeLoss } from './sdeLoss';

export interface TripletBatch {
  /** Target frames [B, H, W, 3] in [0, 1], as the loss compares them (no colour jitter). */
  target: tf.Tensor4D;
  /** Source frames, one tensor per offset, like the target. */
  sources: tf.Tensor4D[];
  /** Frame offsets of the sources relative to the target (e.g. [-1, 1]). */
  offsets: number[];
  /** The colour-jittered frames the networks see. */
  targetIn: tf.Tensor4D;
  sourcesIn: tf.Tensor4D[];
  /** Intrinsics [B, 3, 3] at the batch's size (after any crop or flip). */
  K: tf.Tensor3D;
  /** [B, H, W, 1], 1 = pixel counts (ego-vehicle mask). */
  keepMask?: tf.Tensor4D;
}

export function disposeTriplets(b: TripletBatch): void {
  tf.dispose([b.target, ...b.sources, b.targetIn, ...b.sourcesIn, b.K, ...(b.keepMask ? [b.keepMask] : [])]);
}

/**
 * The pose network's input for a (target, source) pair [B, H, W, 6]: the two frames in
 * temporal order (the earlier one first), whichever of them is the target.
 */
export function posePairInput(target: tf.Tensor4D, source: tf.Tensor4D, offset: number): tf.Tensor4D {
  return offset < 0 ? tf.concat([source, target], 3) : tf.concat([target, source], 3);
}

/**
 * The pose network's output [B, 6] for a pair made by posePairInput -> the target -> source
 * transforms [B, 4, 4] (inverted where the source came first).
 */
export function targetToSourceTransform(pose: tf.Tensor2D, offset: number): tf.Tensor3D {
  return tf.tidy(() => {
    const b = pose.shape[0];
    return transformFromParameters(tf.slice(pose, [0, 0], [b, 3]), tf.slice(pose, [0, 3], [b, 3]), offset < 0);
  });
}

/**
 * Target -> source transforms [B, 4, 4], one per source. All pairs go through the pose
 * network in one pass (stacked along the batch axis).
 */
export function poseTransforms(poseNet: tfl.LayersModel, batch: TripletBatch, training: boolean): tf.Tensor3D[] {
  return tf.tidy(() => {
    const b = batch.targetIn.shape[0];
    const pairs = batch.sourcesIn.map((src, k) => posePairInput(batch.targetIn, src, batch.offsets[k]!));
    const pose = poseNet.apply(tf.concat(pairs, 0), { training }) as tf.Tensor2D;
    return batch.sourcesIn.map((_, k) => targetToSourceTransform(tf.slice(pose, [k * b, 0], [b, 6]), batch.offsets[k]!));
  });
}

/** The SDE loss of a triplet batch for the given disparities (rows of the batch, finest first). */
export function sdeBatchLoss(disps: readonly tf.Tensor4D[], poseNet: tfl.LayersModel, batch: TripletBatch, noiseSeed: number, training = true): SdeLoss {
  const transforms = poseTransforms(poseNet, batch, training);
  try {
    return sdeLoss({ disps, target: batch.target, sources: batch.sources, transforms, K: batch.K, keepMask: batch.keepMask, noiseSeed });
  } finally {
    tf.dispose(transforms);
  }
}
