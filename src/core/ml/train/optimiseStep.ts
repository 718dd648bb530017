/**
 * One optimisation step: gradients of a scalar loss with respect to the given variables,
 * optional gradient-norm clipping, the optimiser's update. Stops with a clear error (and
 * without touching the weights) when the loss or the gradient norm is not finite.
 */
import * as tf from '@tensorflow/tfjs-core';
import { clipByGlobalNorm, type Optimiser } from './optimizers';

/** The weights produced a loss (or gradient) that is not a finite number; nothing was updated. */
export class NonFiniteLossError extends Error {
  constructor(readonly step: number, readonly what: string, readonly value: number) {
    super(`training stopped at step ${step}: the ${what} became ${value}`);
    this.name = 'NonFiniteLossError';
  }
}

export interface StepResult {
  loss: number;
  gradNorm: number;
  /** Named scalar parts of the loss the loss function recorded. */
  parts: Record<string, number>;
}

/**
 * `lossFn` builds the loss and may record named parts with `record(name, scalar)`.
 * Variables without a gradient (unused in this step) are left alone.
 */
export function optimiseStep(
  step: number,
  optimiser: Optimiser,
  variables: readonly tf.Variable[],
  lr: number,
  lossFn: (record: (name: string, value: tf.Scalar) => void) => tf.Scalar,
  clipNorm?: number,
): StepResult {
  const recorded: Record<string, tf.Scalar> = {};
  const record = (name: string, value: tf.Scalar) => {
    recorded[name] = tf.keep(value.clone());
  };
  const { value, grads } = tf.variableGrads(() => lossFn(record), [...variables]);
  try {
    const loss = value.dataSync()[0]!;
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(step, 'loss', loss);
    let norm: number;
    if (clipNorm !== undefined) {
      const clipped = clipByGlobalNorm(grads, clipNorm);
      norm = clipped.norm;
      try {
        if (!Number.isFinite(norm)) throw new NonFiniteLossError(step, 'gradient norm', norm);
        optimiser.apply(clipped.grads, lr);
      } finally {
        tf.dispose(Object.values(clipped.grads));
      }
    } else {
      const normT = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
      norm = normT.dataSync()[0]!;
      normT.dispose();
      if (!Number.isFinite(norm)) throw new NonFiniteLossError(step, 'gradient norm', norm);
      optimiser.apply(grads, lr);
    }
    const parts: Record<string, number> = {};
    for (const [k, t] of Object.entries(recorded)) parts[k] = t.dataSync()[0]!;
    return { loss, gradNorm: norm, parts };
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
    tf.dispose(Object.values(recorded));
  }
}
