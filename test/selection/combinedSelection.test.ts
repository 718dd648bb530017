import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random';
import {
  METHOD_UNCERTAINTY_WEIGHT,
  parseSelectionMethod,
  parseUncertaintyWeight,
  roundBasis,
  roundSizes,
  selectInRounds,
  selectRound,
  withDistances,
} from '../../src/core/selection/combinedSelection';
import { entropyScores } from '../../src/core/selection/entropy';
import { balancedWeight } from '../../src/core/selection/farthestPoint';
import { featureMatrix, type FeatureMatrix } from '../../src/core/selection/featureMatrix';
import { useCpu } from '../ml/tfSetup';

beforeAll(useCpu);

/**
 * 4 tight clusters of 10 frames in 2-D, at the corners of a 100 x 100 square; frame r is in
 * cluster r % 4 (cluster k at (100 * (k & 1), 100 * (k >> 1))), within 1 of its centre.
 */
function clusters(): FeatureMatrix {
  const rng = createRng(3);
  const m = featureMatrix(40, 2);
  for (let r = 0; r < 40; r++) {
    const k = r % 4;
    m.data[r * 2] = 100 * (k & 1) + rng.next();
    m.data[r * 2 + 1] = 100 * (k >> 1) + rng.next();
  }
  return m;
}

const clusterOf = (row: number) => row % 4;

