/**
 * MaxPoolGrad, ResizeBilinearGrad, ResizeNearestNeighborGrad and UnsortedSegmentSum (gather's
 * gradient) on wasm. Resize gradients are checked against the adjoint of the cpu backend's
 * forward resize (the resize is linear, so d sum(resize(x) * w) / d x_i = sum(resize(e_i) * w)),
 * because tfjs's cpu resize gradients are wrong for batch > 1 and non-square images (the engine
 * replaces those too, checked here).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectAllClose, maxPoolGradReference, seeded, tensor } from './reference';
import { on, startWasm } from './setup';

beforeAll(startWasm);

describe('max pooling gradient on wasm', () => {
  const cases = [
    { shape: [1, 7, 9, 3], k: 3, s: 2, pad: 'same' as const },
    { shape: [4, 6, 6, 2], k: 2, s: 2, pad: 'valid' as const },
    { shape: [4, 5, 7, 2], k: 3, s: 1, pad: 'same' as const },
    { shape: [1, 9, 8, 1], k: 3, s: 2, pad: 'valid' as const },
  ];
  it.each(cases.map((k) => [`${k.k}x${k.k} stride ${k.s} ${k.pad} on ${k.shape}`, k] as const))('%s', async (_, k) => {
    const size = k.shape.reduce((a, b) => a * b, 1);
    const info = tf.backend_util.computePool2DInfo(k.shape as [number, number, number, number], k.k, k.s, 1, k.pad);
    const dyv = seeded(k.shape[0]! * info.outHeight * info.outWidth * k.shape[3]!, 5);
    for (const [label, xv] of [
      ['distinct values', seeded(size, 3)],
      // Many ties: the gradient must go to the first maximum of each window only.
      ['ties', Float32Array.from(seeded(size, 9), (v) => Math.round(v * 2))],
    ] as const) {
      const run = () => {
        const dy = tf.tensor(dyv, [k.shape[0]!, info.outHeight, info.outWidth, k.shape[3]!]);
        return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, k.k, k.s, k.pad), dy)))(tf.tensor(xv, k.shape));
      };
      const [wasm] = await on('wasm', run);
      expectAllClose(wasm!, maxPoolGradReference(xv, k.shape, dyv, info), 1e-6, `${label}: vs float64`);
      if (label === 'distinct values') expectAllClose(wasm!, (await on('cpu', run))[0]!, 1e-6, `${label}: vs cpu`);
    }
  });
});

/** d/dx of sum(resize(x) * w), from the cpu backend's forward resize, one unit input at a time. */
async function resizeAdjoint(
  shape: number[],
  size: [number, number],
  w: Float32Array,
  resize: (x: tf.Tensor4D) => tf.Tensor4D,
): Promise<Float64Array> {
  const n = shape.reduce((a, b) => a * b, 1);
  const [vals] = await on('cpu', () => {
    const weights = tf.tensor(w, [shape[0]!, size[0], size[1], shape[3]!]);
    // n unit inputs e_i, each of the full input shape (batch included), stacked on the batch axis.
    const units = tf.reshape(tf.oneHot(tf.range(0, n, 1, 'int32'), n), [n * shape[0]!, shape[1]!, shape[2]!, shape[3]!]) as tf.Tensor4D;
    const out = tf.reshape(resize(units), [n, shape[0]!, size[0], size[1], shape[3]!]);
    return tf.sum(tf.mul(out, weights), [1, 2, 3, 4]);
  });
  return Float64Array.from(vals!);
}

describe('resize gradients on wasm', () => {
  const modes = [
    { alignCorners: false, halfPixelCenters: false },
    { alignCorners: true, halfPixelCenters: false },
    { alignCorners: false, halfPixelCenters: true },
  ];
  const sizes: Array<{ shape: number[]; size: [number, number] }> = [
    { shape: [1, 3, 5, 2], size: [6, 10] },
    { shape: [4, 4, 3, 1], size: [7, 5] },
    { shape: [1, 6, 7, 2], size: [3, 4] },
  ];
  for (const kind of ['bilinear', 'nearest'] as const) {
    for (const m of modes) {
      it.each(sizes.map((s) => [`${kind} ${JSON.stringify(m)} ${s.shape} -> ${s.size}`, s] as const))('%s', async (_, s) => {
        const resize = (x: tf.Tensor4D) =>
          kind === 'bilinear'
            ? tf.image.resizeBilinear(x, s.size, m.alignCorners, m.halfPixelCenters)
            : tf.image.resizeNearestNeighbor(x, s.size, m.alignCorners, m.halfPixelCenters);
        const xv = seeded(s.shape.reduce((a, b) => a * b, 1), 17);
        const wv = seeded(s.shape[0]! * s.size[0] * s.size[1] * s.shape[3]!, 23);
        const grad = () => {
          const w = tf.tensor(wv, [s.shape[0]!, s.size[0], s.size[1], s.shape[3]!]);
          return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(resize(x as tf.Tensor4D), w)))(tf.tensor(xv, s.shape));
        };
        const adjoint = await resizeAdjoint(s.shape, s.size, wv, resize);
        const [wasmGrad] = await on('wasm', grad);
        expectAllClose(wasmGrad!, adjoint, 1e-5, 'wasm gradient vs adjoint of cpu forward');
        // initEngine also replaced the cpu backend's resize gradients (wrong in tfjs 4.22).
        expectAllClose((await on('cpu', grad))[0]!, adjoint, 1e-5, 'cpu gradient vs adjoint of cpu forward');
        // The forward resize on wasm agrees with cpu too.
        const fwd = () => resize(tf.tensor4d(xv, s.shape as [number, number, number, number]));
        expectAllClose((await on('wasm', fwd))[0]!, (await on('cpu', fwd))[0]!, 1e-5, 'forward vs cpu');
      });
    }
  }
});

describe('gather gradient (UnsortedSegmentSum) on wasm', () => {
  it('matches cpu for repeated indices, 2-D params and an inner axis', async () => {
    const run = () => {
      const params = tensor([6, 3], 31);
      const idx = tf.tensor1d([0, 5, 5, 2, 0, 0, 4], 'int32');
      const w = tensor([7, 3], 37);
      const g1 = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, idx), w)))(params);
      const p3 = tensor([2, 5, 3], 41);
      const w3 = tensor([2, 4, 3], 43);
      const idx3 = tf.tensor1d([4, 0, 4, 1], 'int32');
      const g2 = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, idx3, 1), w3)))(p3);
      return [g1, g2];
    };
    const wasm = await on('wasm', run);
    const cpu = await on('cpu', run);
    expectAllClose(wasm[0]!, cpu[0]!, 1e-6, 'axis 0');
    expectAllClose(wasm[1]!, cpu[1]!, 1e-6, 'axis 1');
    // Row 5 was gathered twice, row 1 and 3 never.
    expect(wasm[0]![3]).toBe(0);
    expect(wasm[0]![5 * 3]).toBeCloseTo(seeded(21, 37)[3]! + seeded(21, 37)[6]!, 5);
  });

  it('drops out-of-range segment ids and keeps int32', async () => {
    const run = () =>
      tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor1d([1, -1, 1], 'int32'), 2);
    await tf.setBackend('wasm');
    const out = tf.tidy(run);
    expect(out.dtype).toBe('int32');
    expect(Array.from(out.dataSync())).toEqual([0, 0, 6, 8]);
    out.dispose();
  });
});
