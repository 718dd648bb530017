/**
 * The quality benchmark's protocol (issue 17): every configuration trained with the same
 * seeds, seed by seed on the same labelled frames, so configurations are compared pairwise.
 * For each configuration: mean and standard deviation of the final validation mIoU over the
 * seeds, the paired difference to the reference configuration (scratch) with its standard
 * error, how many runs collapsed, and the mean validation curve (to show whether the
 * reference has flattened). Resumable: every (configuration, seed) is its own project in the
 * work folder; a finished run is read back, a paused one continues by its id.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importLabels } from '../src/core/project/importLabels';
import { openProject, type OpenProject } from '../src/core/project/openProject';
import type { RunOutcome, RunProgress } from '../src/core/project/runLoop';
import { trainSeg } from '../src/core/project/trainSeg';
import { createRng, shuffled } from '../src/core/random';
import { defaultOf, SEG_SETTINGS, type SegSettings } from '../src/core/settings';
import { latestCheckpoint, listFrames, listRuns, metricHistory, type TrainingRun } from '../src/core/store';

/** A base project: the data (and, for SDE-based rows, a finished SDE run or checkpoint) every run of a row is copied from. */
export interface BaseProject {
  /** The project folder (copied per configuration and seed). */
  dir: string;
  /** What the rows on this base take from SDE: a checkpoint folder outside the project, if any. */
  sdeCheckpoint?: string;
  /** The SDE model's depth errors on validation frames with ground truth, where measured. */
  depth?: Record<string, number>;
}

export interface RowSpec {
  /** Which base project (SDE variant) the row starts from. */
  base: string;
  /** The row's segmentation settings, over the protocol's common ones. */
  seg: Partial<SegSettings>;
  /** 'budget': the seed's labelled subset; 'all': every training frame labelled (the fully supervised reference). */
  labels?: 'budget' | 'all';
}

export interface ProtocolSpec {
  workDir: string;
  bases: Record<string, BaseProject>;
  rows: Record<string, RowSpec>;
  /** Settings every row shares (net, size, steps, lr...). */
  common: Partial<SegSettings>;
  seeds: readonly number[];
  /** Labelled frames from the number of training keyframes. */
  budget: (trainKeyframes: number) => number;
  /** Steps between evaluations (the curves' resolution). */
  evalEvery: number;
  /** The row every other is compared to. */
  reference: string;
  onPhase?: (line: string) => void;
  onProgress?: (row: string, seed: number, p: RunProgress) => void;
}

export interface RowResult {
  /** Final validation mIoU per seed, in seed order. */
  perSeed: number[];
  mean: number;
  sd: number;
  /** Runs whose final prediction put over 90% of the pixels in one class. */
  collapsed: number;
  /** Mean over the seeds of the validation mIoU at each evaluation step. */
  curve: { step: number; miou: number }[];
  seconds: number;
}

export interface ProtocolResult {
  seeds: number[];
  reference: string;
  /** Mean final mIoU per row (0..100). */
  miou: Record<string, number>;
  sd: Record<string, number>;
  /** Row minus reference, seed by seed: mean and standard error of the differences. */
  paired: Record<string, { diff: number; se: number; better: number }>;
  rows: Record<string, RowResult>;
  budget: { labelled: number; trainKeyframes: number };
  depth: Record<string, Record<string, number> | undefined>;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation (n - 1); 0 for one value. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}
/** Mean and standard error of the paired differences a[i] - b[i]. */
export function pairedDifference(a: readonly number[], b: readonly number[]): { diff: number; se: number; better: number } {
  const d = a.map((x, i) => x - b[i]!);
  return { diff: mean(d), se: sampleSd(d) / Math.sqrt(d.length), better: d.filter((x) => x > 0).length };
}

