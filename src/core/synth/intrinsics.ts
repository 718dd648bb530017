/**
 * The synthetic camera: an ideal pinhole with square pixels, principal point at the image
 * centre and fx = fy = 0.7 * width (horizontal field of view about 71 degrees, between
 * KITTI's ~81 and Cityscapes' ~49), at whatever size is rendered.
 */
import type { Intrinsics } from '../data/camera';
import type { Size } from '../data/imageIo';

export const FOCAL_PER_WIDTH = 0.7;

export function synthIntrinsics(size: Size): Intrinsics {
  const f = FOCAL_PER_WIDTH * size.width;
  return { fx: f, fy: f, cx: size.width / 2, cy: size.height / 2, width: size.width, height: size.height };
}