describe('one selection round per method (hand-made features)', () => {
  it('ds picks one frame per cluster, starting from nothing', () => {
    const r = selectRound({ method: 'ds', frames: 40, count: 4, features: clusters(), rng: createRng(1) });
    expect(r.basis).toBe('diversity');
    expect(new Set(r.picks.map((p) => clusterOf(p.index))).size).toBe(4);
  });

  it('ds with frames already labelled in clusters 0 and 1 picks from clusters 2 and 3', () => {
    const r = selectRound({ method: 'ds', frames: 40, count: 2, features: clusters(), selected: [0, 1], rng: createRng(1) });
    expect(r.picks.map((p) => clusterOf(p.index)).sort()).toEqual([2, 3]);
  });

  it('us picks the frames of highest uncertainty, whatever their distance', () => {
    const u = new Float32Array(40).fill(0.01);
    u[4] = 0.5; // cluster 0, next to the labelled frame 0
    u[9] = 0.3;
    const r = selectRound({ method: 'us', frames: 40, count: 2, features: clusters(), selected: [0, 1, 2, 3], scores: u, rng: createRng(1) });
    expect(r.basis).toBe('uncertainty');
    expect(r.picks.map((p) => p.index)).toEqual([4, 9]);
    expect(r.picks[0]!.uncertainty).toBeCloseTo(0.5, 6);
    // the distances are reported for every method: frame 4 is within sqrt(2) of frame 0
    expect(r.picks[0]!.diversity).toBeLessThan(Math.SQRT2);
  });

  it('ds_us adds weight x uncertainty to the distance: with the method\'s fixed 1000 a very uncertain frame beats a far one', () => {
    const m = clusters();
    const u = new Float32Array(40).fill(0);
    u[4] = 0.2; // near frame 0 (distance < sqrt 2): 1000 x 0.2 = 200 > any distance here (< 142)
    const selected = [0, 1];
    const ds = selectRound({ method: 'ds', frames: 40, count: 1, features: m, selected, rng: createRng(1) });
    expect(clusterOf(ds.picks[0]!.index)).not.toBe(0);
    const both = selectRound({ method: 'ds_us', frames: 40, count: 3, features: m, selected, scores: u, weight: METHOD_UNCERTAINTY_WEIGHT, rng: createRng(1) });
    expect(both.basis).toBe('diversity+uncertainty');
    expect(both.picks[0]!.index).toBe(4);
    expect(both.picks[0]!.score).toBeCloseTo(both.picks[0]!.diversity + 200, 3);
    expect(both.picks[0]!.weight).toBe(1000);
    // then diversity again: the two uncovered clusters
    expect(both.picks.slice(1).map((p) => clusterOf(p.index)).sort()).toEqual([2, 3]);
    // with a small weight the distance wins
    const light = selectRound({ method: 'ds_us', frames: 40, count: 1, features: m, selected, scores: u, weight: 1, rng: createRng(1) });
    expect(light.picks[0]!.index).not.toBe(4);
  });

  /**
   * One labelled frame at 0 on a line, five candidates where each term alone points elsewhere:
   *   row       1     2     3     4     5
   *   position  10    1     8     5     3      (= min distance to the labelled frame)
   *   u         0     0.05  0.04  0.02  0.01
   * sd(d) = sqrt(10.64) = 3.2619, sd(u) = sqrt(0.000344) = 0.018547: balanced weight 175.87.
   * Scores: 10, 1 + 8.79, 8 + 7.03 = 15.03, 5 + 3.52, 3 + 1.76: row 3, far AND uncertain, wins;
   * ds takes row 1 (farthest), us row 2 (most uncertain), and so does the fixed 1000 (51 > 48).
   * Second pick, distances now to {0, 8}: 2, 1, -, 3, 3: scores 2, 9.79, 6.52, 4.76: row 2.
   */
  const line = (): FeatureMatrix => featureMatrix(6, 1, new Float32Array([0, 10, 1, 8, 5, 3]));
  const lineU = (): Float32Array => new Float32Array([0, 0, 0.05, 0.04, 0.02, 0.01]);

  it('ds_us balances distance and uncertainty by default: the frame that is both far and uncertain wins', () => {
    const base = { frames: 6, features: line(), selected: [0], scores: lineU(), rng: createRng(1) };
    expect(selectRound({ ...base, method: 'ds', count: 1 }).picks[0]!.index).toBe(1);
    expect(selectRound({ ...base, method: 'us', count: 1 }).picks[0]!.index).toBe(2);
    expect(selectRound({ ...base, method: 'ds_us', count: 1, weight: METHOD_UNCERTAINTY_WEIGHT }).picks[0]!.index).toBe(2);
    const balanced = selectRound({ ...base, method: 'ds_us', count: 2 });
    expect(balanced.picks.map((p) => p.index)).toEqual([3, 2]);
    const w = Math.sqrt(10.64) / Math.sqrt(0.000344);
    expect(w).toBeCloseTo(175.87, 2);
    for (const p of balanced.picks) expect(p.weight).toBeCloseTo(w, 2);
    expect(balanced.picks[0]!.score).toBeCloseTo(8 + w * 0.04, 3);
    // the weight is fixed for the round: the second pick's score uses the same one
    expect(balanced.picks[1]!.score).toBeCloseTo(1 + w * 0.05, 3);
  });

  it('the balanced weight follows the feature scale: the same picks when every distance is 100 times larger', () => {
    const wide = featureMatrix(6, 1, new Float32Array([0, 1000, 100, 800, 500, 300]));
    const near = selectRound({ method: 'ds_us', frames: 6, features: line(), selected: [0], scores: lineU(), count: 5, rng: createRng(1) });
    const far = selectRound({ method: 'ds_us', frames: 6, features: wide, selected: [0], scores: lineU(), count: 5, rng: createRng(1) });
    expect(far.picks.map((p) => p.index)).toEqual(near.picks.map((p) => p.index));
    expect(far.picks[0]!.weight! / near.picks[0]!.weight!).toBeCloseTo(100, 3);
    // a fixed weight does not follow it: 1000 picks the most uncertain row 2 on the line (1 + 50 > 10),
    // the farthest row 1 on the wide line (1000 > 800 + 40 > 100 + 50)
    expect(selectRound({ method: 'ds_us', frames: 6, features: wide, selected: [0], scores: lineU(), count: 1, weight: 1000, rng: createRng(1) }).picks[0]!.index).toBe(1);
  });

  it('balancedWeight: sd of the distances over sd of the uncertainties, 0 when uncertainty cannot tell frames apart', () => {
    expect(balancedWeight([1, 3], [0.1, 0.2])).toBeCloseTo(20, 9);
    expect(balancedWeight([1, 3, 5], [0.2, 0.2, 0.2])).toBe(0);
    expect(balancedWeight([4, 4], [0.1, 0.3])).toBe(1);
    expect(balancedWeight([], [])).toBe(0);
    expect(() => balancedWeight([1], [])).toThrow(/1 distances for 0 uncertainties/);
  });

  it('parses a weight: a number >= 0 or balanced', () => {
    expect(parseUncertaintyWeight('balanced')).toBe('balanced');
    expect(parseUncertaintyWeight('250')).toBe(250);
    expect(parseUncertaintyWeight(0)).toBe(0);
    expect(() => parseUncertaintyWeight('-1', '--weight')).toThrow("--weight must be a number >= 0 or 'balanced' (got '-1')");
    expect(() => parseUncertaintyWeight('heavy')).toThrow(/got 'heavy'/);
    expect(() => parseUncertaintyWeight('')).toThrow(/got ''/);
  });

  it('us and ds_us pick by diversity alone while nothing is selected (no student yet)', () => {
    const u = new Float32Array(40);
    u[5] = 1;
    for (const method of ['us', 'ds_us'] as const) {
      const r = selectRound({ method, frames: 40, count: 4, features: clusters(), scores: u, rng: createRng(1) });
      expect(r.basis).toBe('diversity');
      expect(new Set(r.picks.map((p) => clusterOf(p.index))).size).toBe(4);
    }
    expect(() => selectRound({ method: 'ds_us', frames: 40, count: 1, features: clusters(), selected: [0], rng: createRng(1) })).toThrow(/needs a score per frame/);
  });

  it('entropy picks the highest entropies; random picks distinct free frames reproducibly', () => {
    const e = Float32Array.from({ length: 40 }, (_, i) => (i === 7 ? 2 : i === 30 ? 1.5 : 0.1));
    expect(selectRound({ method: 'entropy', frames: 40, count: 2, features: clusters(), scores: e, rng: createRng(1) }).picks.map((p) => p.index)).toEqual([7, 30]);
    const a = selectRound({ method: 'random', frames: 40, count: 10, selected: [1, 2], excluded: new Set([3]), rng: createRng(4) });
    const b = selectRound({ method: 'random', frames: 40, count: 10, selected: [1, 2], excluded: new Set([3]), rng: createRng(4) });
    expect(a.picks).toEqual(b.picks);
    expect(new Set(a.picks.map((p) => p.index)).size).toBe(10);
    expect(a.picks.some((p) => [1, 2, 3].includes(p.index))).toBe(false);
  });

  it('withDistances measures each pick against the selection and the picks before it', () => {
    const line = featureMatrix(4, 1, new Float32Array([0, 3, 10, 4]));
    const picks = withDistances(line, [0], [2, 3, 1].map((index, rank) => ({ index, rank, score: 0, diversity: NaN, uncertainty: null, weight: null })));
    expect(picks.map((p) => p.diversity)).toEqual([10, 4, 1]);
    expect(withDistances(line, [], [{ index: 1, rank: 0, score: 0, diversity: NaN, uncertainty: null, weight: null }])[0]!.diversity).toBe(Infinity);
  });

  it('parses method names and says which ones need what', () => {
    expect(parseSelectionMethod('ds_us')).toBe('ds_us');
    expect(() => parseSelectionMethod('best')).toThrow(/random, ds, us, ds_us, entropy/);
    expect(roundBasis('entropy', 0)).toBe('diversity');
    expect(roundBasis('entropy', 0, true)).toBe('entropy');
  });
});

