/**
 * 3x3 mean filter with reflection padding (NHWC), as SSIM uses it. Built from slices,
 * concatenation and additions only: these have exact gradients on every tfjs backend, unlike
 * mirrorPad (its gradient ignores the reflected border) or avgPool (needs a backend kernel for
 * its gradient).
 */
import * as tf from '@tensorflow/tfjs-core';
import { requireRank } from './tensorChecks';

/** Pads one pixel on each side of H and W by reflection (edge pixel not repeated): needs H, W >= 2. */
export function reflectPad1(x: tf.Tensor4D): tf.Tensor4D {
  requireRank('reflectPad1', 'x', x, 4);
  const [b, h, w, c] = x.shape;
  if (h < 2 || w < 2) {
    throw new Error(`reflectPad1: x must be at least 2x2 pixels, got ${h}x${w}`);
  }
  return tf.tidy(() => {
    const top = tf.slice(x, [0, 1, 0, 0], [b, 1, w, c]);
    const bottom = tf.slice(x, [0, h - 2, 0, 0], [b, 1, w, c]);
    const rows = tf.concat([top, x, bottom], 1);
    const left = tf.slice(rows, [0, 0, 1, 0], [b, h + 2, 1, c]);
    const right = tf.slice(rows, [0, 0, w - 2, 0], [b, h + 2, 1, c]);
    return tf.concat([left, rows, right], 2) as tf.Tensor4D;
  });
}

/** Mean over each pixel's 3x3 neighbourhood, the border reflected; output has the input's shape. */
export function boxFilter3x3(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const p = reflectPad1(x);
    const horizontal = tf.addN([0, 1, 2].map((dx) => tf.slice(p, [0, 0, dx, 0], [b, h + 2, w, c])));
    const vertical = tf.addN([0, 1, 2].map((dy) => tf.slice(horizontal, [0, dy, 0, 0], [b, h, w, c])));
    return tf.div(vertical, 9) as tf.Tensor4D;
  });
}
