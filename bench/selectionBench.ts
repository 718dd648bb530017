/**
 * The frame-selection benchmark (issue 5, method.md way 3), as a function so a test can run it
 * at toy size: on a synthetic dataset, one SDE model is trained once in a base project; every
 * selection method then works in its own copy of that project (same frames, same SDE model,
 * same cached features), picks `budget` train keyframes in rounds (25 -> 50 -> ... scaled to
 * the budget), the picks are labelled from the dataset's ground truth, and a segmentation
 * model is trained on them with the same settings for every method and evaluated on val
 * (mIoU). Every method runs with several seeds (mean, and the paired difference to random
 * seed by seed). Separately it times farthest-point selection
 * on 10k and 100k random feature rows of the real feature width.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../src/core/errors';
import { buildDepthNet, loadModelFromFolder, netPreset, type PresetName } from '../src/core/ml/nets';
import { importLabels, loadGroundTruthLabel } from '../src/core/project/importLabels';
import { initProject } from '../src/core/project/initProject';
import { frameImage, modelInputSize } from '../src/core/project/modelOutputs';
import { openProject, type OpenProject } from '../src/core/project/openProject';
import { latestModel } from '../src/core/project/projectModels';
import type { RunProgress } from '../src/core/project/runLoop';
import { runSelectionRound } from '../src/core/project/selectFrames';
import { trainSde } from '../src/core/project/trainSde';
import { trainSeg } from '../src/core/project/trainSeg';
import { createRng, type Rng } from '../src/core/random';
import { roundSizes } from '../src/core/selection/combinedSelection';
import { selectFarthestPoints } from '../src/core/selection/farthestPoint';
import { featureMatrix, rowDistance, standardisePerChannel, type FeatureMatrix } from '../src/core/selection/featureMatrix';
import { featureCacheKey, modelFolderKey, sdeFeatureExtractor, selectionFeatures, SDE_FEATURE_LAYER } from '../src/core/selection/sdeFeatures';
import { latestCheckpoint, listFrames, listRuns } from '../src/core/store';
import { cityscapesSde, CITYSCAPES_SDE } from './qualityReal';
import type { RasterU8 } from '../src/core/data/imageIo';
import { generateSynthDataset } from '../src/core/synth';

export const BENCH_METHODS = ['random', 'ds', 'us', 'ds_us'] as const;
export type BenchMethod = (typeof BENCH_METHODS)[number];
/**
 * A reference row, not a method the app offers: farthest points on each frame's ground-truth
 * class layout (labelLayoutFeatures), which no method has before labelling. It bounds what
 * diversity can gain on this data at this budget.
 */
export const ORACLE_METHOD = 'oracle_ds' as const;
type RunMethod = BenchMethod | typeof ORACLE_METHOD;

/** Synthetic streets: generated once into `dir` (reused when it holds one of the same settings). */
export interface SyntheticBenchData {
  readonly kind: 'synthetic';
  /** Dataset folder: generated here when it has no synth.json, else reused (its settings must match). */
  readonly dir: string;
  readonly sequences: number;
  readonly size: { readonly height: number; readonly width: number };
  readonly seed: number;
}

/**
 * Real streets (../shared/data, read in place): the pool is CamVid's 367 train images, val its
 * 101 val images; CamVid has no video, so the SDE model is trained on the 6 real Cityscapes
 * snippets (bench/qualityReal.ts, CITYSCAPES_SDE) and selects and transfers across datasets.
 */
export interface CamvidBenchData {
  readonly kind: 'camvid';
  /** The folder holding camvid/ and cityscapes-seq/. */
  readonly sharedDir: string;
  /** Segmentation's input size (CamVid is 4:3). */
  readonly segSize: { readonly height: number; readonly width: number };
}

