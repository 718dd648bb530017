/**
 * Camera geometry of self-supervised depth (the monodepth2 "layers"), NHWC.
 *
 * Conventions: pixel (row v, column u) has image coordinates (x = u, y = v), so the pixel
 * centres sit on integers; K is the 3x3 intrinsics matrix at the tensor's resolution, batched
 * [B, 3, 3]; T is a 4x4 rigid transform [B, 4, 4] taking points from the target camera frame to
 * the source camera frame (x_s = R x_t + t).
 *
 * `warp` samples bilinearly with tf.gather on flattened indices: gatherND has no gradient in
 * tfjs, gather's gradient (unsorted segment sum) does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { detached } from './losses/stopGradient';
import { requireRank, requireShape } from './losses/tensorChecks';
import { UsageError } from '../errors';

export const MIN_DEPTH = 0.1;
export const MAX_DEPTH = 100;
const EPS = 1e-7;

/**
 * Sigmoid disparity -> depth: scaledDisp = 1/max + (1/min - 1/max) * disp, depth = 1/scaledDisp.
 * disp = 0 gives maxDepth, disp = 1 gives minDepth.
 */
export function dispToDepth(
  disp: tf.Tensor4D,
  minDepth = MIN_DEPTH,
  maxDepth = MAX_DEPTH,
): { scaledDisp: tf.Tensor4D; depth: tf.Tensor4D } {
  if (!(minDepth > 0 && maxDepth > minDepth)) {
    throw new UsageError(`dispToDepth: need 0 < minDepth < maxDepth, got ${minDepth}, ${maxDepth}`);
  }
  return tf.tidy(() => {
    const minDisp = 1 / maxDepth;
    const maxDisp = 1 / minDepth;
    const scaledDisp = tf.add(tf.mul(disp, maxDisp - minDisp), minDisp) as tf.Tensor4D;
    return { scaledDisp, depth: tf.div(1, scaledDisp) as tf.Tensor4D };
  });
}

/** dispToDepth on plain arrays: sigmoid disparity values -> depth in metres. */
export function disparityToDepth(disp: ArrayLike<number>, minDepth = MIN_DEPTH, maxDepth = MAX_DEPTH): Float32Array {
  const lo = 1 / maxDepth;
  const hi = 1 / minDepth;
  const out = new Float32Array(disp.length);
  for (let k = 0; k < disp.length; k++) out[k] = 1 / (lo + (hi - lo) * disp[k]!);
  return out;
}

/**
 * Inverse of pinhole intrinsics [[fx, s, cx], [0, fy, cy], [0, 0, 1]] (the last row must be
 * 0 0 1, not checked), computed in closed form with tensor ops: [B, 3, 3] -> [B, 3, 3].
 */
export function invertIntrinsics(K: tf.Tensor3D): tf.Tensor3D {
  requireShape('invertIntrinsics', 'K', K, [null, 3, 3]);
  return tf.tidy(() => {
    const b = K.shape[0];
    const at = (r: number, c: number): tf.Tensor1D => tf.reshape(tf.slice(K, [0, r, c], [b, 1, 1]), [b]);
    const fx = at(0, 0);
    const s = at(0, 1);
    const cx = at(0, 2);
    const fy = at(1, 1);
    const cy = at(1, 2);
    const zero = tf.zeros([b]);
    const one = tf.ones([b]);
    const fxfy = tf.mul(fx, fy);
    const row0 = [tf.div(1, fx), tf.neg(tf.div(s, fxfy)), tf.div(tf.sub(tf.mul(s, cy), tf.mul(cx, fy)), fxfy)];
    const row1 = [zero, tf.div(1, fy), tf.neg(tf.div(cy, fy))];
    const row2 = [zero, zero, one];
    return tf.reshape(tf.stack([...row0, ...row1, ...row2], 1), [b, 3, 3]) as tf.Tensor3D;
  });
}

/** Homogeneous pixel grid [3, H*W]: rows x (column), y (row), 1; row-major pixel order. */
function pixelGrid(height: number, width: number): tf.Tensor2D {
  const n = height * width;
  const grid = new Float32Array(3 * n);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const i = v * width + u;
      grid[i] = u;
      grid[n + i] = v;
      grid[2 * n + i] = 1;
    }
  }
  return tf.tensor2d(grid, [3, n]);
}

/** Depth [B, H, W, 1] and K^-1 [B, 3, 3] -> camera points [B, 3, H*W] (X, Y, Z rows). */
export function backproject(depth: tf.Tensor4D, invK: tf.Tensor3D): tf.Tensor3D {
  requireRank('backproject', 'depth', depth, 4);
  const [b, h, w] = depth.shape;
  requireShape('backproject', 'depth', depth, [b, h, w, 1]);
  requireShape('backproject', 'invK', invK, [b, 3, 3]);
  return tf.tidy(() => {
    const rays = tf.matMul(invK, tf.reshape(pixelGrid(h, w), [1, 3, h * w])); // [B,3,N], batch broadcast
    return tf.mul(rays, tf.reshape(depth, [b, 1, h * w])) as tf.Tensor3D;
  });
}

