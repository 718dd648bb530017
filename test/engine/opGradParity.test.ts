/**
 * Gradients of the other ops the models use, on wasm against the cpu backend: batch norm with
 * batch statistics (the project's broadcasting FusedBatchNorm gradient), concat, slice, gather,
 * average and max pooling, bilinear resize (square and batch 1, where the cpu gradient is right),
 * relu/sigmoid/softmax cross-entropy, pad, transpose, matMul and a fused conv with bias + relu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { expectAllClose, tensor } from './reference';
import { on, startWasm } from './setup';

beforeAll(startWasm);

const cases: Record<string, () => tf.Tensor[]> = {
  batchNorm: () => {
    const x = tensor([4, 5, 3, 6], 1);
    const gamma = tensor([6], 2);
    const beta = tensor([6], 3);
    const w = tensor([4, 5, 3, 6], 4);
    return tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, b, g, 1e-3), w));
    })([x, gamma, beta]);
  },
  batchNormFixedStats: () => {
    const x = tensor([2, 3, 3, 4], 5);
    const w = tensor([2, 3, 3, 4], 6);
    return tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(a, m, tf.add(tf.abs(v), 0.5), tf.zeros([4]), g, 1e-3), w)),
    )([x, tensor([4], 7), tensor([4], 8), tensor([4], 9)]);
  },
  concatSlice: () => {
    const a = tensor([2, 3, 4, 2], 10);
    const b = tensor([2, 3, 4, 3], 11);
    const w = tensor([2, 2, 3, 4], 12);
    return tf.grads((p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(tf.slice(tf.concat([p, q], 3), [0, 1, 1, 0], [2, 2, 3, 4]), w)),
    )([a, b]);
  },
  gather: () => {
    const p = tensor([10, 3], 13);
    const w = tensor([6, 3], 14);
    return [tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, tf.tensor1d([9, 0, 3, 3, 7, 9], 'int32')), w)))(p)];
  },
  pooling: () => {
    const x = tensor([2, 7, 6, 3], 15);
    const w1 = tensor([2, 4, 3, 3], 16);
    const w2 = tensor([2, 3, 3, 3], 17);
    return [
      tf.grad((a: tf.Tensor) =>
        tf.add(tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, 3, 2, 'same'), w1)), tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), w2))),
      )(x),
    ];
  },
  resizeBilinearSquare: () => {
    const x = tensor([1, 4, 4, 2], 18);
    const w = tensor([1, 8, 8, 2], 19);
    return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(a as tf.Tensor4D, [8, 8]), w)))(x)];
  },
  activationsAndLoss: () => {
    const logits = tensor([2, 3, 3, 5], 20);
    const labels = tf.oneHot(tf.tensor3d([0, 4, 2, 1, 1, 3, 0, 2, 4, 3, 3, 1, 0, 0, 2, 4, 1, 2], [2, 3, 3], 'int32'), 5);
    return [
      tf.grad((l: tf.Tensor) =>
        tf.add(tf.losses.softmaxCrossEntropy(labels, tf.relu(l)), tf.mean(tf.sigmoid(tf.mul(l, 2)))),
      )(logits),
    ];
  },
  padTransposeMatMul: () => {
    const a = tensor([3, 4], 21);
    const b = tensor([5, 4], 22);
    const w = tensor([5, 7], 23);
    return tf.grads((p: tf.Tensor, q: tf.Tensor) =>
      tf.sum(tf.mul(tf.pad(tf.matMul(q, tf.transpose(p)), [[0, 0], [2, 2]]), w)),
    )([a, b]);
  },
  fusedConvBiasRelu: () => {
    const x = tensor([2, 5, 6, 3], 24);
    const f = tensor([3, 3, 3, 4], 25);
    const bias = tensor([4], 26);
    const w = tensor([2, 5, 6, 4], 27);
    return tf.grads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: k as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation: 'relu' }), w)),
    )([x, f, bias]);
  },
};

it.each(Object.keys(cases))('%s: gradients on wasm match cpu', async (name) => {
  const wasm = await on('wasm', cases[name]!);
  const cpu = await on('cpu', cases[name]!);
  expect(wasm.length).toBe(cpu.length);
  wasm.forEach((w, k) => {
    expect(cpu[k]!.some((v) => v !== 0)).toBe(true);
    expectAllClose(w, cpu[k]!, 2e-5, `${name} gradient ${k}`);
  });
});
