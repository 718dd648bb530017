/**
 * Shape checks for the tensor functions of the method (losses, geometry, mixing). Shapes are
 * known without reading data, so these cost nothing; a mismatch throws a UsageError that names
 * the function and the argument, instead of a broadcasting error deep inside tfjs.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../errors';

export function requireRank(fn: string, arg: string, t: tf.Tensor, rank: number): void {
  if (t.rank !== rank) {
    throw new UsageError(`${fn}: ${arg} must have rank ${rank}, got shape [${t.shape.join(', ')}]`);
  }
}

export function requireSameShape(fn: string, a: string, ta: tf.Tensor, b: string, tb: tf.Tensor): void {
  const same = ta.rank === tb.rank && ta.shape.every((d, i) => d === tb.shape[i]);
  if (!same) {
    throw new UsageError(
      `${fn}: ${a} and ${b} must have the same shape, got [${ta.shape.join(', ')}] and [${tb.shape.join(', ')}]`,
    );
  }
}

/** Requires `t` to have the given dimensions; `null` leaves a dimension free. */
export function requireShape(fn: string, arg: string, t: tf.Tensor, shape: readonly (number | null)[]): void {
  const ok = t.rank === shape.length && shape.every((d, i) => d === null || d === t.shape[i]);
  if (!ok) {
    const want = shape.map((d) => (d === null ? '*' : String(d))).join(', ');
    throw new UsageError(`${fn}: ${arg} must have shape [${want}], got [${t.shape.join(', ')}]`);
  }
}

export function requireFloat(fn: string, arg: string, t: tf.Tensor): void {
  if (t.dtype !== 'float32') {
    throw new UsageError(`${fn}: ${arg} must be float32, got ${t.dtype}`);
  }
}
