/**
 * Structural dissimilarity (monodepth2 style): SSIM on 3x3 windows with reflection padding,
 * returned as (1 - SSIM) / 2 clamped to [0, 1], per pixel and channel (NHWC, same shape as
 * the inputs). 0 = identical neighbourhoods.
 */
import * as tf from '@tensorflow/tfjs-core';
import { boxFilter3x3 } from './boxFilter';
import { requireFloat, requireRank, requireSameShape } from './tensorChecks';

export const SSIM_C1 = 0.01 ** 2;
export const SSIM_C2 = 0.03 ** 2;

export function ssimDissimilarity(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  requireRank('ssimDissimilarity', 'a', a, 4);
  requireSameShape('ssimDissimilarity', 'a', a, 'b', b);
  requireFloat('ssimDissimilarity', 'a', a);
  requireFloat('ssimDissimilarity', 'b', b);
  return tf.tidy(() => {
    const n = a.shape[0];
    // One filter pass over the five moments stacked along the batch axis: concatenating and
    // splitting along the outermost axis copies contiguous blocks (along channels it is a
    // strided gather, several times slower on wasm, and concat's gradient is a split).
    const stacked = tf.concat([a, b, tf.mul(a, a), tf.mul(b, b), tf.mul(a, b)], 0) as tf.Tensor4D;
    const pooled = boxFilter3x3(stacked);
    const [muA, muB, aa, bb, ab] = tf.split(pooled, [n, n, n, n, n], 0);
    const muAmuB = tf.mul(muA, muB);
    const muA2 = tf.mul(muA, muA);
    const muB2 = tf.mul(muB, muB);
    const varA = tf.sub(aa, muA2);
    const varB = tf.sub(bb, muB2);
    const cov = tf.sub(ab, muAmuB);
    const numerator = tf.mul(tf.add(tf.mul(muAmuB, 2), SSIM_C1), tf.add(tf.mul(cov, 2), SSIM_C2));
    const denominator = tf.mul(tf.add(tf.add(muA2, muB2), SSIM_C1), tf.add(tf.add(varA, varB), SSIM_C2));
    const dissim = tf.div(tf.sub(1, tf.div(numerator, denominator)), 2);
    return tf.clipByValue(dissim, 0, 1) as tf.Tensor4D;
  });
}
