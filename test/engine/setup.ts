/** Starts the engine on wasm for a test file and runs functions on a chosen backend. */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/core/engine/backend';

export async function startWasm(): Promise<void> {
  const info = await initEngine({ backend: 'wasm', log: () => undefined });
  if (info.backend !== 'wasm') throw new Error(`expected the wasm backend, got ${info.backend}`);
}

/** Runs `fn` on `backend` and returns its tensors' values; nothing is left allocated. */
export async function on(backend: 'wasm' | 'cpu', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const values = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  if (tf.memory().numTensors !== before) throw new Error(`${backend}: ${tf.memory().numTensors - before} tensors leaked`);
  return values;
}
