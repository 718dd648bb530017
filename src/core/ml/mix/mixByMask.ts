/**
 * The operations DepthMix and ClassMix share: pasting one image (or label map) over another
 * through a mask, turning hard labels into one-hot maps, and reading a pseudo-label back.
 * All NHWC; masks are float [B, H, W, 1], 1 = take the first input.
 */
import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_INDEX } from '../losses/crossEntropy';
import { detached } from '../losses/stopGradient';
import { requireRank, requireSameShape, requireShape } from '../losses/tensorChecks';
import { UsageError } from '../../errors';

/** mask * a + (1 - mask) * b, the mask broadcast over channels. */
export function mixByMask<T extends tf.Tensor4D>(a: T, b: T, mask: tf.Tensor4D): T {
  requireRank('mixByMask', 'a', a, 4);
  requireSameShape('mixByMask', 'a', a, 'b', b);
  const [n, h, w] = a.shape;
  requireShape('mixByMask', 'mask', mask, [n, h, w, 1]);
  return tf.tidy(() => tf.add(tf.mul(mask, a), tf.mul(tf.sub(1, mask), b)) as T);
}

/** Hard labels [B, H, W] int32 -> one-hot [B, H, W, C]; ignored pixels get all zeros. */
export function oneHotLabels(labels: tf.Tensor3D, numClasses: number, ignoreIndex = IGNORE_INDEX): tf.Tensor4D {
  requireRank('oneHotLabels', 'labels', labels, 3);
  if (labels.dtype !== 'int32') throw new UsageError(`oneHotLabels: labels must be int32, got ${labels.dtype}`);
  const [b, h, w] = labels.shape;
  return tf.tidy(() =>
    detached(() => {
      const valid = tf.notEqual(labels, tf.scalar(ignoreIndex, 'int32'));
      const safe = tf.where(valid, labels, tf.zerosLike(labels));
      const hot = tf.reshape(tf.oneHot(tf.reshape(safe, [-1]), numClasses, 1, 0, 'float32'), [b, h, w, numClasses]);
      return tf.mul(hot, tf.expandDims(tf.cast(valid, 'float32'), 3)) as tf.Tensor4D;
    }),
  );
}

/**
 * Class probabilities (or mixed one-hot maps) [B, H, W, C] -> pseudo-label [B, H, W] int32
 * by argmax; pixels whose probabilities are all 0 (an ignored ground-truth pixel) get the
 * ignore index.
 */
export function pseudoLabel(probs: tf.Tensor4D, ignoreIndex = IGNORE_INDEX): tf.Tensor3D {
  requireRank('pseudoLabel', 'probs', probs, 4);
  return tf.tidy(() =>
    detached(() => {
      const label = tf.argMax(probs, 3) as tf.Tensor3D;
      const empty = tf.lessEqual(tf.max(probs, 3), 0);
      return tf.where(empty, tf.fill(label.shape, ignoreIndex, 'int32') as tf.Tensor3D, label) as tf.Tensor3D;
    }),
  );
}
