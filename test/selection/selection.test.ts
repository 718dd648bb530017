import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random';
import { featureMatrix, standardisePerChannel } from '../../src/core/selection/featureMatrix';
import { selectFarthestPoints } from '../../src/core/selection/farthestPoint';
import { selectRandom, selectTopScores } from '../../src/core/selection/simplePicks';

/** Points on a line: 0, 1, 2, 10, 11, 30 (one dimension). */
const line = featureMatrix(6, 1, new Float32Array([0, 1, 2, 10, 11, 30]));

describe('farthest-point selection', () => {
  it('extends an existing selection by the farthest frames, in order', () => {
    const picks = selectFarthestPoints(line, { count: 3, selected: [0], rng: createRng(1) });
    // from {0}: farthest is 30 (row 5, d=30); then min distances: 1->1, 2->2, 10->10, 11->11
    // -> 11 (row 4, d=11); then 10 is 1 from 11, 2 is 2 from 0 -> row 2 (d=2)
    expect(picks.map((p) => p.index)).toEqual([5, 4, 2]);
    expect(picks.map((p) => p.diversity)).toEqual([30, 11, 2]);
    expect(picks.map((p) => p.rank)).toEqual([0, 1, 2]);
  });

  it('starts from a random frame when nothing is selected, reproducibly per seed', () => {
    const a = selectFarthestPoints(line, { count: 6, rng: createRng(7) });
    const b = selectFarthestPoints(line, { count: 6, rng: createRng(7) });
    expect(a).toEqual(b);
    expect(new Set(a.map((p) => p.index)).size).toBe(6);
    expect(a[0]!.diversity).toBe(Infinity);
  });

  it('adds weight x uncertainty to the distance', () => {
    const u = new Float32Array([0, 0, 0.02, 0, 0, 0]);
    // without uncertainty from {0, 5}: row 3 (10) vs row 4 (11: min(11, 19)=11) -> row 4
    expect(selectFarthestPoints(line, { count: 1, selected: [0, 5], rng: createRng(1) })[0]!.index).toBe(4);
    // with weight 1000: row 2 scores 2 + 20 = 22 > 11
    const p = selectFarthestPoints(line, { count: 1, selected: [0, 5], uncertainty: u, weight: 1000, rng: createRng(1) });
    expect(p[0]).toMatchObject({ index: 2, diversity: 2, uncertainty: expect.closeTo(0.02, 6) });
    expect(p[0]!.score).toBeCloseTo(22, 3);
  });

  it('never picks excluded or already selected frames and stops when none are left', () => {
    const p = selectFarthestPoints(line, { count: 10, selected: [0, 1], excluded: new Set([5]), rng: createRng(3) });
    expect(p.map((x) => x.index).sort()).toEqual([2, 3, 4]);
  });

  it('finds one frame per cluster first in 8-D', () => {
    const rng = createRng(11);
    const centres = [0, 50, 100, 150];
    const rows = 40;
    const m = featureMatrix(rows, 8);
    for (let r = 0; r < rows; r++) for (let k = 0; k < 8; k++) m.data[r * 8 + k] = centres[r % 4]! + rng.next();
    const picks = selectFarthestPoints(m, { count: 4, rng: createRng(2) });
    expect(new Set(picks.map((p) => p.index % 4)).size).toBe(4);
  });
});

describe('feature standardisation', () => {
  it('gives every channel zero mean and unit variance over rows and cells', () => {
    // 3 rows, 2 channels x 2 cells; channel 1 constant -> zeros
    const m = featureMatrix(3, 4, new Float32Array([1, 3, 5, 5, 5, 7, 5, 5, 9, 11, 5, 5]));
    standardisePerChannel(m, 2);
    const c0 = [m.data[0], m.data[1], m.data[4], m.data[5], m.data[8], m.data[9]].map(Number);
    const mean = c0.reduce((a, b) => a + b) / 6;
    const variance = c0.reduce((a, b) => a + (b - mean) ** 2, 0) / 6;
    expect(mean).toBeCloseTo(0, 6);
    expect(variance).toBeCloseTo(1, 5);
    // values 1,3,5,7,9,11: mean 6, std sqrt(35/3)
    expect(m.data[0]).toBeCloseTo((1 - 6) / Math.sqrt(35 / 3), 5);
    expect([m.data[2], m.data[3], m.data[6], m.data[11]]).toEqual([0, 0, 0, 0]);
  });
});

describe('baseline selections', () => {
  it('random picks distinct free frames, reproducibly', () => {
    const a = selectRandom(20, 5, createRng(4), [0, 1]);
    expect(a).toEqual(selectRandom(20, 5, createRng(4), [0, 1]));
    expect(new Set(a.map((p) => p.index)).size).toBe(5);
    expect(a.some((p) => p.index < 2)).toBe(false);
  });

  it('top scores picks the highest, skipping selected ones', () => {
    const s = new Float32Array([0.1, 0.9, 0.5, 0.9, 0.2]);
    expect(selectTopScores(s, 3, [3]).map((p) => p.index)).toEqual([1, 2, 4]);
  });
});