/** The finished (or continued) segmentation run of a row's project for one seed. */
async function runRow(spec: ProtocolSpec, name: string, row: RowSpec, seed: number, labelled: number[], all: number[]): Promise<{ run: TrainingRun; metrics: Record<string, unknown>; seconds: number }> {
  const base = spec.bases[row.base];
  if (!base) throw new Error(`row ${name}: no base project '${row.base}'`);
  const dir = join(spec.workDir, 'runs', name, `seed-${seed}`);
  if (!existsSync(join(dir, 'project.sqlite'))) {
    mkdirSync(join(spec.workDir, 'runs', name), { recursive: true });
    cpSync(base.dir, dir, { recursive: true });
  }
  const p: OpenProject = await openProject(dir);
  try {
    const runs = await listRuns(p.store, p.project.id, 'seg');
    const done = runs.find((r) => r.status === 'done');
    if (done) return { run: done, metrics: (await latestCheckpoint(p.store, done.id))?.metrics ?? {}, seconds: 0 };
    const paused = runs.find((r) => r.status === 'paused');
    if (!paused) await importLabels(p, { frameIds: row.labels === 'all' ? all : labelled });
    spec.onPhase?.(`${name} seed ${seed}: ${JSON.stringify(row.seg)}${paused ? ` (continuing run #${paused.id})` : ''}`);
    const t0 = performance.now();
    const out: RunOutcome = await trainSeg(
      p,
      { ...spec.common, ...row.seg, seed, ...(base.sdeCheckpoint && needsSdeModel(row.seg) ? { sdeCheckpoint: base.sdeCheckpoint } : {}) },
      { checkpointEvery: spec.evalEvery, ...(paused ? { resume: paused.id } : {}), onProgress: (x) => spec.onProgress?.(name, seed, x) },
    );
    if (out.status !== 'done') throw new Error(`${name} seed ${seed}: training ${out.status}${out.error ? `: ${out.error}` : ''}`);
    return { run: out.run, metrics: out.metrics, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await p.close();
  }
}

const needsSdeModel = (s: Partial<SegSettings>): boolean => (s.mode ?? defaultOf(SEG_SETTINGS, 'mode')) !== 'scratch' || s.mix === 'depthmix';

/** Runs every row with every seed (resuming what a previous call left) and summarises them. */
export async function runProtocol(spec: ProtocolSpec): Promise<ProtocolResult> {
  const anyBase = Object.values(spec.bases)[0]!;
  const probe = await openProject(anyBase.dir);
  let trainKeys: number[];
  try {
    trainKeys = (await listFrames(probe.store, { split: 'train', keyframesOnly: true })).map((f) => f.id);
  } finally {
    await probe.close();
  }
  const budget = Math.min(trainKeys.length, spec.budget(trainKeys.length));
  const rows: Record<string, RowResult> = {};
  const curves: Record<string, Map<number, number[]>> = {};
  for (const name of Object.keys(spec.rows)) rows[name] = { perSeed: [], mean: NaN, sd: NaN, collapsed: 0, curve: [], seconds: 0 };
  for (const seed of spec.seeds) {
    const labelled = shuffled(trainKeys, createRng(seed)).slice(0, budget);
    for (const [name, row] of Object.entries(spec.rows)) {
      const { run, metrics, seconds } = await runRow(spec, name, row, seed, labelled, trainKeys);
      const r = rows[name]!;
      r.perSeed.push(Number(metrics['miou']));
      if (metrics['collapsed'] === true) r.collapsed++;
      r.seconds += seconds;
      const p = await openProject(join(spec.workDir, 'runs', name, `seed-${seed}`));
      try {
        const c = (curves[name] ??= new Map());
        for (const pt of await metricHistory(p.store, run.id, 'val/miou')) c.set(pt.step, [...(c.get(pt.step) ?? []), pt.value]);
      } finally {
        await p.close();
      }
      spec.onPhase?.(`   ${name} seed ${seed}: mIoU ${Number(metrics['miou']).toFixed(2)}${metrics['collapsed'] === true ? ' (collapsed)' : ''}`);
    }
  }
  const ref = rows[spec.reference];
  const result: ProtocolResult = {
    seeds: [...spec.seeds],
    reference: spec.reference,
    miou: {},
    sd: {},
    paired: {},
    rows,
    budget: { labelled: budget, trainKeyframes: trainKeys.length },
    depth: Object.fromEntries(Object.entries(spec.bases).map(([k, b]) => [k, b.depth])),
  };
  for (const [name, r] of Object.entries(rows)) {
    r.mean = mean(r.perSeed);
    r.sd = sampleSd(r.perSeed);
    r.curve = [...(curves[name] ?? new Map()).entries()].sort((a, b) => a[0] - b[0]).map(([step, v]) => ({ step, miou: mean(v) }));
    result.miou[name] = r.mean;
    result.sd[name] = r.sd;
    if (ref && name !== spec.reference) result.paired[name] = pairedDifference(r.perSeed, ref.perSeed);
  }
  writeFileSync(join(spec.workDir, 'protocol.json'), `${JSON.stringify(result, null, 1)}\n`);
  return result;
}
