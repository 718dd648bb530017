/** Batches and augmentation draws are functions of (seed, step): what makes resuming exact. */
import { describe, expect, it } from 'vitest';
import { batchIndices, stepRng } from '../../../src/core/ml/train/sampling';

describe('batchIndices', () => {
  it('visits every sample once per epoch, in a seeded order', () => {
    const n = 10;
    const epoch = [0, 1, 2, 3, 4].flatMap((s) => batchIndices(n, 2, 7, s, 'x'));
    expect([...epoch].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batchIndices(n, 2, 7, 3, 'x')).toEqual(batchIndices(n, 2, 7, 3, 'x'));
    expect(batchIndices(n, 2, 8, 3, 'x')).not.toEqual(batchIndices(n, 2, 7, 3, 'x'));
  });

  it('crosses epoch boundaries and handles batches larger than the set', () => {
    const b = batchIndices(3, 4, 1, 0, 'y');
    expect(b).toHaveLength(4);
    expect(new Set(b.slice(0, 3)).size).toBe(3);
    expect(batchIndices(0, 4, 1, 0, 'y')).toEqual([]);
  });

  it('gives independent streams per name and step', () => {
    expect(stepRng(1, 5, 'a').next()).toBe(stepRng(1, 5, 'a').next());
    expect(stepRng(1, 5, 'a').next()).not.toBe(stepRng(1, 5, 'b').next());
    expect(stepRng(1, 5, 'a').next()).not.toBe(stepRng(1, 6, 'a').next());
  });
});
