/**
 * Photometric reprojection loss of self-supervised depth (monodepth2 style).
 *
 * - `reprojectionError`: 0.85 * (1 - SSIM) / 2 + 0.15 * |a - b|, both averaged over channels,
 *   per pixel: [B, H, W, C] x 2 -> [B, H, W, 1].
 * - `minimumReprojection`: the per-pixel minimum over the warped source frames. With
 *   auto-masking, the errors of the un-warped source frames against the target join that
 *   minimum (plus noise of scale 1e-5 to break ties), so pixels that look the same without any
 *   warping (a static camera, objects moving with the camera) pick an identity error and give
 *   the depth no gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ssimDissimilarity } from './ssim';
import { detached } from './stopGradient';
import { requireRank, requireSameShape, requireShape } from './tensorChecks';
import { UsageError } from '../../errors';

export const SSIM_WEIGHT = 0.85;
export const TIE_NOISE_SCALE = 1e-5;

export function reprojectionError(predicted: tf.Tensor4D, target: tf.Tensor4D): tf.Tensor4D {
  requireRank('reprojectionError', 'predicted', predicted, 4);
  requireSameShape('reprojectionError', 'predicted', predicted, 'target', target);
  return tf.tidy(() => {
    const l1 = tf.mean(tf.abs(tf.sub(predicted, target)), 3, true);
    const ssim = tf.mean(ssimDissimilarity(predicted, target), 3, true);
    return tf.add(tf.mul(ssim, SSIM_WEIGHT), tf.mul(l1, 1 - SSIM_WEIGHT)) as tf.Tensor4D;
  });
}

export interface MinimumReprojectionOptions {
  /**
   * The source frames before warping, in the same order as the warped ones. Given, their
   * errors join the per-pixel minimum (auto-masking); omitted, there is no auto-masking.
   */
  identitySources?: readonly tf.Tensor4D[];
  /** Seed of the tie-breaking noise; pass something that changes per step (the step). Default 0. */
  noiseSeed?: number;
  /**
   * Replaces the default noise (standard normal, seeded): returns unit-scale noise of the given
   * shape, which is multiplied by 1e-5. Tests pass zeros or fixed values here.
   */
  noise?: (shape: [number, number, number, number]) => tf.Tensor4D;
  /** [B, H, W, 1] weights, 1 = pixel counts (e.g. the ego-vehicle mask); the loss is the weighted mean. */
  mask?: tf.Tensor4D;
}

export type MinimumReprojection = {
  /** Mean of `perPixel` over the mask (or all pixels). */
  loss: tf.Scalar;
  /** Per-pixel minimum error, [B, H, W, 1]. */
  perPixel: tf.Tensor4D;
  /** 1 where a warped source gave the minimum, 0 where an identity error won (the auto-mask), [B, H, W, 1]. */
  warpWins: tf.Tensor4D;
};

/**
 * Per-pixel minimum reprojection error over source frames, with optional auto-masking. The
 * caller owns (and disposes) the returned tensors.
 */
export function minimumReprojection(
  target: tf.Tensor4D,
  warpedSources: readonly tf.Tensor4D[],
  options: MinimumReprojectionOptions = {},
): MinimumReprojection {
  const fn = 'minimumReprojection';
  requireRank(fn, 'target', target, 4);
  if (warpedSources.length === 0) throw new UsageError(`${fn}: needs at least one warped source frame`);
  warpedSources.forEach((s, i) => requireSameShape(fn, `warpedSources[${i}]`, s, 'target', target));
  const identity = options.identitySources ?? [];
  if (identity.length > 0 && identity.length !== warpedSources.length) {
    throw new UsageError(
      `${fn}: identitySources has ${identity.length} frames but warpedSources has ${warpedSources.length}`,
    );
  }
  identity.forEach((s, i) => requireSameShape(fn, `identitySources[${i}]`, s, 'target', target));
  const [b, h, w] = target.shape;
  if (options.mask) requireShape(fn, 'mask', options.mask, [b, h, w, 1]);

  return tf.tidy(() => {
    // Element-wise minima instead of concatenating along channels and reducing: no strided
    // copies, and the gradient of tf.minimum reaches only the smaller input.
    const lowest = (errors: tf.Tensor4D[]): tf.Tensor4D =>
      errors.reduce((m, e) => tf.minimum(m, e) as tf.Tensor4D);
    const warpMin = lowest(warpedSources.map((s) => reprojectionError(s, target)));
    let perPixel = warpMin;
    let warpWins: tf.Tensor4D;
    if (identity.length > 0) {
      const noiseShape: [number, number, number, number] = [b, h, w, identity.length];
      const noise = options.noise
        ? options.noise(noiseShape)
        : tf.randomNormal(noiseShape, 0, 1, 'float32', options.noiseSeed ?? 0);
      requireShape(fn, 'noise(shape)', noise, noiseShape);
      const identityErrors = identity.map((s, k) =>
        tf.add(
          reprojectionError(s, target),
          tf.mul(tf.slice(noise, [0, 0, 0, k], [b, h, w, 1]), TIE_NOISE_SCALE),
        ) as tf.Tensor4D,
      );
      const identityMin = lowest(identityErrors);
      // On an exact tie the identity error wins: no gradient reaches the warp.
      perPixel = tf.minimum(identityMin, warpMin) as tf.Tensor4D;
      warpWins = detached(() => tf.cast(tf.less(warpMin, identityMin), 'float32') as tf.Tensor4D);
    } else {
      warpWins = tf.onesLike(warpMin);
    }
    let loss: tf.Scalar;
    if (options.mask) {
      const masked = tf.sum(tf.mul(perPixel, options.mask));
      loss = tf.div(masked, tf.maximum(tf.sum(options.mask), 1e-7)) as tf.Scalar;
    } else {
      loss = tf.mean(perPixel) as tf.Scalar;
    }
    return { loss, perPixel, warpWins };
  });
}
