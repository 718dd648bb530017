/**
 * Reverse Huber (berHu) regression loss, used to train the small student depth network of the
 * annotation selection on the SDE teacher's disparity. With r = prediction - target and
 * c = 0.2 * max|r| over the whole batch (held constant for the gradient):
 *   |r|                 where |r| <= c
 *   (r^2 + c^2) / (2c)  where |r| >  c
 * averaged over the pixels (or over the mask, where one is given).
 */
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stopGradient';
import { requireSameShape, requireShape } from './tensorChecks';

export const BERHU_THRESHOLD = 0.2;

export function berhu(prediction: tf.Tensor, target: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  const fn = 'berhu';
  requireSameShape(fn, 'prediction', prediction, 'target', target);
  if (mask) requireShape(fn, 'mask', mask, prediction.shape);
  return tf.tidy(() => {
    let r = tf.abs(tf.sub(prediction, target));
    if (mask) r = tf.mul(r, mask);
    // Floor c so that an all-zero residual does not divide by zero (in the gradient either).
    const c = tf.maximum(stopGradient(tf.mul(tf.max(r), BERHU_THRESHOLD)), 1e-12);
    // |r| + relu(|r| - c)^2 / 2c equals |r| up to c and (r^2 + c^2) / 2c above it, without a
    // comparison op on the gradient path (lessEqual has no gradient in tfjs).
    const excess = tf.relu(tf.sub(r, c));
    const perPixel = tf.add(r, tf.div(tf.square(excess), tf.mul(c, 2)));
    if (!mask) return tf.mean(perPixel) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(perPixel, mask)), tf.maximum(tf.sum(mask), 1e-7)) as tf.Scalar;
  });
}
