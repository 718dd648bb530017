/**
 * Masks out a known ego-vehicle region (the car's bonnet at the bottom of Cityscapes frames)
 * so that losses ignore it. The result is a float [B, H, W, 1] tensor: 1 = use the pixel,
 * 0 = ego vehicle. Either the bottom fraction of rows is masked (0.13 in the method's
 * uncertainty score), or a given binary mask (1 = ego vehicle, at any resolution: it is
 * resampled to H x W by nearest neighbour).
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../errors';

export type EgoRegion =
  | { bottomFraction: number }
  | { mask: ArrayLike<number>; height: number; width: number };

/** The keep-mask as plain numbers, H * W row-major (1 = use, 0 = ego vehicle). */
export function egoKeepMask(height: number, width: number, region: EgoRegion): Float32Array {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new UsageError(`egoKeepMask: height and width must be positive integers, got ${height}x${width}`);
  }
  const keep = new Float32Array(height * width).fill(1);
  if ('bottomFraction' in region) {
    const f = region.bottomFraction;
    if (!(f >= 0 && f <= 1)) throw new UsageError(`egoKeepMask: bottomFraction must be in [0, 1], got ${f}`);
    const rows = Math.round(height * f);
    keep.fill(0, (height - rows) * width);
    return keep;
  }
  const { mask, height: mh, width: mw } = region;
  if (mask.length !== mh * mw) {
    throw new UsageError(`egoKeepMask: mask has ${mask.length} values, expected ${mh}x${mw} = ${mh * mw}`);
  }
  for (let y = 0; y < height; y++) {
    const sy = Math.min(mh - 1, Math.floor(((y + 0.5) * mh) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(mw - 1, Math.floor(((x + 0.5) * mw) / width));
      if (mask[sy * mw + sx] !== 0) keep[y * width + x] = 0;
    }
  }
  return keep;
}

/** The keep-mask as a [batch, H, W, 1] float tensor, the same for every image. */
export function egoMask(batch: number, height: number, width: number, region: EgoRegion): tf.Tensor4D {
  const keep = egoKeepMask(height, width, region);
  return tf.tidy(() => tf.tile(tf.tensor4d(keep, [1, height, width, 1]), [batch, 1, 1, 1]));
}
