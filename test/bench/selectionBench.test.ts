import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCH_METHODS, benchRoundSizes, coverageDistance, defaultBudget, labelLayoutFeatures, mean, pairedDifference, runSelectionBenchmark, std, type SelectionBenchSettings } from '../../bench/selectionBench';
import type { RasterU8 } from '../../src/core/data/imageIo';
import { featureMatrix } from '../../src/core/selection/featureMatrix';
import { freshDirs } from '../data/fixtures';
import { SHARED_DATA, sharedDataset } from '../data/sharedData';
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

  it('describes a label by its class layout on a 4x8 grid: the share of each cell per class, standardised per class', () => {
    // 8x16 labels (2x2 pixels a cell): label A road (0) everywhere; label B the same with the
    // top-left cell half sky (10) and one pixel of it ignore (255)
    const a: RasterU8 = { width: 16, height: 8, channels: 1, data: new Uint8Array(128) };
    const bData = new Uint8Array(128);
    bData[0] = 10;
    bData[1] = 10;
    bData[16] = 255;
    const b: RasterU8 = { width: 16, height: 8, channels: 1, data: bData };
    const m = labelLayoutFeatures([a, b]);
    expect(m.dims).toBe(19 * 32);
    // raw values: road cell 0: A 1, B 0.25; every other road cell 1; sky cell 0: A 0, B 0.5.
    // Road over 2 rows x 32 cells: mean (63 + 0.25) / 64, and only cell 0 of B departs from 1;
    // sky: mean 0.5 / 64. Standardised per class, B's cell 0 is the only negative road value and
    // the only positive sky value, and classes that never occur are 0.
    const at = (row: number, c: number, cell: number) => m.data[row * m.dims + c * 32 + cell]!;
    const roadMean = (63 + 0.25) / 64;
    const roadSd = Math.sqrt(((1 - roadMean) ** 2 * 63 + (0.25 - roadMean) ** 2) / 64);
    expect(at(1, 0, 0)).toBeCloseTo((0.25 - roadMean) / roadSd, 4);
    expect(at(0, 0, 0)).toBeCloseTo((1 - roadMean) / roadSd, 4);
    const skyMean = 0.5 / 64;
    const skySd = Math.sqrt(((0.5 - skyMean) ** 2 + 63 * skyMean ** 2) / 64);
    expect(at(1, 10, 0)).toBeCloseTo((0.5 - skyMean) / skySd, 4);
    expect(at(0, 10, 0)).toBeCloseTo(-skyMean / skySd, 4);
    expect(at(0, 5, 3)).toBe(0);
    // CamVid's 11 classes: sky (10) is the last channel, values from 11 up count as none
    const camvid = labelLayoutFeatures([a, b], 11);
    expect(camvid.dims).toBe(11 * 32);
    expect(camvid.data[1 * camvid.dims + 10 * 32]).toBeCloseTo((0.5 - skyMean) / skySd, 4);
    const c11 = labelLayoutFeatures([a, b], 10); // with 10 classes the sky value (10) is ignored: channel 10 does not exist
    expect(c11.dims).toBe(10 * 32);
    expect(c11.data[1 * c11.dims + 0]).toBeCloseTo((0.25 - roadMean) / roadSd, 4);
    expect(() => labelLayoutFeatures([{ width: 4, height: 2, channels: 1, data: new Uint8Array(8) }])).toThrow(/2x4 label is smaller than the 4x8 grid/);
  });

  it('pairs the methods seed by seed: mean difference and its standard error', () => {
    // differences 2, 4, 9: mean 5, sample sd sqrt(13), se sqrt(13 / 3)
    const p = pairedDifference([12, 14, 20], [10, 10, 11]);
    expect(p.mean).toBeCloseTo(5, 10);
    expect(p.se).toBeCloseTo(Math.sqrt(13 / 3), 10);
    expect(pairedDifference([3], [1])).toEqual({ mean: 2, se: 0 });
    expect(() => pairedDifference([1, 2], [1])).toThrow(/2 and 1/);
  });
});

