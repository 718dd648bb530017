/**
 * The wasm Slice, SplitV and GatherV2 replacements against the cpu backend, exactly (they only move
 * values): every rank 1..5, boxes touching and not touching the borders, whole inner axes
 * (merged runs) and partial ones, int32 and float32, and a slice's gradient (Pad).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random';
import { on, startWasm } from './setup';

beforeAll(startWasm);

function randomBox(shape: number[], seed: number): { begin: number[]; size: number[] } {
  const rng = createRng(seed);
  const begin = shape.map((n) => rng.int(n));
  const size = shape.map((n, d) => (rng.next() < 0.4 ? n - begin[d]! : 1 + rng.int(n - begin[d]!)));
  return { begin, size };
}

const shapes = [[7], [5, 9], [3, 6, 8], [2, 5, 7, 3], [2, 3, 4, 5, 2]];

describe('Slice on wasm', () => {
  it.each(shapes.map((s) => [s.join('x'), s] as const))('matches cpu on random boxes of a %s tensor', async (_, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    for (let seed = 1; seed <= 12; seed++) {
      const { begin, size } = randomBox(shape, seed);
      for (const dtype of ['float32', 'int32'] as const) {
        const run = () => tf.slice(tf.tensor(Array.from({ length: n }, (_, i) => i * 3 - 7), shape, dtype), begin, size);
        const [w] = await on('wasm', run);
        const [c] = await on('cpu', run);
        expect(Array.from(w!), `begin ${begin} size ${size} ${dtype}`).toEqual(Array.from(c!));
      }
    }
  });

  it('takes whole inner axes as one run and an empty box as empty', async () => {
    const run = () => [tf.slice(tf.reshape(tf.range(0, 120), [2, 3, 4, 5]), [1, 1, 0, 0], [1, 2, 4, 5]), tf.slice(tf.reshape(tf.range(0, 12), [3, 4]), [1, 0], [0, 4])];
    const [w, e] = await on('wasm', run);
    expect(Array.from(w!)).toEqual(Array.from({ length: 40 }, (_, i) => 80 + i));
    expect(e!.length).toBe(0);
  });

  it("gives the same gradient as cpu (the slice's gradient pads)", async () => {
    const x = Array.from({ length: 2 * 6 * 5 * 3 }, (_, i) => Math.sin(i));
    const run = () => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.slice(t, [0, 1, 2, 0], [2, 4, 2, 3]))))(tf.tensor(x, [2, 6, 5, 3]));
    const [w] = await on('wasm', run);
    const [c] = await on('cpu', run);
    expect(Array.from(w!)).toEqual(Array.from(c!));
  });
});

describe('SplitV on wasm', () => {
  it.each([0, 1, 2, 3])('matches cpu along axis %i, equal and unequal parts', async (axis) => {
    const shape = [4, 6, 6, 2];
    const n = shape.reduce((a, b) => a * b, 1);
    const unequal = shape[axis]! >= 4 ? [[1, 3, 0, shape[axis]! - 4]] : [[1, 0, 1]];
    for (const parts of [2, ...unequal]) {
      const run = () => tf.split(tf.tensor(Array.from({ length: n }, (_, i) => i), shape), parts as number | number[], axis);
      const w = await on('wasm', run);
      const c = await on('cpu', run);
      expect(w.map((v) => Array.from(v))).toEqual(c.map((v) => Array.from(v)));
    }
  });
});

describe('GatherV2 on wasm', () => {
  it.each([0, 1, 2])('matches cpu along axis %i, small and large rows, repeated indices', async (axis) => {
    for (const shape of [[5, 4, 3], [6, 3, 20]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const idx = [0, shape[axis]! - 1, 1, 1, 0];
      const run = () => [
        tf.gather(tf.tensor(Array.from({ length: n }, (_, i) => i * 0.5 - 3), shape), tf.tensor1d(idx, 'int32'), axis),
        tf.gather(tf.tensor(Array.from({ length: n }, (_, i) => i), shape, 'int32'), tf.tensor2d([idx.slice(0, 2), idx.slice(2, 4)], [2, 2], 'int32'), axis),
      ];
      const w = await on('wasm', run);
      const c = await on('cpu', run);
      expect(w.map((v) => Array.from(v))).toEqual(c.map((v) => Array.from(v)));
    }
  });

  it('names an index out of range', async () => {
    await expect(on('wasm', () => tf.gather(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([0, 2], 'int32')))).rejects.toThrow(/index value 2 is not in \[0, 1\]/);
  });
});

describe('OneHot on wasm', () => {
  it('writes on/off values in the requested dtype, like cpu (out-of-range indices give all off)', async () => {
    for (const dtype of ['float32', 'int32'] as const) {
      const run = () => tf.oneHot(tf.tensor2d([0, 3, 2, -1, 7, 1], [2, 3], 'int32'), 4, 1, 0, dtype);
      const [w] = await on('wasm', run);
      const [c] = await on('cpu', run);
      expect(Array.from(w!), dtype).toEqual(Array.from(c!));
      expect(Array.from(w!).slice(0, 4)).toEqual([1, 0, 0, 0]);
    }
  });
});
