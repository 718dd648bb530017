/**
 * Gradients of conv2d and depthwiseConv2d on wasm (the project's kernels and gradient
 * definitions) against a float64 reference written from the definition, and against the cpu
 * backend (tfjs's gradients for dilation 1, the project's gradient definitions built from
 * convolutions for dilation > 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { convGradReference, expectAllClose, geometry, seeded } from './reference';
import { on, startWasm } from './setup';

beforeAll(startWasm);

type Case = { n: number; h: number; w: number; cin: number; k: number; cout: number; s: number; pad: 'same' | 'valid'; d: number };
const c = (n: number, h: number, w: number, cin: number, k: number, cout: number, s: number, pad: 'same' | 'valid', d: number): Case => ({
  n, h, w, cin, k, cout, s, pad, d,
});

const convCases: Case[] = [
  c(1, 5, 7, 3, 1, 4, 1, 'same', 1),
  c(4, 7, 9, 2, 1, 3, 2, 'valid', 1),
  c(4, 6, 5, 3, 3, 4, 1, 'same', 1),
  c(1, 9, 11, 3, 3, 5, 2, 'same', 1),
  c(4, 8, 8, 2, 3, 3, 2, 'valid', 1),
  c(1, 9, 10, 2, 7, 3, 1, 'same', 1),
  c(4, 11, 13, 2, 7, 2, 2, 'same', 1),
  c(1, 13, 12, 3, 7, 2, 2, 'valid', 1),
  c(1, 9, 9, 2, 3, 3, 1, 'same', 2),
  c(4, 11, 10, 2, 3, 2, 1, 'valid', 2),
  c(4, 15, 13, 2, 3, 3, 1, 'same', 6),
  c(1, 17, 16, 3, 3, 2, 1, 'valid', 6),
];

const name = (k: Case) => `${k.k}x${k.k} stride ${k.s} dilation ${k.d} ${k.pad}, batch ${k.n}, ${k.h}x${k.w}x${k.cin} -> ${k.cout}`;

function convGrads(k: Case, depthwise: boolean) {
  const fShape: [number, number, number, number] = [k.k, k.k, k.cin, k.cout];
  const xShape: [number, number, number, number] = [k.n, k.h, k.w, k.cin];
  const g = geometry(xShape, fShape, k.s, k.pad, k.d, depthwise);
  const xv = seeded(k.n * k.h * k.w * k.cin, 11 + k.h);
  const fv = seeded(k.k * k.k * k.cin * k.cout, 29 + k.k);
  const dyv = seeded(k.n * g.oh * g.ow * (depthwise ? k.cin * k.cout : k.cout), 47 + k.w);
  const run = () => {
    const x = tf.tensor4d(xv, xShape);
    const f = tf.tensor4d(fv, fShape);
    const dy = tf.tensor(dyv, [k.n, g.oh, g.ow, depthwise ? k.cin * k.cout : k.cout]);
    const forward = (a: tf.Tensor, b: tf.Tensor) => {
      const y = depthwise
        ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, k.s, k.pad, 'NHWC', k.d)
        : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, k.s, k.pad, 'NHWC', k.d);
      return tf.sum(tf.mul(y, dy));
    };
    return tf.grads(forward)([x, f]);
  };
  return { run, ref: convGradReference(g, xv, fv, dyv, depthwise) };
}

describe('conv2d gradients on wasm', () => {
  it.each(convCases.map((k) => [name(k), k] as const))('%s', async (_, k) => {
    const { run, ref } = convGrads(k, false);
    const [dx, df] = await on('wasm', run);
    expectAllClose(dx!, ref.dx, 1e-5, 'dx vs float64');
    expectAllClose(df!, ref.df, 1e-5, 'dfilter vs float64');
    const [cdx, cdf] = await on('cpu', run);
    // Dilation > 1: tfjs has no gradient; the project's definition runs on cpu as convolutions.
    expectAllClose(dx!, cdx!, 1e-5, 'dx vs cpu');
    expectAllClose(df!, cdf!, 1e-5, 'dfilter vs cpu');
  });
});

const depthwiseCases: Case[] = [
  c(1, 6, 7, 3, 3, 1, 1, 'same', 1),
  c(4, 9, 8, 2, 3, 1, 2, 'valid', 1),
  c(1, 9, 11, 2, 3, 2, 2, 'same', 1),
  c(4, 7, 7, 2, 1, 1, 1, 'same', 1),
  c(1, 11, 10, 2, 7, 1, 2, 'same', 1),
  c(4, 11, 9, 2, 3, 1, 1, 'same', 2),
  c(1, 16, 15, 2, 3, 2, 1, 'valid', 6),
];

describe('depthwiseConv2d gradients on wasm', () => {
  it.each(depthwiseCases.map((k) => [`${name(k)} (multiplier ${k.cout})`, k] as const))('%s', async (_, k) => {
    const { run, ref } = convGrads(k, true);
    const [dx, df] = await on('wasm', run);
    expectAllClose(dx!, ref.dx, 1e-5, 'dx vs float64');
    expectAllClose(df!, ref.df, 1e-5, 'dfilter vs float64');
    const [cdx, cdf] = await on('cpu', run);
    // Dilation > 1: tfjs has no gradient; the project's definition runs on cpu as convolutions.
    expectAllClose(dx!, cdx!, 1e-5, 'dx vs cpu');
    expectAllClose(df!, cdf!, 1e-5, 'dfilter vs cpu');
  });
});