describe('runSelectionBenchmark at toy size', () => {
  beforeAll(startWasm);

  it('labels `budget` frames per method and seed in rounds, trains one segmentation model each, averages over the seeds', async () => {
    const root = temp('selection-bench');
    const r = await runSelectionBenchmark({
      data: { kind: 'synthetic', dir: join(root, 'synth'), sequences: 8, size: { height: 32, width: 64 }, seed: 3 }, // 6 train keyframes, 2 val
      workDir: join(root, 'work'),
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
      seeds: [1, 2],
      oracle: true,
      timingPicks: 3,
      timingRows: [50, 2000],
      timingDims: 16,
    });
    expect(r.budget).toBe(4);
    expect(r.rounds).toEqual([1, 2, 4]);
    expect(r.data).toMatchObject({ kind: 'synthetic', trainKeyframes: 6, valKeyframes: 2, sequences: 8, size: '32x64' });
    expect(r.budgetFraction).toBeCloseTo(4 / 6, 3);
    expect(Object.keys(r.miou).sort()).toEqual([...BENCH_METHODS].sort());
    expect(Object.keys(r.selectMs)).toEqual(['50', '2k']);
    for (const v of Object.values(r.selectMs)) expect(v).toBeGreaterThanOrEqual(0);
    expect(r.segmentation).toMatchObject({ mode: 'transfer', mix: 'none', steps: 2, size: '32x64' });
    expect(r.sde).toMatchObject({ featureDims: 4 * 32, reused: false }); // tiny decoder level 0: 4 channels x 4x8 cells

    // one run per method and seed (and the oracle reference), each labelling `budget` distinct frames
    expect(r.runs.map((x) => `${x.method}:${x.seed}`)).toEqual([
      ...['random:1', 'ds:1', 'us:1', 'ds_us:1', 'oracle_ds:1'],
      ...['random:2', 'ds:2', 'us:2', 'ds_us:2', 'oracle_ds:2'],
    ]);
    for (const run of r.runs) {
      expect(run.picked).toBe(4);
      expect(new Set(run.frameIds).size).toBe(4);
      expect(run.rounds.map((x) => x.size)).toEqual(run.method === 'oracle_ds' ? [4] : [1, 2, 4]);
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
    const first = (m: string, seed = 1) => r.runs.find((x) => x.method === m && x.seed === seed)!.frameIds[0];
    expect(first('us')).toBe(first('ds'));
    expect(first('ds_us')).toBe(first('ds'));
    expect(first('ds_us', 2)).toBe(first('ds', 2));

    expect(r.seeds).toEqual([1, 2]);
    for (const m of BENCH_METHODS) {
      const runs = r.runs.filter((x) => x.method === m).map((x) => x.miou);
      expect(r.bySeed[m]).toEqual(runs);
      expect(r.miou[m]).toBeCloseTo((runs[0]! + runs[1]!) / 2, 1);
      expect(r.std[m]).toBeCloseTo(std(runs), 1);
    }
    // paired by seed: the mean of the differences equals the difference of the means
    expect(r.overRandom.ds_us).toBeCloseTo(r.miou.ds_us - r.miou.random, 1);
    const d = r.bySeed.ds_us.map((v, i) => v - r.bySeed.random[i]!);
    expect(r.overRandomSe.ds_us).toBeCloseTo(Math.abs(d[0]! - d[1]!) / 2, 1); // sd of two values / sqrt 2
    expect(r.segmentation.seeds).toEqual([1, 2]);
    const oracle = r.runs.filter((x) => x.method === 'oracle_ds').map((x) => x.miou);
    expect(r.oracle).toMatchObject({ bySeed: oracle });
    expect(r.oracle!.miou).toBeCloseTo((oracle[0]! + oracle[1]!) / 2, 1);
    expect(Object.keys(r.miou).sort()).toEqual([...BENCH_METHODS].sort()); // the reference stays out of the methods' table
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

const camvidRoot = sharedDataset('camvid');
const seqRoot = sharedDataset('cityscapes-seq');

describe.skipIf(!camvidRoot || !seqRoot)('runSelectionBenchmark on real streets (../shared/data)', () => {
  beforeAll(startWasm);

  it('selects from CamVid train with an SDE model of the Cityscapes snippets, labels from CamVid ground truth, evaluates on CamVid val', async () => {
    const root = temp('selection-bench-real');
    const settings: SelectionBenchSettings = {
      data: { kind: 'camvid', sharedDir: SHARED_DATA, segSize: { height: 48, width: 64 } },
      workDir: join(root, 'work'),
      net: 'small',
      sdeSteps: 1,
      sdeBatch: 1,
      segSteps: 1,
      segBatch: 1,
      segMode: 'transfer',
      segMix: 'none',
      studentSteps: 1,
      studentNet: 'tiny',
      budget: 2,
      seeds: [1],
      oracle: true,
      timingPicks: 1,
      timingRows: [10],
      timingDims: 4,
    };
    const r = await runSelectionBenchmark(settings);
    expect(r.data).toMatchObject({ kind: 'camvid', trainKeyframes: 367, valKeyframes: 101, sequences: null, size: '64x128' });
    expect(r.sde).toMatchObject({ net: 'small', steps: 1, batch: 4, frameGap: 1, reused: false, featureDims: 16 * 32 }); // small decoder level 0: 16 channels
    expect(r.segmentation).toMatchObject({ mode: 'transfer', size: '48x64' });
    expect(r.rounds).toEqual([1, 2]);
    expect(r.runs.map((x) => x.method)).toEqual(['random', 'ds', 'us', 'ds_us', 'oracle_ds']);
    for (const run of r.runs) {
      expect(new Set(run.frameIds).size).toBe(2);
      expect(run.miou).toBeGreaterThanOrEqual(0);
      expect(run.miou).toBeLessThanOrEqual(100);
    }
    // the Cityscapes SDE project sits beside the CamVid projects; copied into a new work folder it is reused, not retrained
    expect(existsSync(join(root, 'work', 'cityscapes-sde', 'project.sqlite'))).toBe(true);
    cpSync(join(root, 'work', 'cityscapes-sde'), join(root, 'work2', 'cityscapes-sde'), { recursive: true });
    const again = await runSelectionBenchmark({ ...settings, workDir: join(root, 'work2'), sdeSteps: 5, budget: 1, seeds: [2], oracle: false });
    expect(again.sde).toMatchObject({ steps: 1, reused: true });
    expect(again.runs.map((x) => `${x.method}:${x.seed}`)).toEqual(['random:2', 'ds:2', 'us:2', 'ds_us:2']);
  }, 600_000);
});
