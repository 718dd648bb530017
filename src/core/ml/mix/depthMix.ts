/**
 * DepthMix (Hoyer et al. 2021, way 2): mixes two images so that each pixel comes from the
 * image that is closer to the camera there, keeping occlusions geometrically plausible.
 *
 * With disparities d_i, d_j in [0, 1] (larger = closer):
 *   M_i(p) = 1 where d_i(p) >= d_j(p) - 0.03, else 0
 *   mixed image = M_i * x_i + (1 - M_i) * x_j, and the same mask mixes the labels
 *   (one-hot ground truth for labelled images, the teacher's softmax for unlabelled ones).
 * Both directions are formed: (i over j) with M_i and (j over i) with M_j. Within the margin
 * both masks are 1, so the two mixes are not complements of each other.
 */
import * as tf from '@tensorflow/tfjs-core';
import { detached } from '../losses/stopGradient';
import { requireRank, requireSameShape, requireShape } from '../losses/tensorChecks';
import { mixByMask, pseudoLabel } from './mixByMask';

export const DEPTHMIX_MARGIN = 0.03;

/** Mask [B, H, W, 1] float: 1 where dispI >= dispJ - margin. */
export function depthMixMask(dispI: tf.Tensor4D, dispJ: tf.Tensor4D, margin = DEPTHMIX_MARGIN): tf.Tensor4D {
  requireRank('depthMixMask', 'dispI', dispI, 4);
  requireSameShape('depthMixMask', 'dispI', dispI, 'dispJ', dispJ);
  requireShape('depthMixMask', 'dispI', dispI, [null, null, null, 1]);
  // Detached: under multi-task training the disparities come from the student, and the mask
  // must act as a constant (no gradient flows into the disparity through it).
  return tf.tidy(() =>
    detached(() => tf.cast(tf.greaterEqual(dispI, tf.sub(dispJ, margin)), 'float32') as tf.Tensor4D),
  );
}

/**
 * Rescales each image's disparity to [0, 1] (min -> 0, max -> 1), for disparities that are
 * not already in [0, 1]. The depth decoder's sigmoid output is, and can be used as it is.
 * A constant image becomes all 0.
 */
export function normaliseDisparity(disp: tf.Tensor4D): tf.Tensor4D {
  requireRank('normaliseDisparity', 'disp', disp, 4);
  return tf.tidy(() => {
    const lo = tf.min(disp, [1, 2, 3], true);
    const hi = tf.max(disp, [1, 2, 3], true);
    return tf.div(tf.sub(disp, lo), tf.maximum(tf.sub(hi, lo), 1e-12)) as tf.Tensor4D;
  });
}

export interface MixInput {
  /** Image [B, H, W, 3]. */
  image: tf.Tensor4D;
  /** Class probabilities [B, H, W, C]: one-hot ground truth or the teacher's softmax. */
  probs: tf.Tensor4D;
  /** Disparity in [0, 1], [B, H, W, 1]. */
  disp: tf.Tensor4D;
}

export type Mixed = {
  image: tf.Tensor4D;
  probs: tf.Tensor4D;
  /** Argmax of `probs`, int32 [B, H, W] (255 where both sources were ignored). */
  labels: tf.Tensor3D;
  /** The mask used, 1 = the first image's pixel. */
  mask: tf.Tensor4D;
};

/** Pastes `top` over `bottom` where the mask is 1. */
export function mixPair(top: Omit<MixInput, 'disp'>, bottom: Omit<MixInput, 'disp'>, mask: tf.Tensor4D): Mixed {
  requireSameShape('mixPair', 'top.probs', top.probs, 'bottom.probs', bottom.probs);
  return tf.tidy(() => {
    const probs = mixByMask(top.probs, bottom.probs, mask);
    return {
      image: mixByMask(top.image, bottom.image, mask),
      probs,
      labels: pseudoLabel(probs),
      mask: mask.clone(),
    };
  });
}

/** Both DepthMix directions of a pair: i over j (mask M_i) and j over i (mask M_j). */
export function depthMix(i: MixInput, j: MixInput, margin = DEPTHMIX_MARGIN): { iOverJ: Mixed; jOverI: Mixed } {
  return tf.tidy(() => ({
    iOverJ: mixPair(i, j, depthMixMask(i.disp, j.disp, margin)),
    jOverI: mixPair(j, i, depthMixMask(j.disp, i.disp, margin)),
  }));
}
