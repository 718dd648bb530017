/** Tensors to and from plain data for messages between threads. */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorPayload } from './protocol';

export async function toPayload(t: tf.Tensor): Promise<TensorPayload> {
  if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`cannot send a ${t.dtype} tensor`);
  const data = (await t.data()) as Float32Array | Int32Array;
  return { shape: t.shape.slice(), dtype: t.dtype, data };
}

export function fromPayload(p: TensorPayload, what: string): tf.Tensor {
  const size = p.shape.reduce((a, b) => a * b, 1);
  if (p.data.length !== size) throw new Error(`${what}: shape [${p.shape}] needs ${size} values, got ${p.data.length}`);
  return tf.tensor(p.data, p.shape, p.dtype);
}
