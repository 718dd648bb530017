import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MeanTeacher, confidenceWeight, emaAlpha } from '../../src/core/ml/teacher';
import { expectClose, expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);
afterEach(() => tf.disposeVariables());

describe('EMA alpha', () => {
  it('warms up as 1 - 1/(t+1) and stops at 0.99', () => {
    expect(emaAlpha(0)).toBe(0);
    expect(emaAlpha(1)).toBe(0.5);
    expect(emaAlpha(3)).toBe(0.75);
    expect(emaAlpha(98)).toBeCloseTo(0.98989899, 8);
    expect(emaAlpha(99)).toBe(0.99);
    expect(emaAlpha(100000)).toBe(0.99);
    expect(() => emaAlpha(-1)).toThrow(/step/);
  });
});

describe('MeanTeacher', () => {
  it('copies the student at step 0, then averages (by hand)', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.scalar(10));
    const teacher = new MeanTeacher([w, b]);
    w.assign(tf.tensor1d([3, 4]));
    b.assign(tf.scalar(20));
    expect(teacher.update(0)).toBe(0); // alpha 0: teacher = student
    expect(values(teacher.weights[0]!)).toEqual([3, 4]);
    expect(values(teacher.weights[1]!)).toEqual([20]);
    w.assign(tf.tensor1d([5, 0]));
    b.assign(tf.scalar(0));
    expect(teacher.update(1)).toBe(0.5); // 0.5 * [3, 4] + 0.5 * [5, 0]
    expectClose(values(teacher.weights[0]!), [4, 2]);
    expectClose(values(teacher.weights[1]!), [10]);
    w.assign(tf.tensor1d([1, 5]));
    teacher.update(3); // alpha 0.75: 0.75 * [4, 2] + 0.25 * [1, 5]
    expectClose(values(teacher.weights[0]!), [3.25, 2.75]);
  });

  it('holds its own copy, is not trainable, and does not leak per update', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const teacher = new MeanTeacher([w]);
    expect(teacher.weights[0]!.trainable).toBe(false);
    expect(values(teacher.weights[0]!)).toEqual([1, 2]);
    w.assign(tf.tensor1d([9, 9]));
    expect(values(teacher.weights[0]!)).toEqual([1, 2]);
    const before = tf.memory().numTensors;
    teacher.update(5);
    teacher.update(6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('loads saved weights (resume) and rejects wrong shapes', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const teacher = new MeanTeacher([w]);
    teacher.load([tf.tensor1d([7, 8])]);
    expect(values(teacher.weights[0]!)).toEqual([7, 8]);
    expect(() => teacher.load([tf.tensor1d([1, 2, 3])])).toThrow(/weight 0 has shape \[3\]/);
    expect(() => teacher.load([])).toThrow(/got 0 tensors for 1/);
    const before = tf.memory().numTensors;
    teacher.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });
});

describe('confidenceWeight', () => {
  it('is the share of pixels whose top probability is >= 0.968, per image (by hand)', () => {
    // image 0: top probs 0.97, 0.968, 0.5, 0.99 -> 3 of 4; image 1: 0.9, 0.6, 0.967, 1 -> 1 of 4
    const top = [
      [0.97, 0.968, 0.5, 0.99],
      [0.9, 0.6, 0.967, 1],
    ];
    const probs = top.flat().flatMap((p) => [p, (1 - p) / 2, (1 - p) / 2]);
    const t = tf.tensor4d(probs, [2, 2, 2, 3]);
    expectClose(values(confidenceWeight(t)), [0.75, 0.25]);
    expectClose(values(confidenceWeight(t, 0.6)), [0.75, 1]);
    expectNoLeak(() => confidenceWeight(t));
  });
});