export interface SelectionBenchSettings {
  readonly data: SyntheticBenchData | CamvidBenchData;
  /** Projects go here (one base project, one copy per method and seed). */
  readonly workDir: string;
  /** SDE and segmentation network (camvid: the SDE is CITYSCAPES_SDE's small net). */
  readonly net: PresetName;
  readonly sdeSteps: number;
  /** Synthetic only (camvid: CITYSCAPES_SDE's). */
  readonly sdeBatch: number;
  /** Source frames at -gap and +gap for SDE (default 1; synthetic only). */
  readonly sdeFrameGap?: number;
  readonly segSteps: number;
  readonly segBatch: number;
  readonly segMode: 'scratch' | 'transfer' | 'multitask';
  readonly segMix: 'none' | 'classmix' | 'depthmix';
  readonly studentSteps: number;
  readonly studentNet: PresetName;
  /** Frames to label per method; default round(train keyframes / 30). */
  readonly budget?: number;
  /**
   * Seeds of every method (random picks, the first farthest-point pick, the student, the
   * segmentation training); each method's mIoU is the mean over them. Runs of one seed share
   * their segmentation seed across methods, so seed by seed the methods differ only in the
   * frames they picked (paired). The first seed also seeds the SDE training.
   */
  readonly seeds: readonly number[];
  /** Timing: frames picked from each random feature set. */
  readonly timingPicks: number;
  /** Timing: feature-set sizes (rows). */
  readonly timingRows: readonly number[];
  /** Timing: feature width; default that of the 'small' preset's SDE features (the workbench default). */
  readonly timingDims?: number;
  /** Also run the oracle diversity reference (ORACLE_METHOD) with every seed. */
  readonly oracle?: boolean;
  readonly log?: (line: string) => void;
}

/** First round of the method is 25 frames of a budget of 100 or more; smaller budgets start at a quarter. */
export function benchRoundSizes(budget: number): number[] {
  return roundSizes(budget, Math.min(25, Math.max(1, Math.ceil(budget / 4))));
}

