/**
 * Softmax cross-entropy for segmentation, from logits, with an ignore label.
 *
 *   loss = sum_p w[b(p)] * -log softmax(logits_p)[label_p] / (number of non-ignored pixels)
 *
 * Pixels labelled `ignoreIndex` (255) count neither in the sum nor in the divisor; when every
 * pixel is ignored the loss is 0 (never NaN). The optional per-image weight scales each image's
 * pixels (the pseudo-label confidence of the mean teacher) without changing the divisor, as in
 * the reference (DACS) code, where the weight multiplies the pixel losses before the mean.
 * Labels >= the number of classes (other than the ignore index) are not checked (that would need
 * a read of the data) and contribute 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { detached } from './stopGradient';
import { requireRank, requireShape } from './tensorChecks';
import { UsageError } from '../../errors';

export const IGNORE_INDEX = 255;

export interface CrossEntropyOptions {
  ignoreIndex?: number;
  /** One weight per image, [B] (tensor or numbers). */
  imageWeights?: tf.Tensor1D | readonly number[];
}

export function crossEntropy(
  logits: tf.Tensor4D,
  labels: tf.Tensor3D,
  options: CrossEntropyOptions = {},
): tf.Scalar {
  const fn = 'crossEntropy';
  requireRank(fn, 'logits', logits, 4);
  const [b, h, w, classes] = logits.shape;
  requireShape(fn, 'labels', labels, [b, h, w]);
  if (labels.dtype !== 'int32') throw new UsageError(`${fn}: labels must be int32, got ${labels.dtype}`);
  const ignore = options.ignoreIndex ?? IGNORE_INDEX;
  return tf.tidy(() => {
    // Labels are constants for the gradient (notEqual has none in tfjs).
    const validF = detached(() => tf.cast(tf.notEqual(labels, tf.scalar(ignore, 'int32')), 'float32'));
    const oneHot = detached(() => {
      const safe = tf.where(tf.notEqual(labels, tf.scalar(ignore, 'int32')), labels, tf.zerosLike(labels));
      return tf.reshape(tf.oneHot(tf.reshape(safe, [-1]), classes), [b, h, w, classes]);
    });
    const logProb = tf.logSoftmax(logits, -1);
    const picked = tf.sum(tf.mul(logProb, oneHot), -1); // [B,H,W]
    let perPixel = tf.mul(tf.neg(picked), validF);
    if (options.imageWeights !== undefined) {
      const weights =
        options.imageWeights instanceof tf.Tensor ? options.imageWeights : tf.tensor1d([...options.imageWeights]);
      requireShape(fn, 'imageWeights', weights, [b]);
      perPixel = tf.mul(perPixel, tf.reshape(weights, [b, 1, 1]));
    }
    return tf.div(tf.sum(perPixel), tf.maximum(tf.sum(validF), 1)) as tf.Scalar;
  });
}
