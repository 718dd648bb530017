import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { berhu } from '../../src/core/ml/losses/berhu';
import { expectClose, expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

describe('berhu', () => {
  // residuals 0.1, -0.5, 1.0, 0.2: max |r| = 1 -> c = 0.2
  const target = tf.tensor4d([0.5, 0.5, 0.0, 0.3], [1, 2, 2, 1]);
  const pred = tf.tensor4d([0.6, 0.0, 1.0, 0.5], [1, 2, 2, 1]);

  it('is L1 up to c and (r^2 + c^2) / 2c above, c = 0.2 max|r| (by hand)', () => {
    // 0.1 -> 0.1; 0.5 -> (0.25 + 0.04) / 0.4 = 0.725; 1.0 -> 1.04 / 0.4 = 2.6; 0.2 (= c) -> 0.2
    expectClose(values(berhu(pred, target)), [(0.1 + 0.725 + 2.6 + 0.2) / 4], 1e-6);
  });

  it('takes c over the whole batch', () => {
    // a second image whose residuals are all 0.1: with its own c it would be pure L1 (0.1),
    // with the batch c = 0.2 it is still L1: 0.1 each
    const p2 = tf.concat([pred, tf.fill([1, 2, 2, 1], 0.1)], 0);
    const t2 = tf.concat([target, tf.zeros([1, 2, 2, 1])], 0);
    expectClose(values(berhu(p2, t2)), [(0.1 + 0.725 + 2.6 + 0.2 + 0.4) / 8], 1e-6);
  });

  it('averages over the mask only', () => {
    const mask = tf.tensor4d([1, 1, 0, 1], [1, 2, 2, 1]);
    // the masked-out residual 1.0 no longer sets c: max = 0.5 -> c = 0.1
    // 0.1 -> 0.1 (= c); 0.5 -> (0.25 + 0.01) / 0.2 = 1.3; 0.2 -> (0.04 + 0.01) / 0.2 = 0.25
    expectClose(values(berhu(pred, target, mask)), [(0.1 + 1.3 + 0.25) / 3], 1e-6);
  });

  it('holds c constant in the gradient: sign(r) below c, r / c above', () => {
    const g = values(tf.grad((p: tf.Tensor) => berhu(p, target))(pred));
    expectClose(g, [1 / 4, -0.5 / 0.2 / 4, 1.0 / 0.2 / 4, 1 / 4], 1e-5);
  });

  it('is 0 with a finite gradient when prediction equals target; no leaks', () => {
    expect(values(berhu(target, target))).toEqual([0]);
    const g = values(tf.grad((p: tf.Tensor) => berhu(p, target))(target));
    expect(g.every(Number.isFinite)).toBe(true);
    expectNoLeak(() => berhu(pred, target));
    expect(() => berhu(pred, tf.zeros([1, 2, 2]))).toThrow(/same shape/);
  });
});