/** The default budget: 1/30 of the train keyframes (the method's 100 of 2,975), at least 1. */
export function defaultBudget(trainKeyframes: number): number {
  return Math.max(1, Math.round(trainKeyframes / 30));
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const std = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const r2 = (v: number): number => Math.round(v * 100) / 100;

/** Mean of a[i] - b[i] and its standard error (sample sd / sqrt(n); 0 for one pair). */
export function pairedDifference(a: readonly number[], b: readonly number[]): { mean: number; se: number } {
  if (a.length !== b.length || a.length === 0) throw new Error(`paired values need two lists of one non-zero length (got ${a.length} and ${b.length})`);
  const d = a.map((v, i) => v - b[i]!);
  return { mean: mean(d), se: std(d) / Math.sqrt(d.length) };
}

export interface Coverage {
  /** Mean over every row of its distance to the nearest chosen row. */
  readonly mean: number;
  /** The largest such distance: what farthest-point selection keeps small (the k-centre radius). */
  readonly max: number;
}

/**
 * How well the chosen rows cover the feature space (lower = better covered); chosen rows count
 * with distance 0. Farthest-point picks shrink `max`; random picks, drawn where frames are
 * dense, often have the lower `mean`.
 */
export function coverageDistance(features: FeatureMatrix, chosen: readonly number[]): Coverage {
  if (chosen.length === 0) return { mean: Infinity, max: Infinity };
  let sum = 0;
  let max = 0;
  for (let j = 0; j < features.rows; j++) {
    let best = Infinity;
    for (const c of chosen) best = Math.min(best, rowDistance(features, j, features, c));
    sum += best;
    max = Math.max(max, best);
  }
  return { mean: sum / features.rows, max };
}

/** A standard-normal feature matrix (Box-Muller), like standardised features. */
export function gaussianFeatures(rows: number, dims: number, rng: Rng): FeatureMatrix {
  const m = featureMatrix(rows, dims);
  const d = m.data;
  for (let i = 0; i < d.length; i += 2) {
    const u = 1 - rng.next();
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    d[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < d.length) d[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return m;
}

/** Width of the selection features of a preset's SDE network (channels of the feature layer x 32 cells). */
export function featureDimsOf(net: PresetName): number {
  const model = buildDepthNet(netPreset(net), { height: 32, width: 64 });
  try {
    return sdeFeatureExtractor(model).dims;
  } finally {
    model.dispose();
  }
}

export interface MethodRun {
  readonly method: RunMethod;
  readonly seed: number;
  readonly miou: number;
  readonly pixelAccuracy: number | null;
  readonly picked: number;
  /** Per round: the selection's size after it and what it scored by. */
  readonly rounds: readonly { readonly size: number; readonly basis: string }[];
  /** Distance of the train keyframes to their nearest pick, in standardised SDE features. */
  readonly coverage: Coverage;
  readonly selectSeconds: number;
  readonly segTrainSeconds: number;
  readonly frameIds: readonly number[];
}

export interface SelectionBenchResult {
  readonly benchmark: 'selection';
  /** mIoU (0..100) on val of the segmentation model trained on each method's picks: the mean over the seeds. */
  readonly miou: Record<BenchMethod, number>;
  /** ms to pick `timing.picks` frames by farthest point from 10k and 100k random rows. */
  readonly selectMs: Record<string, number>;
  /** Frames labelled per method. */
  readonly budget: number;
  readonly budgetFraction: number;
  readonly rounds: readonly number[];
  /** mIoU points over random: the mean over the seeds of (method - random) with the same seed. */
  readonly overRandom: Record<Exclude<BenchMethod, 'random'>, number>;
  /** The standard error of overRandom (sd of the paired differences / sqrt(seeds); 0 with one seed). */
  readonly overRandomSe: Record<Exclude<BenchMethod, 'random'>, number>;
  readonly seeds: readonly number[];
  /** Each method's mIoU per seed, in the order of `seeds`, and their standard deviation. */
  readonly bySeed: Record<BenchMethod, readonly number[]>;
  readonly std: Record<BenchMethod, number>;
  /** The oracle diversity reference (with `oracle`): mIoU per seed, mean, and the paired difference to random. */
  readonly oracle: { readonly bySeed: readonly number[]; readonly miou: number; readonly overRandom: number; readonly overRandomSe: number } | null;
  readonly coverage: Record<BenchMethod, Coverage>;
  /** Where the frames came from: synthetic (sequences, seed and generation time) or camvid (CamVid's train and val images). */
  readonly data: BenchDataSummary & { readonly trainKeyframes: number; readonly valKeyframes: number };
  /** The SDE model; `reused`: a finished SDE project found in the work folder (camvid), so `seconds` is not its training time. */
  readonly sde: { readonly net: string; readonly steps: number; readonly batch: number; readonly frameGap: number; readonly seconds: number; readonly reused: boolean; readonly featureDims: number; readonly metrics: Record<string, unknown> };
  readonly segmentation: { readonly mode: string; readonly mix: string; readonly net: string; readonly size: string; readonly steps: number; readonly labelledBatch: number; readonly seeds: readonly number[] };
  readonly student: { readonly net: string; readonly steps: number };
  readonly timing: { readonly picks: number; readonly dims: number; readonly rows: readonly number[] };
  readonly runs: readonly MethodRun[];
  readonly totalSeconds: number;
}

function checkDataset(dir: string, s: SyntheticBenchData): boolean {
  const file = join(dir, 'synth.json');
  if (!existsSync(file)) return false;
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { seed?: number; sequences?: number; size?: { height: number; width: number } };
  if (meta.seed !== s.seed || meta.sequences !== s.sequences || meta.size?.height !== s.size.height || meta.size?.width !== s.size.width) {
    throw new UsageError(
      `${dir} holds a synthetic dataset of other settings (seed ${meta.seed}, ${meta.sequences} sequences, ${meta.size?.height}x${meta.size?.width}); ` +
        `want seed ${s.seed}, ${s.sequences} sequences, ${s.size.height}x${s.size.width}: name another --data folder`,
    );
  }
  return true;
}

const roundCoverage = (c: Coverage): Coverage => ({ mean: r2(c.mean), max: r2(c.max) });
const seconds = (t0: number): number => r2((performance.now() - t0) / 1000);

function trainingLog(log: (l: string) => void, what: string): (p: RunProgress) => void {
  let next = 0;
  return (p) => {
    if (p.phase !== 'training') return;
    if (p.step >= next || p.step === p.totalSteps) {
      log(`  ${what} step ${p.step}/${p.totalSteps} loss ${p.loss?.toFixed(4)}${p.etaSeconds !== undefined ? ` eta ${Math.round(p.etaSeconds)} s` : ''}`);
      next = p.step + Math.max(1, Math.round(p.totalSteps / 5));
    }
  };
}

export async function runSelectionBenchmark(s: SelectionBenchSettings): Promise<SelectionBenchResult> {
  const log = s.log ?? (() => undefined);
  const t00 = performance.now();
  if (s.seeds.length === 0) throw new UsageError('the benchmark needs at least one seed');
  if (new Set(s.seeds).size !== s.seeds.length) throw new UsageError(`the seeds must differ (got ${s.seeds.join(', ')})`);

  // 1-2. The frames and the base project, with the SDE model trained once and the selection features cached.
  mkdirSync(s.workDir, { recursive: true });
  const baseDir = join(s.workDir, 'base');
  if (existsSync(baseDir)) throw new UsageError(`${baseDir} exists: the benchmark needs an empty work folder`);
  const prepared = s.data.kind === 'synthetic' ? await prepareSynthetic(s, s.data, baseDir, log) : await prepareCamvid(s, s.data, baseDir, log);
  const { poolIds, valKeyframes, features, oracleFeatures } = prepared;
  const budget = s.budget ?? defaultBudget(poolIds.length);
  if (budget > poolIds.length) throw new UsageError(`a budget of ${budget} frames needs at least as many train keyframes (the data has ${poolIds.length})`);
  const sizes = benchRoundSizes(budget);
  log(`budget ${budget} of ${poolIds.length} train keyframes, rounds ${sizes.join(' -> ')}; ${valKeyframes} val frames`);
  const rowOf = new Map(poolIds.map((id, r) => [id, r]));

  // 3. Each method and seed in its own copy of the base project.
  const methods: RunMethod[] = [...BENCH_METHODS, ...(s.oracle ? [ORACLE_METHOD] : [])];
  const jobs: Array<{ method: RunMethod; seed: number }> = s.seeds.flatMap((seed) => methods.map((method) => ({ method, seed })));
  const runs: MethodRun[] = [];
  for (const job of jobs) {
    const dir = join(s.workDir, `${job.method}-seed${job.seed}`);
    cpSync(baseDir, dir, { recursive: true });
    const p = await openProject(dir);
    try {
      const t0 = performance.now();
      const rounds: { size: number; basis: string }[] = [];
      const picked: number[] = [];
      if (job.method === ORACLE_METHOD) {
        // all at once: farthest points extend themselves, so rounds would pick the same frames
        picked.push(...selectFarthestPoints(oracleFeatures!, { count: budget, rng: createRng(job.seed) }).map((x) => poolIds[x.index]!));
        rounds.push({ size: picked.length, basis: 'ground-truth layout' });
      } else {
        for (const size of sizes) {
          const r = await runSelectionRound(p, {
            budget: size - picked.length,
            method: job.method,
            seed: job.seed,
            studentSteps: s.studentSteps,
            studentNet: netPreset(s.studentNet),
            ...(prepared.sdeModelDir ? { sdeModelDir: prepared.sdeModelDir } : {}),
          });
          picked.push(...r.picks.map((x) => x.frameId));
          rounds.push({ size: picked.length, basis: r.basis });
        }
      }
      const selectSeconds = seconds(t0);
      await importLabels(p, { frameIds: picked, author: 'ground truth' });
      log(`${job.method} (seed ${job.seed}): picked ${picked.length} in ${selectSeconds} s; training segmentation`);
      const t1 = performance.now();
      const seg = await trainSeg(
        p,
        { mode: s.segMode, mix: s.segMix, steps: s.segSteps, labelledBatch: s.segBatch, seed: job.seed, ...prepared.segSettings },
        { checkpointEvery: s.segSteps, onProgress: trainingLog(log, `${job.method} seg`) },
      );
      if (seg.status !== 'done') throw new Error(`segmentation training for ${job.method} ended ${seg.status}: ${seg.error ?? ''}`);
      const m = seg.metrics as { miou?: number; pixelAccuracy?: number };
      const run: MethodRun = {
        method: job.method,
        seed: job.seed,
        miou: r2(m.miou ?? NaN),
        pixelAccuracy: m.pixelAccuracy === undefined ? null : r2(m.pixelAccuracy),
        picked: picked.length,
        rounds,
        coverage: roundCoverage(coverageDistance(features, picked.map((id) => rowOf.get(id)!))),
        selectSeconds,
        segTrainSeconds: seconds(t1),
        frameIds: picked,
      };
      log(`${job.method} (seed ${job.seed}): mIoU ${run.miou}, coverage mean ${run.coverage.mean} max ${run.coverage.max}`);
      runs.push(run);
    } finally {
      await p.close();
    }
  }

  // 4. Selection time on random features of the real width.
  const timingDims = s.timingDims ?? featureDimsOf('small');
  const selectMs: Record<string, number> = {};
  for (const rows of s.timingRows) {
    const m = gaussianFeatures(rows, timingDims, createRng(rows));
    const t0 = performance.now();
    selectFarthestPoints(m, { count: s.timingPicks, rng: createRng(1) });
    const key = rows % 1000 === 0 ? `${rows / 1000}k` : String(rows);
    selectMs[key] = Math.round(performance.now() - t0);
    log(`farthest point: ${s.timingPicks} of ${rows} rows x ${timingDims} dims in ${selectMs[key]} ms`);
  }

  const of = (method: BenchMethod) => s.seeds.map((seed) => runs.find((r) => r.method === method && r.seed === seed)!);
  const bySeed = Object.fromEntries(BENCH_METHODS.map((k) => [k, of(k).map((r) => r.miou)])) as Record<BenchMethod, number[]>;
  const miou = Object.fromEntries(BENCH_METHODS.map((k) => [k, r2(mean(bySeed[k]))])) as Record<BenchMethod, number>;
  const vsRandom = (k: Exclude<BenchMethod, 'random'>) => pairedDifference(bySeed[k], bySeed.random);
  const oracleBySeed = s.oracle ? s.seeds.map((seed) => runs.find((r) => r.method === ORACLE_METHOD && r.seed === seed)!.miou) : null;
  const oracleVs = oracleBySeed ? pairedDifference(oracleBySeed, bySeed.random) : null;
  const coverage = Object.fromEntries(
    BENCH_METHODS.map((k) => [k, roundCoverage({ mean: mean(of(k).map((r) => r.coverage.mean)), max: mean(of(k).map((r) => r.coverage.max)) })]),
  ) as Record<BenchMethod, Coverage>;
  return {
    benchmark: 'selection',
    miou,
    selectMs,
    budget,
    budgetFraction: Number((budget / poolIds.length).toFixed(4)),
    rounds: sizes,
    overRandom: { ds: r2(vsRandom('ds').mean), us: r2(vsRandom('us').mean), ds_us: r2(vsRandom('ds_us').mean) },
    overRandomSe: { ds: r2(vsRandom('ds').se), us: r2(vsRandom('us').se), ds_us: r2(vsRandom('ds_us').se) },
    seeds: s.seeds,
    bySeed,
    std: Object.fromEntries(BENCH_METHODS.map((k) => [k, r2(std(bySeed[k]))])) as Record<BenchMethod, number>,
    oracle: oracleBySeed && oracleVs ? { bySeed: oracleBySeed, miou: r2(mean(oracleBySeed)), overRandom: r2(oracleVs.mean), overRandomSe: r2(oracleVs.se) } : null,
    coverage,
    data: { ...prepared.data, trainKeyframes: poolIds.length, valKeyframes },
    sde: prepared.sde,
    segmentation: { mode: s.segMode, mix: s.segMix, net: s.net, size: prepared.segSize, steps: s.segSteps, labelledBatch: s.segBatch, seeds: s.seeds },
    student: { net: s.studentNet, steps: s.studentSteps },
    timing: { picks: s.timingPicks, dims: timingDims, rows: s.timingRows },
    runs,
    totalSeconds: seconds(t00),
  };
}

interface BenchDataSummary {
  readonly kind: 'synthetic' | 'camvid';
  readonly dir: string;
  /** Synthetic: the generator's settings; null for camvid. */
  readonly sequences: number | null;
  readonly seed: number | null;
  /** Image size the SDE model and the selection see. */
  readonly size: string;
  readonly generatedSeconds: number | null;
}

/** The base project every method's copy starts from, and what the methods share. */
interface PreparedBase {
  readonly poolIds: number[];
  readonly valKeyframes: number;
  readonly features: FeatureMatrix;
  readonly oracleFeatures: FeatureMatrix | null;
  /** The SDE model folder for selection, where it is not the base project's own. */
  readonly sdeModelDir?: string;
  /** What segmentation training needs beyond the shared settings (an SDE checkpoint from elsewhere, its input size). */
  readonly segSettings: { sdeCheckpoint?: string; height?: number; width?: number };
  readonly segSize: string;
  readonly data: BenchDataSummary;
  readonly sde: SelectionBenchResult['sde'];
}

/** Synthetic data: generated (once), imported, and the SDE model trained in the base project. */
async function prepareSynthetic(s: SelectionBenchSettings, d: SyntheticBenchData, baseDir: string, log: (l: string) => void): Promise<PreparedBase> {
  const dataDir = resolve(d.dir);
  let generatedSeconds: number | null = null;
  if (!checkDataset(dataDir, d)) {
    log(`generating ${d.sequences} synthetic sequences at ${d.size.height}x${d.size.width} into ${dataDir}`);
    const t0 = performance.now();
    await generateSynthDataset({ out: dataDir, sequences: d.sequences, size: d.size, seed: d.seed });
    generatedSeconds = seconds(t0);
  }
  const { open: base } = await initProject({ dir: baseDir, dataset: dataDir, format: 'cityscapes', name: 'selection-bench' });
  const frameGap = s.sdeFrameGap ?? 1;
  try {
    const poolIds = (await listFrames(base.store, { split: 'train', keyframesOnly: true })).map((f) => f.id);
    const valKeyframes = (await listFrames(base.store, { split: 'val', keyframesOnly: true })).length;
    log(`SDE: ${s.net} net, ${s.sdeSteps} steps, batch ${s.sdeBatch}, frame gap ${frameGap}`);
    const t0 = performance.now();
    const sde = await trainSde(
      base,
      { net: s.net, height: d.size.height, width: d.size.width, steps: s.sdeSteps, batchSize: s.sdeBatch, seed: s.seeds[0]!, frameGap },
      { checkpointEvery: s.sdeSteps, onProgress: trainingLog(log, 'SDE') },
    );
    const sdeSeconds = seconds(t0);
    if (sde.status !== 'done') throw new Error(`SDE training ended ${sde.status}: ${sde.error ?? ''}`);
    const model = await latestModel(base.store, base.project.id, 'sde');
    if (!model) throw new Error('the SDE run left no model');
    const f = await cacheFeatures(base, poolIds, model.modelDir);
    const size = `${d.size.height}x${d.size.width}`;
    return {
      poolIds,
      valKeyframes,
      features: f.matrix,
      oracleFeatures: s.oracle ? await groundTruthLayouts(base, poolIds, LAYOUT_CLASSES) : null,
      segSettings: {},
      segSize: size,
      data: { kind: 'synthetic', dir: dataDir, sequences: d.sequences, seed: d.seed, size, generatedSeconds },
      sde: { net: s.net, steps: s.sdeSteps, batch: s.sdeBatch, frameGap, seconds: sdeSeconds, reused: false, featureDims: f.dims, metrics: sde.metrics as Record<string, unknown> },
    };
  } finally {
    await base.close();
  }
}

/** CamVid: imported in place; the SDE model trained on the real Cityscapes snippets in a project of its own beside the base. */
async function prepareCamvid(s: SelectionBenchSettings, d: CamvidBenchData, baseDir: string, log: (l: string) => void): Promise<PreparedBase> {
  const camvidDir = resolve(d.sharedDir, 'camvid');
  for (const need of [camvidDir, resolve(d.sharedDir, 'cityscapes-seq')]) {
    if (!existsSync(need)) throw new UsageError(`the real-data selection benchmark needs ${need} (see ../shared/data/README.md)`);
  }
  const t0 = performance.now();
  const cityDir = join(s.workDir, 'cityscapes-sde');
  const reused = existsSync(join(cityDir, 'project.sqlite'));
  if (reused) log(`reusing the Cityscapes SDE project in ${cityDir}`);
  const city = await cityscapesSde(d.sharedDir, cityDir, { steps: s.sdeSteps, seed: s.seeds[0]!, say: log, onProgress: trainingLog(log, 'SDE') });
  const sdeSeconds = seconds(t0);
  const run = (await listRuns(city.open.store, city.open.project.id, 'sde')).find((r) => r.status === 'done');
  const sdeMetrics = (run ? ((await latestCheckpoint(city.open.store, run.id))?.metrics ?? {}) : {}) as Record<string, unknown>;
  const configured = (key: string, dflt: number): number => (typeof run?.config[key] === 'number' ? run.config[key] : dflt);
  await city.open.close();
  const { open: base } = await initProject({ dir: baseDir, dataset: camvidDir, format: 'camvid', name: 'selection-bench-camvid' });
  try {
    const poolIds = (await listFrames(base.store, { split: 'train', keyframesOnly: true })).map((f) => f.id);
    const valKeyframes = (await listFrames(base.store, { split: 'val', keyframesOnly: true })).length;
    const f = await cacheFeatures(base, poolIds, city.modelDir);
    return {
      poolIds,
      valKeyframes,
      features: f.matrix,
      oracleFeatures: s.oracle ? await groundTruthLayouts(base, poolIds, base.project.labelSet.classes.length) : null,
      sdeModelDir: city.modelDir,
      segSettings: { sdeCheckpoint: city.checkpointDir, height: d.segSize.height, width: d.segSize.width },
      segSize: `${d.segSize.height}x${d.segSize.width}`,
      data: { kind: 'camvid', dir: camvidDir, sequences: null, seed: null, size: `${CITYSCAPES_SDE.height}x${CITYSCAPES_SDE.width}`, generatedSeconds: null },
      sde: { net: CITYSCAPES_SDE.net, steps: configured('steps', s.sdeSteps), batch: configured('batchSize', NaN), frameGap: configured('frameGap', 1), seconds: sdeSeconds, reused, featureDims: f.dims, metrics: sdeMetrics },
    };
  } finally {
    await base.close();
  }
}

/** The number of Cityscapes train classes: labelLayoutFeatures' channels on synthetic (Cityscapes-format) data. */
const LAYOUT_CLASSES = 19;
/** labelLayoutFeatures' grid, that of the SDE features (method.md: 4x8). */
const LAYOUT_GRID = { height: 4, width: 8 } as const;

/**
 * Ground-truth class layouts as feature rows: per train class (channel) and cell of a 4x8 grid,
 * the share of the cell's pixels with that class (ignore counts as none); channel-major like
 * the SDE features, standardised per channel the same way.
 */
export function labelLayoutFeatures(labels: readonly RasterU8[], classes = LAYOUT_CLASSES): FeatureMatrix {
  const cells = LAYOUT_GRID.height * LAYOUT_GRID.width;
  const m = featureMatrix(labels.length, classes * cells);
  for (const [r, l] of labels.entries()) {
    if (l.height < LAYOUT_GRID.height || l.width < LAYOUT_GRID.width) throw new UsageError(`a ${l.height}x${l.width} label is smaller than the ${LAYOUT_GRID.height}x${LAYOUT_GRID.width} grid`);
    const pixels = new Float64Array(cells);
    const cellOf = (y: number, x: number) => Math.floor((y * LAYOUT_GRID.height) / l.height) * LAYOUT_GRID.width + Math.floor((x * LAYOUT_GRID.width) / l.width);
    for (let y = 0; y < l.height; y++) for (let x = 0; x < l.width; x++) pixels[cellOf(y, x)]! += 1;
    for (let y = 0; y < l.height; y++) {
      for (let x = 0; x < l.width; x++) {
        const c = l.data[y * l.width + x]!;
        const cell = cellOf(y, x);
        if (c < classes) m.data[r * m.dims + c * cells + cell]! += 1 / pixels[cell]!;
      }
    }
  }
  standardisePerChannel(m, classes);
  return m;
}

/** The ground-truth layouts of the given frames (train ids from the dataset's own labels). */
async function groundTruthLayouts(p: OpenProject, frameIds: readonly number[], classes: number): Promise<FeatureMatrix> {
  const frames = new Map((await listFrames(p.store, { withGroundTruth: true })).map((f) => [f.id, f]));
  const labels: RasterU8[] = [];
  for (const id of frameIds) {
    const f = frames.get(id);
    if (!f) throw new UsageError(`frame ${id} has no ground-truth label: the oracle needs one for every train keyframe`);
    labels.push(await loadGroundTruthLabel(p.store, f));
  }
  return labelLayoutFeatures(labels, classes);
}

/** Computes the base project's selection features once (its copies find them in the cache). */
async function cacheFeatures(p: OpenProject, frameIds: readonly number[], modelDir: string): Promise<{ matrix: FeatureMatrix; dims: number }> {
  const teacher = await loadModelFromFolder(modelDir);
  try {
    const extractor = sdeFeatureExtractor(teacher);
    const size = modelInputSize(teacher);
    const frames = new Map((await listFrames(p.store, { split: 'train', keyframesOnly: true })).map((f) => [f.id, f]));
    const f = await selectionFeatures(p.store, extractor, featureCacheKey(modelFolderKey(modelDir), SDE_FEATURE_LAYER), frameIds, async (id) =>
      await frameImage(p.store, frames.get(id)!, size),
    );
    // selectionFeatures returns rows ascending by frame id, as `frameIds` (listFrames order) may not be.
    const row = new Map(f.frameIds.map((id, r) => [id, r]));
    const m = featureMatrix(frameIds.length, f.matrix.dims);
    frameIds.forEach((id, r) => m.data.set(f.matrix.data.subarray(row.get(id)! * m.dims, (row.get(id)! + 1) * m.dims), r * m.dims));
    return { matrix: m, dims: extractor.dims };
  } finally {
    teacher.dispose();
  }
}
