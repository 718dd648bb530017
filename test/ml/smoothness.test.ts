import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { edgeAwareSmoothness } from '../../src/core/ml/losses/smoothness';
import { expectClose, expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

describe('edgeAwareSmoothness', () => {
  // disparity rows [1 2 4], [1 1 1]: mean 10/6, so normalised d = 0.6 * disp:
  //   [0.6 1.2 2.4], [0.6 0.6 0.6]
  const disp = tf.tensor4d([1, 2, 4, 1, 1, 1], [1, 2, 3, 1]);

  it('weights disparity gradients by exp(-image gradient), by hand (one channel)', () => {
    // image rows [0 0 1], [0 0 0]: an edge between columns 1 and 2 of row 0
    const image = tf.tensor4d([0, 0, 1, 0, 0, 0], [1, 2, 3, 1]);
    // x: |0.6-1.2|*e^0 + |1.2-2.4|*e^-1 + 0 + 0, mean over 4
    // y: |0.6-0.6|*e^0 + |1.2-0.6|*e^0 + |2.4-0.6|*e^-1, mean over 3
    const x = (0.6 + 1.2 * Math.exp(-1)) / 4;
    const y = (0.6 + 1.8 * Math.exp(-1)) / 3;
    expectClose(values(edgeAwareSmoothness(disp, image)), [x + y], 1e-6);
  });

  it('averages the image gradient over channels', () => {
    // the same edge in one of three channels: mean_c |dI| = 1/3
    const image = tf.tensor4d([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 2, 3, 3]);
    const e = Math.exp(-1 / 3);
    const x = (0.6 + 1.2 * e) / 4;
    const y = (0.6 + 1.8 * e) / 3;
    expectClose(values(edgeAwareSmoothness(disp, image)), [x + y], 1e-6);
  });

  it('does not depend on the scale of the disparity', () => {
    const image = tf.zeros([1, 2, 3, 1]) as tf.Tensor4D;
    const a = edgeAwareSmoothness(disp, image).dataSync()[0]!;
    const b = edgeAwareSmoothness(tf.mul(disp, 7) as tf.Tensor4D, image).dataSync()[0]!;
    expect(b).toBeCloseTo(a, 6);
    expect(edgeAwareSmoothness(tf.fill([1, 2, 3, 1], 0.3) as tf.Tensor4D, image).dataSync()[0]).toBe(0);
  });

  it('normalises each image by its own mean', () => {
    const image = tf.zeros([2, 2, 3, 1]) as tf.Tensor4D;
    const both = tf.concat([disp, tf.mul(disp, 10)], 0) as tf.Tensor4D;
    const single = edgeAwareSmoothness(disp, tf.zeros([1, 2, 3, 1]) as tf.Tensor4D).dataSync()[0]!;
    expect(edgeAwareSmoothness(both, image).dataSync()[0]).toBeCloseTo(single, 6);
  });

  it('has a finite gradient, leaves no tensors behind and checks shapes', () => {
    const image = tf.tensor4d([0, 0, 1, 0, 0, 0], [1, 2, 3, 1]);
    const g = values(tf.grad((d: tf.Tensor) => edgeAwareSmoothness(d as tf.Tensor4D, image))(disp));
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v) => v !== 0)).toBe(true);
    expectNoLeak(() => edgeAwareSmoothness(disp, image));
    expect(() => edgeAwareSmoothness(disp, tf.zeros([1, 3, 3, 1]) as tf.Tensor4D)).toThrow(/image must have shape/);
  });
});