export interface Projection {
  /** Pixel coordinates [B, 2, N]: row 0 x (column), row 1 y (row). */
  pixels: tf.Tensor3D;
  /** Depth of each point in the projecting camera, [B, 1, N]. */
  z: tf.Tensor3D;
}

/** Camera points [B, 3, N] -> pixels of the camera K after the rigid transform T: K (R p + t). */
export function project(points: tf.Tensor3D, K: tf.Tensor3D, T: tf.Tensor3D): Projection {
  requireShape('project', 'points', points, [null, 3, null]);
  const b = points.shape[0];
  requireShape('project', 'K', K, [b, 3, 3]);
  requireShape('project', 'T', T, [b, 4, 4]);
  return tf.tidy(() => {
    const R = tf.slice(T, [0, 0, 0], [b, 3, 3]);
    const t = tf.slice(T, [0, 0, 3], [b, 3, 1]);
    const cam = tf.add(tf.matMul(R, points), t);
    const p = tf.matMul(K, cam); // [B,3,N]
    const n = points.shape[2];
    const z = tf.slice(p, [0, 2, 0], [b, 1, n]);
    const pixels = tf.div(tf.slice(p, [0, 0, 0], [b, 2, n]), tf.add(z, EPS)) as tf.Tensor3D;
    return { pixels, z: tf.slice(cam, [0, 2, 0], [b, 1, n]) as tf.Tensor3D };
  });
}

/**
 * Rotation matrices [B, 3, 3] from axis-angle vectors [B, 3] (Rodrigues):
 *   R = cos(a) I + (1 - cos(a)) k k^T + sin(a) [k]x,  a = |v|, k = v / a.
 * |v| is computed as sqrt(|v|^2 + 1e-12) so the gradient stays finite at v = 0.
 */
export function rotationFromAxisAngle(axisAngle: tf.Tensor2D): tf.Tensor3D {
  requireShape('rotationFromAxisAngle', 'axisAngle', axisAngle, [null, 3]);
  return tf.tidy(() => {
    const b = axisAngle.shape[0];
    const angle = tf.sqrt(tf.add(tf.sum(tf.square(axisAngle), 1, true), 1e-12)); // [B,1]
    const k = tf.div(axisAngle, angle);
    const [kx, ky, kz] = tf.split(k, 3, 1).map((c) => tf.reshape(c, [b]));
    const cos = tf.reshape(tf.cos(angle), [b]);
    const sin = tf.reshape(tf.sin(angle), [b]);
    const c1 = tf.sub(1, cos);
    const entry = (kk: tf.Tensor, diag: boolean, cross: tf.Tensor | null, sign: number): tf.Tensor => {
      let e = tf.mul(c1, kk);
      if (diag) e = tf.add(e, cos);
      if (cross) e = sign > 0 ? tf.add(e, tf.mul(sin, cross)) : tf.sub(e, tf.mul(sin, cross));
      return e;
    };
    const entries = [
      entry(tf.mul(kx, kx), true, null, 0),
      entry(tf.mul(kx, ky), false, kz, -1),
      entry(tf.mul(kx, kz), false, ky, +1),
      entry(tf.mul(ky, kx), false, kz, +1),
      entry(tf.mul(ky, ky), true, null, 0),
      entry(tf.mul(ky, kz), false, kx, -1),
      entry(tf.mul(kz, kx), false, ky, -1),
      entry(tf.mul(kz, ky), false, kx, +1),
      entry(tf.mul(kz, kz), true, null, 0),
    ];
    return tf.reshape(tf.stack(entries, 1), [b, 3, 3]) as tf.Tensor3D;
  });
}

/**
 * 4x4 transforms [B, 4, 4] from the pose network's 6-DoF output: axis-angle [B, 3] and
 * translation [B, 3]. Not inverted: x' = R x + t. Inverted (`invert`, used when the network saw
 * the frames in the other order): x' = R^T (x - t), the exact inverse.
 */
export function transformFromParameters(
  axisAngle: tf.Tensor2D,
  translation: tf.Tensor2D,
  invert = false,
): tf.Tensor3D {
  requireShape('transformFromParameters', 'axisAngle', axisAngle, [null, 3]);
  const b = axisAngle.shape[0];
  requireShape('transformFromParameters', 'translation', translation, [b, 3]);
  return tf.tidy(() => {
    let R = rotationFromAxisAngle(axisAngle);
    let t = tf.reshape(translation, [b, 3, 1]);
    if (invert) {
      R = tf.transpose(R, [0, 2, 1]);
      t = tf.neg(tf.matMul(R, t));
    }
    const top = tf.concat([R, t], 2); // [B,3,4]
    const bottom = tf.tile(tf.tensor3d([0, 0, 0, 1], [1, 1, 4]), [b, 1, 1]);
    return tf.concat([top, bottom], 1) as tf.Tensor3D;
  });
}

