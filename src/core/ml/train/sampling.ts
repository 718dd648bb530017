/**
 * Deterministic sampling: which samples a step trains on and which augmentations it draws
 * are pure functions of (seed, step, stream), so a run resumed from a checkpoint at step t
 * continues exactly as the uninterrupted run would have, with nothing but the step saved.
 */
import { createRng, shuffled, type Rng } from '../../random';

/** A generator for step `step` of stream `stream` (e.g. 'labelled', 'aug'). */
export function stepRng(seed: number, step: number, stream: string): Rng {
  let h = 2166136261 ^ seed;
  for (const c of `${stream}:${step}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return createRng(h >>> 0);
}

/**
 * Indices of the batch of step `step` (0-based): epochs are seeded permutations of 0..n-1
 * read in order; a batch may run across an epoch boundary.
 */
export function batchIndices(n: number, batchSize: number, seed: number, step: number, stream: string): number[] {
  if (n <= 0) return [];
  const out: number[] = [];
  let pos = step * batchSize;
  let epoch = -1;
  let perm: number[] = [];
  while (out.length < batchSize) {
    const e = Math.floor(pos / n);
    if (e !== epoch) {
      epoch = e;
      perm = shuffled(Array.from({ length: n }, (_, i) => i), stepRng(seed, e, `${stream}/epoch`));
    }
    out.push(perm[pos % n]!);
    pos++;
  }
  return out;
}
