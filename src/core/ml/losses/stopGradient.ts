/**
 * Cutting the gradient tape (tfjs-core has no stop-gradient op).
 *
 * `detached(compute)` runs `compute` as the forward pass of a custom-gradient op that has no
 * inputs: ops inside a kernel's forward pass are not recorded on the tape, and an op without
 * inputs lies on no path from the differentiated variables. So the result is a constant for
 * tf.grad, and the ops used to compute it (comparisons such as lessEqual or notEqual, which
 * have no gradient in tfjs and would make tf.grad throw) never reach the backward pass.
 *
 * Used for the berHu threshold, validity masks, the DepthMix mask (computed from the student's
 * own disparity under multi-task training) and pseudo-labels.
 */
import * as tf from '@tensorflow/tfjs-core';

export function detached<T extends tf.Tensor>(compute: () => T): T {
  const op = tf.customGrad(() => ({
    value: compute(),
    gradFunc: () => [],
  }));
  return op() as T;
}

/** `x` as a constant for the gradient (same values, no gradient flows back into x). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detached(() => x.clone());
}
