import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../../src/core/ml/losses/crossEntropy';
import { expectClose, expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

/** -log softmax(z)[k] by hand. */
const nll = (z: number[], k: number): number => Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[k]!;

describe('crossEntropy', () => {
  // one image, 1x3 pixels, 3 classes
  const z = [
    [2, 0, -1],
    [0.5, 0.5, 0.5],
    [-1, 3, 0],
  ];
  const logits = tf.tensor4d(z.flat(), [1, 1, 3, 3]);

  it('is the mean negative log-softmax at the labels', () => {
    const labels = tf.tensor3d([0, 2, 1], [1, 1, 3], 'int32');
    const expected = (nll(z[0]!, 0) + Math.log(3) + nll(z[2]!, 1)) / 3;
    expectClose(values(crossEntropy(logits, labels)), [expected], 1e-6);
  });

  it('skips pixels labelled 255 in the sum and in the count', () => {
    const labels = tf.tensor3d([0, 255, 1], [1, 1, 3], 'int32');
    const expected = (nll(z[0]!, 0) + nll(z[2]!, 1)) / 2;
    expectClose(values(crossEntropy(logits, labels)), [expected], 1e-6);
  });

  it('is 0, not NaN, when every pixel is ignored, and so is its gradient', () => {
    const labels = tf.fill([1, 1, 3], 255, 'int32') as tf.Tensor3D;
    expect(values(crossEntropy(logits, labels))).toEqual([0]);
    const g = values(tf.grad((l: tf.Tensor) => crossEntropy(l as tf.Tensor4D, labels))(logits));
    expect(g.every((v) => v === 0)).toBe(true);
  });

  it('weights each image by its own weight, dividing by all non-ignored pixels', () => {
    const two = tf.concat([logits, logits], 0) as tf.Tensor4D;
    const labels = tf.tensor3d([0, 2, 1, 0, 255, 1], [2, 1, 3], 'int32');
    const image0 = nll(z[0]!, 0) + Math.log(3) + nll(z[2]!, 1);
    const image1 = nll(z[0]!, 0) + nll(z[2]!, 1);
    const expected = (0.5 * image0 + 0.25 * image1) / 5;
    expectClose(values(crossEntropy(two, labels, { imageWeights: [0.5, 0.25] })), [expected], 1e-6);
    const asTensor = crossEntropy(two, labels, { imageWeights: tf.tensor1d([0.5, 0.25]) });
    expectClose(values(asTensor), [expected], 1e-6);
  });

  it('has the softmax-minus-one-hot gradient, leaves no tensors behind and checks shapes', () => {
    const labels = tf.tensor3d([0, 2, 1], [1, 1, 3], 'int32');
    const g = values(tf.grad((l: tf.Tensor) => crossEntropy(l as tf.Tensor4D, labels))(logits));
    const soft = (row: number[]): number[] => {
      const s = row.reduce((a, v) => a + Math.exp(v), 0);
      return row.map((v) => Math.exp(v) / s);
    };
    const expected = [soft(z[0]!), soft(z[1]!), soft(z[2]!)].flatMap((p, k) =>
      p.map((v, c) => (v - (c === [0, 2, 1][k] ? 1 : 0)) / 3),
    );
    expectClose(g, expected, 1e-6);
    expectNoLeak(() => crossEntropy(logits, labels, { imageWeights: [0.3] }));
    expect(() => crossEntropy(logits, tf.zeros([1, 1, 2], 'int32') as tf.Tensor3D)).toThrow(/labels must have shape/);
    expect(() => crossEntropy(logits, tf.zeros([1, 1, 3]) as tf.Tensor3D)).toThrow(/int32/);
    expect(() => crossEntropy(logits, labels, { imageWeights: [1, 2] })).toThrow(/imageWeights/);
  });
});
