import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RasterU8 } from '../../src/core/data/imageIo';
import { buildDepthNet, TINY } from '../../src/core/ml/nets';
import { scoreUncertainty, trainStudent, uncertaintyScores } from '../../src/core/selection/uncertainty';
import { startWasm } from '../engine/setup';
import { SIZE } from '../ml/nets/netSetup';

const models: tfl.LayersModel[] = [];
// wasm with the engine's training kernels: a student step takes milliseconds instead of a second on cpu.
beforeAll(startWasm);
afterAll(() => models.forEach((m) => m.dispose()));

/** [1, H, W, 1] from a per-pixel function. */
function map(h: number, w: number, f: (y: number, x: number) => number): tf.Tensor4D {
  const v = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v[y * w + x] = f(y, x);
  return tf.tensor4d(v, [1, h, w, 1]);
}

describe('uncertainty score', () => {
  it('is the mean |log(1+s) - log(1+t)| without the ego rows and the dilated far pixels (by hand)', () => {
    const H = 8;
    const W = 16;
    // Image 1: teacher 0.5, one far pixel (0.05) at row 2, column 12. Its 7x7 dilation covers
    // rows 0..5 x columns 9..15 (clipped at the top and right): 42 pixels. The ego vehicle is
    // the bottom round(8 x 0.13) = 1 row: 16 pixels. Kept: 128 - 42 - 16 = 70.
    // The student says 0.2 on rows 0..1 x columns 0..3 (8 kept pixels, each |log(1.2/1.5)|),
    // 0.9 at row 3, column 12 (dilated far: left out) and 0.9 on the ego row (left out).
    const t1 = map(H, W, (y, x) => (y === 2 && x === 12 ? 0.05 : 0.5));
    const s1 = map(H, W, (y, x) => (y < 2 && x < 4 ? 0.2 : (y === 3 && x === 12) || y === 7 ? 0.9 : y === 2 && x === 12 ? 0.05 : 0.5));
    // Image 2: nothing far, the student 0.3 against 0.6 everywhere: the mean is that one value.
    const t2 = map(H, W, () => 0.6);
    const s2 = map(H, W, () => 0.3);
    // Image 3: all far, nothing kept: 0.
    const t3 = map(H, W, () => 0.01);
    const s3 = map(H, W, () => 0.8);
    const student = tf.concat([s1, s2, s3]) as tf.Tensor4D;
    const teacher = tf.concat([t1, t2, t3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const u = uncertaintyScores(student, teacher);
    const got = Array.from(u.dataSync());
    u.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(got[0]).toBeCloseTo((8 * Math.log(1.5 / 1.2)) / 70, 6);
    expect(got[1]).toBeCloseTo(Math.log(1.6 / 1.3), 6);
    expect(got[2]).toBe(0);
    tf.dispose([t1, s1, t2, s2, t3, s3, student, teacher]);
  });

  it('lets a far pixel at the border remove only the part of its 7x7 block inside the image', () => {
    // far pixel at the bottom-left corner of a 10x10 map: the block inside is rows 6..9 x
    // columns 0..3 (16 pixels); ego = round(1.3) = 1 row (10 pixels), 4 of them in the block.
    // Kept: 100 - 16 - 6 = 78. The student errs by log(1.5/1.25) on column 9 only (rows 0..8 kept: 9 pixels).
    const t = map(10, 10, (y, x) => (y === 9 && x === 0 ? 0.0 : 0.5));
    const s = map(10, 10, (y, x) => (x === 9 ? 0.25 : y === 9 && x === 0 ? 0.0 : 0.5));
    const got = uncertaintyScores(s, t).dataSync()[0]!;
    expect(got).toBeCloseTo((9 * Math.log(1.5 / 1.25)) / 78, 6);
    tf.dispose([t, s]);
  });

  it('refuses disparities of different shapes', () => {
    const a = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const b = tf.zeros([1, 4, 8, 1]) as tf.Tensor4D;
    expect(() => uncertaintyScores(a, b)).toThrow(/must both be \[B, H, W, 1\]/);
    tf.dispose([a, b]);
  });
});

/** A 32x64 street-like frame: sky band over a darker road band whose height depends on the seed. */
function frame(seed: number): RasterU8 {
  const { height, width } = SIZE;
  const data = new Uint8Array(height * width * 3);
  const horizon = 10 + (seed % 4) * 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const v = y < horizon ? 200 - y * 3 : 60 + ((x * (seed + 1) + y * 7) % 40);
      data[i] = v;
      data[i + 1] = Math.min(255, v + 10 * (seed % 3));
      data[i + 2] = 255 - v;
    }
  }
  return { height, width, channels: 3, data };
}

describe('student depth network', () => {
  it('learns the teacher on the selected frames (loss falls), then scores frames without leaking tensors', async () => {
    const teacher = buildDepthNet(TINY, SIZE, { seed: 3 });
    models.push(teacher);
    const selected = [0, 1, 2].map(frame);
    const before = tf.memory().numTensors;
    const steps: Array<[number, number]> = [];
    const { model, losses } = await trainStudent(teacher, selected, {
      config: TINY,
      steps: 12,
      batchSize: 2,
      learningRate: 3e-3,
      seed: 1,
      onStep: (step, total, loss) => {
        expect(total).toBe(12);
        steps.push([step, loss]);
      },
    });
    expect(steps.map((s) => s[0])).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(losses).toEqual(steps.map((s) => s[1]));
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-3))).toBeLessThan(0.6 * mean(losses.slice(0, 3)));

    const all = [0, 1, 2, 3, 4].map(frame);
    const u = await scoreUncertainty(model, teacher, all.length, async (i) => all[i]!, { batchSize: 2 });
    expect(u.length).toBe(5);
    expect(Array.from(u).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains the same student from the same seed', async () => {
    const teacher = buildDepthNet(TINY, SIZE, { seed: 4 });
    models.push(teacher);
    const frames = [5, 6].map(frame);
    const a = await trainStudent(teacher, frames, { config: TINY, steps: 3, seed: 9 });
    const b = await trainStudent(teacher, frames, { config: TINY, steps: 3, seed: 9 });
    expect(b.losses).toEqual(a.losses);
    a.model.dispose();
    b.model.dispose();
    await expect(trainStudent(teacher, [], { config: TINY, steps: 3, seed: 9 })).rejects.toThrow(/at least one selected frame/);
  });
});
