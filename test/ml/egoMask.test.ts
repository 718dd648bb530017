import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { egoKeepMask, egoMask } from '../../src/core/ml/losses/egoMask';
import { expectNoLeak, useCpu, values } from './tfSetup';

beforeAll(useCpu);

describe('ego-vehicle mask', () => {
  it('drops the bottom fraction of rows (rounded)', () => {
    expect(Array.from(egoKeepMask(4, 2, { bottomFraction: 0.25 }))).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
    // 13% of 8 rows = 1.04 -> 1 row; of 16 rows = 2.08 -> 2 rows
    expect(Array.from(egoKeepMask(8, 1, { bottomFraction: 0.13 })).filter((v) => v === 0)).toHaveLength(1);
    expect(Array.from(egoKeepMask(16, 1, { bottomFraction: 0.13 })).filter((v) => v === 0)).toHaveLength(2);
    expect(Array.from(egoKeepMask(3, 1, { bottomFraction: 0 }))).toEqual([1, 1, 1]);
  });

  it('inverts a given ego mask and resamples it by nearest neighbour', () => {
    // 2x2 ego mask with the bottom-right quarter set, read at 4x4
    const keep = egoKeepMask(4, 4, { mask: [0, 0, 0, 1], height: 2, width: 2 });
    expect(Array.from(keep)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('gives a [B, H, W, 1] tensor for every image, without leaks', () => {
    const m = egoMask(2, 2, 1, { bottomFraction: 0.5 });
    expect(m.shape).toEqual([2, 2, 1, 1]);
    expect(values(m)).toEqual([1, 0, 1, 0]);
    expectNoLeak(() => egoMask(2, 3, 3, { bottomFraction: 0.13 }));
  });

  it('rejects bad input with a clear message', () => {
    expect(() => egoKeepMask(4, 4, { bottomFraction: 1.5 })).toThrow(/bottomFraction must be in \[0, 1\]/);
    expect(() => egoKeepMask(4, 4, { mask: [1, 0, 0], height: 2, width: 2 })).toThrow(/3 values, expected 2x2/);
    expect(() => egoKeepMask(0, 4, { bottomFraction: 0.1 })).toThrow(/positive integers/);
  });
});
