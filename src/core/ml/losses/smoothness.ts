/**
 * Edge-aware smoothness of disparity (monodepth2 style). The disparity is first divided by its
 * per-image mean (so the loss does not push the scale towards zero), then
 *   mean |d(x+1) - d(x)| * exp(-mean_c |I(x+1) - I(x)|)  +  the same along y.
 * Disparity gradients are cheap where the image has edges. Returns a scalar; the caller
 * applies the weight (1e-3 / 2^scale in the reference).
 */
import * as tf from '@tensorflow/tfjs-core';
import { requireRank, requireShape } from './tensorChecks';
import { UsageError } from '../../errors';

export function edgeAwareSmoothness(disp: tf.Tensor4D, image: tf.Tensor4D): tf.Scalar {
  const fn = 'edgeAwareSmoothness';
  requireRank(fn, 'disp', disp, 4);
  requireRank(fn, 'image', image, 4);
  const [b, h, w] = disp.shape;
  requireShape(fn, 'disp', disp, [b, h, w, 1]);
  requireShape(fn, 'image', image, [b, h, w, null]);
  if (h < 2 || w < 2) throw new UsageError(`${fn}: needs at least 2x2 pixels, got ${h}x${w}`);
  return tf.tidy(() => {
    const mean = tf.mean(disp, [1, 2, 3], true);
    const d = tf.div(disp, tf.add(mean, 1e-7));
    const c = image.shape[3];
    const dx = tf.abs(tf.sub(tf.slice(d, [0, 0, 0, 0], [b, h, w - 1, 1]), tf.slice(d, [0, 0, 1, 0], [b, h, w - 1, 1])));
    const dy = tf.abs(tf.sub(tf.slice(d, [0, 0, 0, 0], [b, h - 1, w, 1]), tf.slice(d, [0, 1, 0, 0], [b, h - 1, w, 1])));
    const ix = tf.mean(
      tf.abs(tf.sub(tf.slice(image, [0, 0, 0, 0], [b, h, w - 1, c]), tf.slice(image, [0, 0, 1, 0], [b, h, w - 1, c]))),
      3,
      true,
    );
    const iy = tf.mean(
      tf.abs(tf.sub(tf.slice(image, [0, 0, 0, 0], [b, h - 1, w, c]), tf.slice(image, [0, 1, 0, 0], [b, h - 1, w, c]))),
      3,
      true,
    );
    const sx = tf.mean(tf.mul(dx, tf.exp(tf.neg(ix))));
    const sy = tf.mean(tf.mul(dy, tf.exp(tf.neg(iy))));
    return tf.add(sx, sy) as tf.Scalar;
  });
}
