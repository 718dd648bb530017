import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { detached, stopGradient } from '../../src/core/ml/losses/stopGradient';
import { expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

describe('stopGradient and detached', () => {
  const x = tf.tensor1d([0.2, 0.7]);

  it('keep the values', () => {
    expect(values(stopGradient(x))).toEqual(values(x));
  });

  it('block the gradient, so ops without one (lessEqual, notEqual) may feed a loss', () => {
    // d/dx sum(x * s) with s = stopGradient(x) is s, not 2x
    expect(values(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x))).toEqual(values(x));
    // without detaching, tf.grad throws on lessEqual
    const direct = (v: tf.Tensor): tf.Scalar => tf.sum(tf.where(tf.lessEqual(v, 0.5), v, tf.mul(v, 3)));
    expect(() => tf.grad(direct)(x)).toThrow(/LessEqual/);
    const cut = (v: tf.Tensor): tf.Scalar =>
      tf.sum(tf.where(detached(() => tf.lessEqual(v, 0.5)), v, tf.mul(v, 3)));
    expect(values(tf.grad(cut)(x))).toEqual([1, 3]);
  });

  it('leave no tensors behind', () => {
    expectNoLeak(() => tf.tidy(() => detached(() => tf.cast(tf.notEqual(x, 0.2), 'float32'))));
    expectNoLeak(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x));
  });
});
