/**
 * 3x3 mean filter with reflection padding (NHWC), as SSIM uses it. Built from slices,
 * concatenation and additions only: these have exact gradients on every tfjs backend, unlike
 * mirrorPad (its gradient ignores the reflected border) or avgPool (needs a backend kernel for
 * its gradient).
 *
 * The work is done on the free reshape [B, H, W * C]: a shift by one pixel along W is then a
 * shift by C values inside each row, so every slice copies whole rows (long contiguous runs)
 * instead of C values at a time; on wasm that is several times faster.
 */
import * as tf from '@tensorflow/tfjs-core';
import { requireRank } from './tensorChecks';
import { UsageError } from '../../errors';

/** Reflect-pads one pixel on each side of H and W of rows [B, H, W*C] with C channels. */
function reflectPadRows(x: tf.Tensor3D, channels: number): tf.Tensor3D {
  const [b, h, wc] = x.shape;
  const top = tf.slice(x, [0, 1, 0], [b, 1, wc]);
  const bottom = tf.slice(x, [0, h - 2, 0], [b, 1, wc]);
  const rows = tf.concat([top, x, bottom], 1);
  const left = tf.slice(rows, [0, 0, channels], [b, h + 2, channels]);
  const right = tf.slice(rows, [0, 0, wc - 2 * channels], [b, h + 2, channels]);
  return tf.concat([left, rows, right], 2) as tf.Tensor3D;
}

function requireAtLeast2x2(fn: string, x: tf.Tensor4D): void {
  requireRank(fn, 'x', x, 4);
  const [, h, w] = x.shape;
  if (h < 2 || w < 2) throw new UsageError(`${fn}: x must be at least 2x2 pixels, got ${h}x${w}`);
}

/** Pads one pixel on each side of H and W by reflection (edge pixel not repeated): needs H, W >= 2. */
export function reflectPad1(x: tf.Tensor4D): tf.Tensor4D {
  requireAtLeast2x2('reflectPad1', x);
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => tf.reshape(reflectPadRows(tf.reshape(x, [b, h, w * c]), c), [b, h + 2, w + 2, c]));
}

/** Mean over each pixel's 3x3 neighbourhood, the border reflected; output has the input's shape. */
export function boxFilter3x3(x: tf.Tensor4D): tf.Tensor4D {
  requireAtLeast2x2('boxFilter3x3', x);
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const p = reflectPadRows(tf.reshape(x, [b, h, w * c]), c); // [B, H+2, (W+2)*C]
    const wc = w * c;
    const horizontal = tf.addN([0, 1, 2].map((dx) => tf.slice(p, [0, 0, dx * c], [b, h + 2, wc])));
    const vertical = tf.addN([0, 1, 2].map((dy) => tf.slice(horizontal, [0, dy, 0], [b, h, wc])));
    return tf.reshape(tf.div(vertical, 9), [b, h, w, c]) as tf.Tensor4D;
  });
}
