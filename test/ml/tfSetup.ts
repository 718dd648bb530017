/** Shared by the ml tests: the cpu backend, a leak check and small array helpers. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradients; tfjs-layers' Node bundle registers all of
// them (globally) when loaded. The training engine must load it before any tf.grad.
import '@tensorflow/tfjs-layers';
import { expect } from 'vitest';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * Runs `fn`, disposes what it returns and checks that the number of live tensors is the same
 * as before: the function left nothing behind.
 */
export function expectNoLeak(fn: () => tf.TensorContainer): void {
  const before = tf.memory().numTensors;
  const out = fn();
  tf.dispose(out);
  expect(tf.memory().numTensors).toBe(before);
}

export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k]!;
    const e = expected[k]!;
    if (!(Math.abs(a - e) <= tol)) {
      throw new Error(`value ${k}: got ${a}, expected ${e} (tolerance ${tol})`);
    }
  }
}
