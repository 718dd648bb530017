/** The optimisers, clipping and schedule against values computed by hand. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, SgdMomentum, clipByGlobalNorm, stepDecayLr } from '../../../src/core/ml/train/optimizers';
import { startWasm } from '../../engine/setup';

beforeAll(startWasm);

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('SGD with momentum and weight decay', () => {
  it('follows v = m v + (g + wd w), w -= lr * scale * v for two steps and two groups', () => {
    const a = tf.variable(tf.tensor1d([1, -2]), true, 'sgd_a');
    const b = tf.variable(tf.tensor1d([0.5]), true, 'sgd_b');
    const opt = new SgdMomentum([{ variables: [a] }, { variables: [b], lrScale: 0.1 }], { momentum: 0.9, weightDecay: 0.1 });
    const g = { sgd_a: tf.tensor1d([0.5, 1]), sgd_b: tf.tensor1d([2]) };
    opt.apply(g, 0.1);
    // a: v = [0.5 + 0.1, 1 - 0.2] = [0.6, 0.8]; a = [1 - 0.06, -2 - 0.08]
    expect(values(a)[0]).toBeCloseTo(0.94, 6);
    expect(values(a)[1]).toBeCloseTo(-2.08, 6);
    // b: v = 2 + 0.05 = 2.05; b = 0.5 - 0.01 * 2.05
    expect(values(b)[0]).toBeCloseTo(0.4795, 6);
    opt.apply(g, 0.1);
    // a[0]: v = 0.9 * 0.6 + 0.5 + 0.1 * 0.94 = 1.134; a = 0.94 - 0.1134
    expect(values(a)[0]).toBeCloseTo(0.8266, 6);
    opt.dispose();
    tf.dispose([a, b, ...Object.values(g)]);
  });

  it('resumes from its saved state with the same next update', () => {
    const make = () => tf.variable(tf.tensor1d([1, 2, 3]), true);
    const w1 = make();
    const o1 = new SgdMomentum([{ variables: [w1] }], { momentum: 0.9, weightDecay: 5e-4 });
    const g = (w: tf.Variable) => ({ [w.name]: tf.tensor1d([0.3, -0.1, 0.2]) });
    o1.apply(g(w1), 0.05);
    const state = o1.state();
    const w2 = tf.variable(w1.clone(), true);
    const o2 = new SgdMomentum([{ variables: [w2] }], { momentum: 0.9, weightDecay: 5e-4 });
    o2.load(state);
    o1.apply(g(w1), 0.05);
    o2.apply(g(w2), 0.05);
    expect(values(w2)).toEqual(values(w1));
    expect(() => o2.load({})).toThrow(/missing 'v0#0'/);
  });
});

describe('Adam', () => {
  it('moves each weight by about lr against the gradient sign on the first step (bias correction)', () => {
    const w = tf.variable(tf.tensor1d([1, 1]), true, 'adam_w');
    const opt = new Adam([{ variables: [w] }]);
    opt.apply({ adam_w: tf.tensor1d([4, -0.01]) }, 0.01);
    // m_hat = g, v_hat = g^2: update = g / (|g| + eps)
    expect(values(w)[0]).toBeCloseTo(0.99, 6);
    expect(values(w)[1]).toBeCloseTo(1.01, 5);
    // second step with the same gradient: m_hat = g, v_hat = g^2 again
    opt.apply({ adam_w: tf.tensor1d([4, -0.01]) }, 0.01);
    expect(values(w)[0]).toBeCloseTo(0.98, 6);
    const st = opt.state();
    expect(st['#t']!.dataSync()[0]).toBe(2);
  });
});

describe('gradient clipping and schedule', () => {
  it('scales all gradients together to the maximum norm', () => {
    const g = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([4]) };
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(values(grads.a!)).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(values(grads.b!)[0]).toBeCloseTo(0.8, 6);
    const small = clipByGlobalNorm(g, 10);
    expect(values(small.grads.b!)[0]).toBeCloseTo(4, 6);
  });

  it('decays the rate by 10 at each milestone', () => {
    expect(stepDecayLr(0.01, 0, [10, 20])).toBe(0.01);
    expect(stepDecayLr(0.01, 10, [10, 20])).toBeCloseTo(0.001, 12);
    expect(stepDecayLr(0.01, 25, [10, 20])).toBeCloseTo(0.0001, 12);
  });
});
