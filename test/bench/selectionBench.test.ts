import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCH_METHODS, benchRoundSizes, coverageDistance, defaultBudget, mean, runSelectionBenchmark, std } from '../../bench/selectionBench';
import { featureMatrix } from '../../src/core/selection/featureMatrix';
import { freshDirs } from '../data/fixtures';
import { startWasm } from '../engine/setup';

const temp = freshDirs();

describe('selection benchmark pieces', () => {
  it('scales the rounds to the budget: 25 -> 50 -> 100 from a budget of 100, a quarter first below it', () => {
    expect(benchRoundSizes(100)).toEqual([25, 50, 100]);
    expect(benchRoundSizes(372)).toEqual([25, 50, 100, 200, 372]);
    expect(benchRoundSizes(30)).toEqual([8, 16, 30]);
    expect(benchRoundSizes(12)).toEqual([3, 6, 12]);
    expect(benchRoundSizes(1)).toEqual([1]);
    expect(defaultBudget(2975)).toBe(99);
    expect(defaultBudget(900)).toBe(30);
    expect(defaultBudget(10)).toBe(1);
  });

  it('measures coverage as the mean and largest distance to the nearest pick', () => {
    // rows on a line at 0, 1, 2, 10
    const m = featureMatrix(4, 2, Float32Array.from([0, 0, 1, 0, 2, 0, 10, 0]));
    expect(coverageDistance(m, [0])).toEqual({ mean: (0 + 1 + 2 + 10) / 4, max: 10 });
    expect(coverageDistance(m, [1, 3])).toEqual({ mean: (1 + 0 + 1 + 0) / 4, max: 1 });
    expect(coverageDistance(m, []).max).toBe(Infinity);
    expect(mean([1, 2, 6])).toBe(3);
    expect(std([1, 2, 6])).toBeCloseTo(Math.sqrt(7), 10);
    expect(std([4])).toBe(0);
  });
});

describe('runSelectionBenchmark at toy size', () => {
  beforeAll(startWasm);

  it('labels `budget` frames per method in rounds, trains one segmentation model each, averages random over its seeds', async () => {
    const root = temp('selection-bench');
    const r = await runSelectionBenchmark({
      dataDir: join(root, 'synth'),
      workDir: join(root, 'work'),
      sequences: 8, // 6 train keyframes, 2 val
      size: { height: 32, width: 64 },
      dataSeed: 3,
      net: 'tiny',
      sdeSteps: 2,
      sdeBatch: 1,
      segSteps: 2,
      segBatch: 1,
      segMode: 'transfer',
      segMix: 'none',
      studentSteps: 2,
      studentNet: 'tiny',
      budget: 4,
      seed: 1,
      randomSeeds: [1, 2],
      timingPicks: 3,
      timingRows: [50, 2000],
      timingDims: 16,
    });
    expect(r.budget).toBe(4);
    expect(r.rounds).toEqual([1, 2, 4]);
    expect(r.data).toMatchObject({ trainKeyframes: 6, valKeyframes: 2, sequences: 8 });
    expect(r.budgetFraction).toBeCloseTo(4 / 6, 3);
    expect(Object.keys(r.miou).sort()).toEqual([...BENCH_METHODS].sort());
    expect(Object.keys(r.selectMs)).toEqual(['50', '2k']);
    for (const v of Object.values(r.selectMs)) expect(v).toBeGreaterThanOrEqual(0);
    expect(r.segmentation).toMatchObject({ mode: 'transfer', mix: 'none', steps: 2 });
    expect(r.sde.featureDims).toBe(4 * 32); // tiny decoder level 0: 4 channels x 4x8 cells

    // one run per random seed and one per other method, each labelling `budget` distinct frames
    expect(r.runs.map((x) => `${x.method}:${x.seed}`)).toEqual(['random:1', 'random:2', 'ds:1', 'us:1', 'ds_us:1']);
    for (const run of r.runs) {
      expect(run.picked).toBe(4);
      expect(new Set(run.frameIds).size).toBe(4);
      expect(run.rounds.map((x) => x.size)).toEqual([1, 2, 4]);
      expect(run.miou).toBeGreaterThanOrEqual(0);
      expect(run.miou).toBeLessThanOrEqual(100);
      expect(run.coverage.max).toBeGreaterThanOrEqual(run.coverage.mean);
    }
    // the first round of us and ds_us is diversity alone, later ones use the student
    const bases = (m: string) => r.runs.find((x) => x.method === m)!.rounds.map((x) => x.basis);
    expect(bases('ds')).toEqual(['diversity', 'diversity', 'diversity']);
    expect(bases('us')).toEqual(['diversity', 'uncertainty', 'uncertainty']);
    expect(bases('ds_us')).toEqual(['diversity', 'diversity+uncertainty', 'diversity+uncertainty']);
    // same seed, same first pick for the three feature-based methods
    const first = (m: string) => r.runs.find((x) => x.method === m)!.frameIds[0];
    expect(first('us')).toBe(first('ds'));
    expect(first('ds_us')).toBe(first('ds'));

    const randoms = r.runs.filter((x) => x.method === 'random').map((x) => x.miou);
    expect(r.random.miou).toEqual(randoms);
    expect(r.miou.random).toBeCloseTo((randoms[0]! + randoms[1]!) / 2, 1);
    expect(r.overRandom.ds_us).toBeCloseTo(r.miou.ds_us - r.miou.random, 1);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