/**
 * Bilinear sampling of `image` [B, H, W, C] at pixel coordinates `pixels` [B, 2, N]
 * (N = H * W, row-major over the output). Coordinates are clamped to the image (border
 * padding, as monodepth2's grid_sample); `valid` [B, H, W, 1] is 1 where the coordinate lay
 * inside [0, W-1] x [0, H-1] before clamping.
 */
export function bilinearSample(
  image: tf.Tensor4D,
  pixels: tf.Tensor3D,
): { sampled: tf.Tensor4D; valid: tf.Tensor4D } {
  requireRank('bilinearSample', 'image', image, 4);
  const [b, h, w, c] = image.shape;
  const n = h * w;
  requireShape('bilinearSample', 'pixels', pixels, [b, 2, n]);
  return tf.tidy(() => {
    const x = tf.reshape(tf.slice(pixels, [0, 0, 0], [b, 1, n]), [b, n]);
    const y = tf.reshape(tf.slice(pixels, [0, 1, 0], [b, 1, n]), [b, n]);
    // A constant for the gradient (comparisons have no gradient in tfjs).
    const inside = detached(() =>
      tf.logicalAnd(
        tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, w - 1)),
        tf.logicalAnd(tf.greaterEqual(y, 0), tf.lessEqual(y, h - 1)),
      ),
    );
    const xc = tf.clipByValue(x, 0, w - 1);
    const yc = tf.clipByValue(y, 0, h - 1);
    // Integer corners are constants for the gradient (it reaches x, y through the weights).
    const x0 = detached(() => tf.floor(xc));
    const y0 = detached(() => tf.floor(yc));
    const wx = tf.sub(xc, x0);
    const wy = tf.sub(yc, y0);
    const x0i = tf.cast(x0, 'int32');
    const y0i = tf.cast(y0, 'int32');
    // Integer index arithmetic needs int32 scalars: a JS number would upcast to float32.
    const int = (v: number): tf.Scalar => tf.scalar(v, 'int32');
    const x1i = tf.minimum(tf.add(x0i, int(1)), int(w - 1));
    const y1i = tf.minimum(tf.add(y0i, int(1)), int(h - 1));
    const base = tf.reshape(tf.mul(tf.range(0, b, 1, 'int32'), int(n)), [b, 1]);
    const flat = tf.reshape(image, [b * n, c]);
    const pick = (yi: tf.Tensor, xi: tf.Tensor): tf.Tensor =>
      tf.reshape(tf.gather(flat, tf.reshape(tf.add(base, tf.add(tf.mul(yi, int(w)), xi)), [-1])), [b, n, c]);
    const ax = tf.expandDims(wx, 2);
    const ay = tf.expandDims(wy, 2);
    const bx = tf.sub(1, ax);
    const by = tf.sub(1, ay);
    const sampled = tf.addN([
      tf.mul(pick(y0i, x0i), tf.mul(bx, by)),
      tf.mul(pick(y0i, x1i), tf.mul(ax, by)),
      tf.mul(pick(y1i, x0i), tf.mul(bx, ay)),
      tf.mul(pick(y1i, x1i), tf.mul(ax, ay)),
    ]);
    return {
      sampled: tf.reshape(sampled, [b, h, w, c]) as tf.Tensor4D,
      valid: tf.reshape(tf.cast(inside, 'float32'), [b, h, w, 1]) as tf.Tensor4D,
    };
  });
}

/**
 * Warps a source frame into the target view: each target pixel is back-projected with its
 * depth, moved by T (target -> source), projected with K and the source sampled there.
 * Returns the warped image [B, H, W, C] and `valid` [B, H, W, 1] (1 where the point lands
 * inside the source image in front of the camera). `invK` defaults to the closed-form inverse
 * of the pinhole K.
 */
export function warp(
  source: tf.Tensor4D,
  depthTarget: tf.Tensor4D,
  K: tf.Tensor3D,
  T: tf.Tensor3D,
  invK?: tf.Tensor3D,
): { warped: tf.Tensor4D; valid: tf.Tensor4D } {
  requireRank('warp', 'source', source, 4);
  const [b, h, w] = source.shape;
  requireShape('warp', 'depthTarget', depthTarget, [b, h, w, 1]);
  requireShape('warp', 'K', K, [b, 3, 3]);
  requireShape('warp', 'T', T, [b, 4, 4]);
  if (invK) requireShape('warp', 'invK', invK, [b, 3, 3]);
  return tf.tidy(() => {
    const points = backproject(depthTarget, invK ?? invertIntrinsics(K));
    const { pixels, z } = project(points, K, T);
    const { sampled, valid } = bilinearSample(source, pixels);
    const inFront = detached(() => tf.reshape(tf.cast(tf.greater(z, EPS), 'float32'), [b, h, w, 1]));
    return { warped: sampled, valid: tf.mul(valid, inFront) as tf.Tensor4D };
  });
}
