/** Shared by the network tests: the engine on the cpu backend and deterministic inputs. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../../../src/core/engine/backend';

export const SIZE = { height: 32, width: 64 };

export async function useCpuEngine(): Promise<void> {
  // The engine registers the corrected cpu gradients (resize) the decoders need.
  await initEngine({ backend: 'cpu', log: () => undefined });
  await tf.setBackend('cpu');
}

/** A smooth image batch in [0, 1] (no RNG, the same on every run). */
export function testImages(batch: number, channels = 3, size = SIZE): tf.Tensor4D {
  return tf.tidy(() => {
    const n = batch * size.height * size.width * channels;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = 0.5 + 0.45 * Math.sin(i * 0.37 + (i % 7) * 0.9);
    return tf.tensor4d(v, [batch, size.height, size.width, channels]);
  });
}

export function outputsOf(model: tfl.LayersModel, x: tf.Tensor): tf.Tensor[] {
  const y = model.predict(x);
  return Array.isArray(y) ? y : [y];
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
