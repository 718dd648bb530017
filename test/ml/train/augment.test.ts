/** Crop/flip augmentation moves intrinsics exactly with the pixels; labels stay hard. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentIntrinsics, cropBatch, cropLabels, gaussianBlur, jitterColours, sampleGeometric, type GeometricAug } from '../../../src/core/ml/train/augment';
import { createRng } from '../../../src/core/random';
import { startWasm } from '../../engine/setup';

beforeAll(startWasm);

const H = 32;
const W = 64;

/** An image whose channels hold each pixel's own x and y: a crop then tells where each output pixel came from. */
function coordinateImage(): tf.Tensor4D {
  const v = new Float32Array(H * W * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) v.set([x, y, 0], (y * W + x) * 3);
  return tf.tensor4d(v, [1, H, W, 3]);
}

describe('geometric augmentation', () => {
  const k = { fx: 40, fy: 42, cx: 30.5, cy: 14, width: W, height: H };
  const cases: Array<[string, GeometricAug]> = [
    ['identity', { box: [0, 0, 1, 1], flip: false }],
    ['crop', { box: [0.1, 0.2, 0.7, 0.8], flip: false }],
    ['flip', { box: [0, 1, 1, 0], flip: true }],
    ['crop + flip', { box: [0.25, 0.65, 0.85, 0.05], flip: true }],
  ];
  it.each(cases)('%s: the new intrinsics give every output pixel the ray of the source pixel it shows', (_, aug) => {
    const src = cropBatch(coordinateImage(), [aug.box], 'bilinear').dataSync();
    const k2 = augmentIntrinsics(k, aug, W, H);
    expect(k2.fx).toBeGreaterThan(0);
    let worst = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const xs = src[(y * W + x) * 3]!;
        const ys = src[(y * W + x) * 3 + 1]!;
        // A flip mirrors the world (X -> -X): the ray's x component changes sign.
        const rayX = ((x - k2.cx) / k2.fx) * (aug.flip ? -1 : 1);
        const rayY = (y - k2.cy) / k2.fy;
        worst = Math.max(worst, Math.abs(rayX - (xs - k.cx) / k.fx), Math.abs(rayY - (ys - k.cy) / k.fy));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('keeps labels hard: a cropped label map holds only values of the original', () => {
    const v = new Int32Array(H * W).map((_, i) => [0, 7, 13, 255][(i * 7 + (i >> 6)) % 4]!);
    const rng = createRng(3);
    const boxes = [0, 1, 2].map(() => sampleGeometric(rng, { minScale: 0.5, flip: true }).box);
    const out = cropLabels(tf.tensor3d(Int32Array.from([...v, ...v, ...v]), [3, H, W], 'int32'), boxes);
    expect(out.dtype).toBe('int32');
    expect(new Set(out.dataSync())).toEqual(new Set([0, 7, 13, 255]));
  });

  it('samples crops inside the image with sides of at least minScale', () => {
    const rng = createRng(5);
    for (let i = 0; i < 200; i++) {
      const { box, flip } = sampleGeometric(rng, { minScale: 0.6, flip: true });
      const [y1, xa, y2, xb] = box;
      expect(Math.min(y1, xa, y2, xb)).toBeGreaterThanOrEqual(0);
      expect(Math.max(y1, xa, y2, xb)).toBeLessThanOrEqual(1 + 1e-12);
      expect(y2 - y1).toBeGreaterThanOrEqual(0.6 - 1e-12);
      expect(Math.abs(xb - xa)).toBeCloseTo(y2 - y1, 12);
      expect(xb < xa).toBe(flip);
    }
  });
});

describe('photometric augmentation', () => {
  it('leaves images alone with unit factors and keeps them in [0, 1]', () => {
    const x = tf.randomUniform([2, 4, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const same = jitterColours(x, [{ brightness: 1, contrast: 1, saturation: 1 }, { brightness: 1, contrast: 1, saturation: 1 }]);
    expect(tf.max(tf.abs(tf.sub(same, x))).dataSync()[0]).toBeLessThan(1e-6);
    const strong = jitterColours(x, [{ brightness: 1.5, contrast: 1.5, saturation: 0 }, { brightness: 0.5, contrast: 0.5, saturation: 2 }]);
    expect(tf.min(strong).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(strong).dataSync()[0]).toBeLessThanOrEqual(1);
    // saturation 0: every pixel grey
    const grey = tf.slice(strong, 0, 1);
    expect(tf.max(tf.sub(tf.max(grey, 3), tf.min(grey, 3))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it('blurs with normalised Gaussian taps: a constant image stays, an impulse spreads and keeps its sum', () => {
    const c = tf.fill([1, 6, 7, 3], 0.4) as tf.Tensor4D;
    expect(tf.max(tf.abs(tf.sub(gaussianBlur(c, 1), 0.4))).dataSync()[0]).toBeLessThan(1e-6);
    const v = new Float32Array(9 * 9);
    v[4 * 9 + 4] = 1;
    const b = gaussianBlur(tf.tensor4d(v, [1, 9, 9, 1]), 1).dataSync();
    expect(Array.from(b).reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
    expect(b[4 * 9 + 4]!).toBeLessThan(0.2);
    expect(b[4 * 9 + 5]!).toBeCloseTo(b[5 * 9 + 4]!, 6);
  });
});
