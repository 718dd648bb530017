/**
 * Identity in the forward pass, zero gradient in the backward pass (tfjs-core has no
 * stop-gradient op). Used where a value computed from a differentiated tensor must act as a
 * constant, e.g. the berHu threshold.
 */
import * as tf from '@tensorflow/tfjs-core';

const cut = tf.customGrad((...args: unknown[]) => ({
  value: (args[0] as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return cut(x) as T;
}