describe('rounds that grow the selection', () => {
  it('sizes double from the first round to the budget', () => {
    expect(roundSizes(100)).toEqual([25, 50, 100]);
    expect(roundSizes(744)).toEqual([25, 50, 100, 200, 400, 744]);
    expect(roundSizes(10)).toEqual([10]);
    expect(roundSizes(8, 2)).toEqual([2, 4, 8]);
  });

  it('ds_us: the first round by diversity, then the student scores each round on the selection so far', async () => {
    const m = clusters();
    const calls: number[][] = [];
    const rounds = await selectInRounds({
      method: 'ds_us',
      frames: 40,
      sizes: [4, 6, 8],
      features: m,
      weight: METHOD_UNCERTAINTY_WEIGHT, // uncertainty 0.5 x 1000 outweighs every distance here
      seed: 5,
      scoreFrames: async (selected) => {
        calls.push([...selected]);
        // "uncertain": the frames of cluster 3 that are not selected yet
        return Float32Array.from({ length: 40 }, (_, i) => (clusterOf(i) === 3 && !selected.includes(i) ? 0.5 : 0));
      },
    });
    expect(rounds.map((r) => [r.round, r.basis, r.picks.length])).toEqual([
      [0, 'diversity', 4],
      [1, 'diversity+uncertainty', 2],
      [2, 'diversity+uncertainty', 2],
    ]);
    expect(new Set(rounds[0]!.picks.map((p) => clusterOf(p.index))).size).toBe(4);
    // the student saw the 4 first picks, then those and the 2 next
    expect(calls.map((c) => c.length)).toEqual([4, 6]);
    expect(calls[1]!.slice(0, 4)).toEqual(calls[0]);
    // the uncertain cluster gets the later picks
    expect(rounds.slice(1).flatMap((r) => r.picks.map((p) => clusterOf(p.index)))).toEqual([3, 3, 3, 3]);
    const all = rounds.flatMap((r) => r.picks.map((p) => p.index));
    expect(new Set(all).size).toBe(8);
  });

  it('extends an existing selection and stops when the frames run out', async () => {
    const rounds = await selectInRounds({ method: 'ds', frames: 40, sizes: [10, 50], features: clusters(), selected: [0, 1, 2, 3, 4, 5], seed: 1 });
    expect(rounds.map((r) => r.picks.length)).toEqual([4, 30]);
    const picked = rounds.flatMap((r) => r.picks.map((p) => p.index));
    expect(picked.some((i) => i <= 5)).toBe(false);
  });
});

describe('segmentation entropy', () => {
  it('is log(C) for undecided pixels and about 0 for certain ones, averaged per image', () => {
    const C = 4;
    // image 0: 2 pixels, both uniform -> log 4; image 1: one uniform, one certain -> log(4) / 2
    const logits = tf.tensor4d([0, 0, 0, 0, 5, 5, 5, 5, 0, 0, 0, 0, 100, 0, 0, 0], [2, 1, 2, C]);
    const e = entropyScores(logits).dataSync();
    expect(e[0]).toBeCloseTo(Math.log(4), 5);
    expect(e[1]).toBeCloseTo(Math.log(4) / 2, 5);
    // two equally likely classes (the others ruled out): log 2
    const two = tf.tensor4d([50, 50, -50, -50], [1, 1, 1, C]);
    expect(entropyScores(two).dataSync()[0]).toBeCloseTo(Math.log(2), 5);
    tf.dispose([logits, two]);
  });
});
