import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  backproject,
  dispToDepth,
  invertIntrinsics,
  project,
  rotationFromAxisAngle,
  transformFromParameters,
  warp,
} from '../../src/core/ml/geometry';
import { expectClose, expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

/** Pinhole intrinsics [1, 3, 3]. */
const intrinsics = (fx: number, fy: number, cx: number, cy: number): tf.Tensor3D =>
  tf.tensor3d([fx, 0, cx, 0, fy, cy, 0, 0, 1], [1, 3, 3]);
const translation = (tx: number, ty: number, tz: number): tf.Tensor3D =>
  tf.tensor3d([1, 0, 0, tx, 0, 1, 0, ty, 0, 0, 1, tz, 0, 0, 0, 1], [1, 4, 4]);
const identityPose = (): tf.Tensor3D => translation(0, 0, 0);

// A 3x5 image with distinct values: pixel (v, u) = 10 v + u
const H = 3;
const W = 5;
const image = tf.tensor4d(
  Array.from({ length: H * W }, (_, k) => 10 * Math.floor(k / W) + (k % W)),
  [1, H, W, 1],
);
const plane = (z: number): tf.Tensor4D => tf.fill([1, H, W, 1], z) as tf.Tensor4D;
const K = intrinsics(4, 4, 2, 1);

describe('dispToDepth', () => {
  it('maps sigmoid 0 -> 100 m, 1 -> 0.1 m, 0.5 -> 1 / (0.01 + 9.99 * 0.5)', () => {
    const { scaledDisp, depth } = dispToDepth(tf.tensor4d([0, 1, 0.5], [1, 1, 3, 1]));
    expectClose(values(scaledDisp), [0.01, 10, 0.01 + 9.99 * 0.5], 1e-5);
    expectClose(values(depth), [100, 0.1, 1 / 5.005], 1e-4);
  });
});

describe('camera model', () => {
  it('inverts pinhole intrinsics (with skew)', () => {
    const k = tf.tensor3d([500, 2, 320, 0, 480, 240, 0, 0, 1], [1, 3, 3]);
    expectClose(values(tf.matMul(k, invertIntrinsics(k))), [1, 0, 0, 0, 1, 0, 0, 0, 1], 2e-5);
  });

  it('back-projects pixels to camera points by hand', () => {
    // fx = fy = 4, cx = 2, cy = 1, depth 2: pixel (u=0, v=0) -> X = (0-2)/4*2 = -1, Y = (0-1)/4*2 = -0.5
    const points = values(backproject(plane(2), invertIntrinsics(K)));
    const n = H * W;
    expectClose([points[0]!, points[n]!, points[2 * n]!], [-1, -0.5, 2], 1e-6);
    // pixel (u=4, v=2), index 14 -> X = 1, Y = 0.5
    expectClose([points[14]!, points[n + 14]!, points[2 * n + 14]!], [1, 0.5, 2], 1e-6);
  });

  it('projects back-projected points onto their own pixels', () => {
    const depth = tf.tensor4d(Array.from({ length: H * W }, (_, k) => 1 + k / 7), [1, H, W, 1]);
    const { pixels, z } = project(backproject(depth, invertIntrinsics(K)), K, identityPose());
    const p = values(pixels);
    const n = H * W;
    expectClose(p.slice(0, n), Array.from({ length: n }, (_, k) => k % W), 1e-5);
    expectClose(p.slice(n), Array.from({ length: n }, (_, k) => Math.floor(k / W)), 1e-5);
    expectClose(values(z), values(depth), 1e-5);
  });
});

describe('rotations and transforms', () => {
  it('turns 90 degrees about z by hand', () => {
    const r = rotationFromAxisAngle(tf.tensor2d([0, 0, Math.PI / 2], [1, 3]));
    expectClose(values(r), [0, -1, 0, 1, 0, 0, 0, 0, 1], 1e-6);
  });

  it('is the identity for a zero vector (with a finite gradient there)', () => {
    const zero = tf.zeros([1, 3]) as tf.Tensor2D;
    expectClose(values(rotationFromAxisAngle(zero)), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-6);
    const g = values(tf.grad((v: tf.Tensor) => tf.sum(rotationFromAxisAngle(v as tf.Tensor2D)))(zero));
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it('gives orthonormal rotations, and the inverted transform undoes the plain one', () => {
    const aa = tf.tensor2d([0.3, -0.2, 0.5, -0.1, 0.05, 0.02], [2, 3]);
    const t = tf.tensor2d([0.5, -1, 2, 0.1, 0.2, -0.3], [2, 3]);
    const r = rotationFromAxisAngle(aa);
    expectClose(values(tf.matMul(r, r, false, true)), [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-6);
    const T = transformFromParameters(aa, t);
    const Tinv = transformFromParameters(aa, t, true);
    const eye4 = Array.from({ length: 16 }, (_, k) => (k % 5 === 0 ? 1 : 0));
    expectClose(values(tf.matMul(T, Tinv)), [...eye4, ...eye4], 1e-6);
    // plain transform: x' = R x + t, so its last column is t
    const m = values(T);
    expectClose([m[3]!, m[7]!, m[11]!, m[15]!], [0.5, -1, 2, 1], 1e-6);
  });
});

describe('warp', () => {
  it('reproduces the image with the identity pose', () => {
    const { warped, valid } = warp(image, plane(3), K, identityPose());
    expectClose(values(warped), values(image), 1e-4);
    expect(values(valid)).toEqual(new Array(H * W).fill(1));
  });

  it('shifts a fronto-parallel plane by fx * tx / Z pixels (hand computed)', () => {
    // Z = 2, fx = 4, tx = 0.5 -> source x = u + 4 * 0.5 / 2 = u + 1: warped(v, u) = image(v, u + 1)
    const { warped, valid } = warp(image, plane(2), K, translation(0.5, 0, 0));
    const w = values(warped);
    const v = values(valid);
    for (let row = 0; row < H; row++) {
      for (let u = 0; u < W; u++) {
        const k = row * W + u;
        if (u + 1 <= W - 1) {
          expect(w[k]).toBeCloseTo(10 * row + u + 1, 4);
          expect(v[k]).toBe(1);
        } else {
          expect(v[k]).toBe(0); // lands outside the source
          expect(w[k]).toBeCloseTo(10 * row + W - 1, 4); // border value
        }
      }
    }
  });

  it('interpolates a half-pixel shift bilinearly, along y too', () => {
    // tx = 0.25 -> shift 0.5 px in x: the mean of two neighbours
    const wx = values(warp(image, plane(2), K, translation(0.25, 0, 0)).warped);
    expect(wx[0]).toBeCloseTo(0.5, 4);
    expect(wx[W + 2]).toBeCloseTo(12.5, 4);
    // ty = 0.5 with fy = 4, Z = 2 -> shift 1 row down: warped(v, u) = image(v + 1, u)
    const wy = values(warp(image, plane(2), K, translation(0, 0.5, 0)).warped);
    expect(wy[3]).toBeCloseTo(13, 4);
    expect(wy[W + 1]).toBeCloseTo(21, 4);
  });

  it('passes finite, non-zero gradients to depth and pose', () => {
    const target = tf.tensor4d(Array.from({ length: H * W }, (_, k) => (k * 7) % 11), [1, H, W, 1]);
    const loss = (depth: tf.Tensor, aa: tf.Tensor, t: tf.Tensor): tf.Scalar => {
      const T = transformFromParameters(aa as tf.Tensor2D, t as tf.Tensor2D);
      const { warped } = warp(image, depth as tf.Tensor4D, K, T);
      return tf.sum(tf.abs(tf.sub(warped, target)));
    };
    const depth = tf.tensor4d(Array.from({ length: H * W }, (_, k) => 2 + 0.05 * k), [1, H, W, 1]);
    const aa = tf.tensor2d([0.01, 0.02, -0.01], [1, 3]);
    const t = tf.tensor2d([0.3, 0.1, 0.05], [1, 3]);
    const [gd, ga, gt] = tf.grads(loss)([depth, aa, t]);
    for (const g of [gd!, ga!, gt!]) {
      const v = values(g);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(v.some((x) => x !== 0)).toBe(true);
    }
    expectNoLeak(() => tf.grads(loss)([depth, aa, t]));
  });

  it('gives the translation gradient that finite differences give', () => {
    // shift = fx * tx / Z = 2 tx px: at tx = 0.3 every sample sits inside one pixel cell, where
    // the warped image is linear in tx
    const depth = plane(2);
    const weights = tf.tensor4d(Array.from({ length: H * W }, (_, k) => ((k * 5) % 7) - 3), [1, H, W, 1]);
    const loss = (tx: tf.Tensor): tf.Scalar => {
      const t = tf.concat([tx, tf.zeros([1, 2])], 1) as tf.Tensor2D;
      const T = transformFromParameters(tf.zeros([1, 3]) as tf.Tensor2D, t);
      return tf.sum(tf.mul(warp(image, depth, K, T).warped, weights));
    };
    const at = (v: number): number => tf.tidy(() => loss(tf.tensor2d([[v]])).dataSync()[0]!);
    const h = 0.01;
    const numeric = (at(0.3 + h) - at(0.3 - h)) / (2 * h);
    const analytic = values(tf.grad(loss)(tf.tensor2d([[0.3]])))[0]!;
    expect(Math.abs(numeric)).toBeGreaterThan(1);
    expect(analytic).toBeCloseTo(numeric, 2);
  });

  it('leaves no tensors behind and checks shapes', () => {
    const [depth, T, disp] = [plane(2), translation(0.25, 0, 0), plane(0.5)];
    expectNoLeak(() => warp(image, depth, K, T));
    expectNoLeak(() => dispToDepth(disp));
    expect(() => warp(image, tf.zeros([1, H, W + 1, 1]) as tf.Tensor4D, K, identityPose())).toThrow(
      /depthTarget must have shape \[1, 3, 5, 1\]/,
    );
    expect(() => warp(image, plane(2), tf.zeros([3, 3]) as unknown as tf.Tensor3D, identityPose())).toThrow(/K must/);
  });
});
