/**
 * The self-supervised depth loss of one batch (monodepth2 style, method.md "Way 1"):
 * for each of the 4 disparity scales, the disparity is upsampled to the input size, turned
 * into depth, every source frame is warped into the target with it and the predicted pose,
 * and the per-pixel minimum reprojection error over the sources, auto-masked by the errors
 * of the un-warped sources (plus 1e-5 noise to break ties), is averaged over the pixels the
 * ego mask keeps; plus edge-aware smoothness of the scale's own disparity, weight
 * 1e-3 / 2^scale. The loss is the mean over scales.
 *
 * The same computation as `minimumReprojection` per scale, but every scale and source is
 * warped and compared in one batched pass (scales x sources stacked along the batch axis):
 * on wasm the per-op overhead of many small ops otherwise dominates the step. The identity
 * errors do not depend on depth, so they are computed once and shared by the scales.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../errors';
import { dispToDepth, invertIntrinsics, warp } from '../geometry';
import { reprojectionError, TIE_NOISE_SCALE } from '../losses/photometric';
import { edgeAwareSmoothness } from '../losses/smoothness';
import { detached } from '../losses/stopGradient';

export const SMOOTHNESS_WEIGHT = 1e-3;

export interface SdeLossInput {
  /** Sigmoid disparities, finest first: disp_0 [B, H, W, 1], disp_1 at H/2 ... */
  disps: readonly tf.Tensor4D[];
  /** The target frame [B, H, W, 3] in [0, 1] (not colour-jittered). */
  target: tf.Tensor4D;
  /** The source frames (e.g. previous and next), same shape as the target. */
  sources: readonly tf.Tensor4D[];
  /** Target -> source transforms [B, 4, 4], one per source. */
  transforms: readonly tf.Tensor3D[];
  /** Intrinsics [B, 3, 3] at H x W. */
  K: tf.Tensor3D;
  /** [B, H, W, 1]: 1 = pixel counts, 0 = ego vehicle. */
  keepMask?: tf.Tensor4D;
  /** Seed of the auto-masking tie noise; vary it per step. */
  noiseSeed?: number;
  /** Replaces the tie noise: unit-scale noise of shape [scales * sources * B, H, W, 1] (scale-major). */
  noise?: (shape: [number, number, number, number]) => tf.Tensor4D;
  /** No auto-masking (identity errors left out of the minimum). */
  noAutoMask?: boolean;
}

export interface SdeLoss {
  loss: tf.Scalar;
  /** Per scale: the masked mean minimum reprojection error and the (unweighted) smoothness. */
  reprojection: tf.Scalar[];
  smoothness: tf.Scalar[];
}

const tileBatch = <T extends tf.Tensor>(x: T, times: number): T => (times === 1 ? x : (tf.concat(Array(times).fill(x), 0) as T));

export function sdeLoss(input: SdeLossInput): SdeLoss {
  const { disps, target, sources, transforms, K } = input;
  const S = disps.length;
  const N = sources.length;
  if (S === 0) throw new UsageError('sdeLoss: needs at least one disparity scale');
  if (N === 0 || N !== transforms.length) {
    throw new UsageError(`sdeLoss: needs one transform per source frame, got ${N} sources and ${transforms.length} transforms`);
  }
  const [b, h, w] = target.shape;
  return tf.tidy(() => {
    // Depth of every scale at full resolution, stacked: [S*B, H, W, 1].
    const full = disps.map((d) => (d.shape[1] === h && d.shape[2] === w ? d : (tf.image.resizeBilinear(d, [h, w]) as tf.Tensor4D)));
    const { depth } = dispToDepth(tf.concat(full, 0) as tf.Tensor4D);
    // Rows ordered (scale, source, batch).
    const depthAll = tf.concat(Array.from({ length: S }, (_, s) => tileBatch(tf.slice(depth, [s * b, 0, 0, 0], [b, h, w, 1]), N)), 0) as tf.Tensor4D;
    const srcAll = tileBatch(tf.concat([...sources], 0) as tf.Tensor4D, S);
    const tAll = tileBatch(tf.concat([...transforms], 0) as tf.Tensor3D, S);
    const kAll = tileBatch(K, S * N);
    const invK = tileBatch(invertIntrinsics(K), S * N);
    const { warped } = warp(srcAll, depthAll, kAll, tAll, invK);
    const errors = reprojectionError(warped, tileBatch(target, S * N)); // [S*N*B, H, W, 1]
    const n = b * h * w;
    // Minimum over the source axis by element-wise minima of slices: cheaper on wasm than a
    // reduction, whose gradient compares every element against a broadcast minimum.
    const minOverSources = (x: tf.Tensor3D): tf.Tensor3D => {
      let m = tf.slice(x, [0, 0, 0], [S, 1, n]);
      for (let k = 1; k < N; k++) m = tf.minimum(m, tf.slice(x, [0, k, 0], [S, 1, n]));
      return m;
    };
    let perPixel = minOverSources(tf.reshape(errors, [S, N, n]));
    if (!input.noAutoMask) {
      const identity = detached(() => tf.reshape(reprojectionError(tf.concat([...sources], 0) as tf.Tensor4D, tileBatch(target, N)), [1, N, n]));
      const shape: [number, number, number, number] = [S * N * b, h, w, 1];
      const noise = input.noise ? input.noise(shape) : tf.randomNormal(shape, 0, 1, 'float32', input.noiseSeed ?? 0);
      // The identity errors are shared by the scales (broadcast over the scale axis).
      const identityAll = tf.add(identity, tf.mul(tf.reshape(noise, [S, N, n]), TIE_NOISE_SCALE)) as tf.Tensor3D;
      perPixel = tf.minimum(perPixel, minOverSources(identityAll));
    }
    const perPixel4 = tf.reshape(perPixel, [S, b, h, w]);
    let reprojection: tf.Tensor1D;
    if (input.keepMask) {
      const m = tf.reshape(input.keepMask, [1, b, h, w]);
      reprojection = tf.div(tf.sum(tf.mul(perPixel4, m), [1, 2, 3]), tf.maximum(tf.sum(m), 1e-7)) as tf.Tensor1D;
    } else {
      reprojection = tf.mean(perPixel4, [1, 2, 3]) as tf.Tensor1D;
    }
    const smoothness = disps.map((d) => {
      const image = d.shape[1] === h && d.shape[2] === w ? target : (tf.image.resizeBilinear(target, [d.shape[1], d.shape[2]]) as tf.Tensor4D);
      return edgeAwareSmoothness(d, image);
    });
    const weights = tf.tensor1d(disps.map((_, s) => SMOOTHNESS_WEIGHT / 2 ** s));
    const loss = tf.div(tf.add(tf.sum(reprojection), tf.sum(tf.mul(tf.stack(smoothness), weights))), S) as tf.Scalar;
    const reprojParts = tf.unstack(reprojection) as tf.Scalar[];
    return { loss, reprojection: reprojParts, smoothness };
  });
}
