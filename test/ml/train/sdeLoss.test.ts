/**
 * The batched SDE loss against the same computation done scale by scale with the separately
 * tested pieces (warp, minimumReprojection, edgeAwareSmoothness): value and gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dispToDepth, transformFromParameters, warp } from '../../../src/core/ml/geometry';
import { minimumReprojection } from '../../../src/core/ml/losses/photometric';
import { edgeAwareSmoothness } from '../../../src/core/ml/losses/smoothness';
import { sdeLoss, SMOOTHNESS_WEIGHT } from '../../../src/core/ml/train/sdeLoss';
import { startWasm } from '../../engine/setup';

beforeAll(startWasm);

const B = 2;
const H = 16;
const W = 32;

function smoothImage(seed: number): tf.Tensor4D {
  const v = new Float32Array(B * H * W * 3);
  for (let i = 0; i < v.length; i++) v[i] = 0.5 + 0.4 * Math.sin(i * 0.13 * (seed + 1) + (i % 5));
  return tf.tensor4d(v, [B, H, W, 3]);
}

function setup() {
  const disps = [0, 1, 2, 3].map((s) => tf.randomUniform([B, H >> s, W >> s, 1], 0.05, 0.6, 'float32', 10 + s) as tf.Tensor4D);
  const target = smoothImage(0);
  const sources = [smoothImage(1), smoothImage(2)];
  const transforms = [
    transformFromParameters(tf.tensor2d([0.01, -0.02, 0.005, 0.003, -0.01, 0], [B, 3]), tf.tensor2d([0.05, 0.01, -0.3, 0.04, 0, -0.25], [B, 3])),
    transformFromParameters(tf.tensor2d([-0.01, 0.02, 0, 0.01, 0, 0.01], [B, 3]), tf.tensor2d([-0.02, 0, 0.3, 0.01, 0.02, 0.28], [B, 3]), true),
  ];
  const K = tf.tensor3d([20, 0, 15.5, 0, 20, 7.5, 0, 0, 1, 18, 0, 16, 0, 18, 8, 0, 0, 1], [B, 3, 3]);
  const keep = tf.tensor4d(Float32Array.from({ length: B * H * W }, (_, i) => (Math.floor(i / W) % H < H - 3 ? 1 : 0)), [B, H, W, 1]);
  return { disps, target, sources, transforms, K, keep };
}

function referenceLoss(disps: tf.Tensor4D[], s: ReturnType<typeof setup>): tf.Scalar {
  const zeros = (shape: [number, number, number, number]) => tf.zeros(shape) as tf.Tensor4D;
  const perScale = disps.map((d, k) => {
    const full = k === 0 ? d : (tf.image.resizeBilinear(d, [H, W]) as tf.Tensor4D);
    const { depth } = dispToDepth(full);
    const warped = s.sources.map((src, i) => warp(src, depth, s.K, s.transforms[i]!).warped);
    const r = minimumReprojection(s.target, warped, { identitySources: s.sources, noise: zeros, mask: s.keep });
    const img = k === 0 ? s.target : (tf.image.resizeBilinear(s.target, [d.shape[1], d.shape[2]]) as tf.Tensor4D);
    return tf.add(r.loss, tf.mul(edgeAwareSmoothness(d, img), SMOOTHNESS_WEIGHT / 2 ** k));
  });
  return tf.div(tf.addN(perScale), perScale.length) as tf.Scalar;
}

describe('sdeLoss', () => {
  it('equals the scale-by-scale computation, value and gradient', () => {
    const s = setup();
    const zeros = (shape: [number, number, number, number]) => tf.zeros(shape) as tf.Tensor4D;
    const batched = (d: tf.Tensor4D[]) => sdeLoss({ disps: d, target: s.target, sources: s.sources, transforms: s.transforms, K: s.K, keepMask: s.keep, noise: zeros }).loss;
    const a = batched(s.disps).dataSync()[0]!;
    const b = referenceLoss(s.disps, s).dataSync()[0]!;
    expect(a).toBeGreaterThan(0.01);
    expect(Math.abs(a - b)).toBeLessThan(1e-5 * Math.max(1, b));
    const ga = tf.grads((...d: tf.Tensor[]) => batched(d as tf.Tensor4D[]))(s.disps);
    const gb = tf.grads((...d: tf.Tensor[]) => referenceLoss(d as tf.Tensor4D[], s))(s.disps);
    ga.forEach((g, k) => {
      const scale = tf.max(tf.abs(gb[k]!)).dataSync()[0]!;
      expect(scale).toBeGreaterThan(0);
      expect(tf.max(tf.abs(tf.sub(g, gb[k]!))).dataSync()[0]!).toBeLessThan(1e-3 * scale);
    });
  });

  it('reports one reprojection and one smoothness term per scale and rejects mismatched sources', () => {
    const s = setup();
    const r = sdeLoss({ disps: s.disps, target: s.target, sources: s.sources, transforms: s.transforms, K: s.K });
    expect(r.reprojection).toHaveLength(4);
    expect(r.smoothness).toHaveLength(4);
    expect(() => sdeLoss({ disps: s.disps, target: s.target, sources: s.sources, transforms: [s.transforms[0]!], K: s.K })).toThrow(/one transform per source/);
  });

  it('auto-masking never raises the loss: identity errors only join the minimum', () => {
    const s = setup();
    const zeros = (shape: [number, number, number, number]) => tf.zeros(shape) as tf.Tensor4D;
    const masked = sdeLoss({ disps: s.disps, target: s.target, sources: s.sources, transforms: s.transforms, K: s.K, noise: zeros }).loss.dataSync()[0]!;
    const plain = sdeLoss({ disps: s.disps, target: s.target, sources: s.sources, transforms: s.transforms, K: s.K, noAutoMask: true }).loss.dataSync()[0]!;
    expect(masked).toBeLessThanOrEqual(plain + 1e-7);
  });
});
