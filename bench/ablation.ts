/**
 * The quality benchmark's engine (bench/quality.ts runs it): the paper's ablation at small
 * scale, on the synthetic street data with a fixed seed:
 * with a fixed small label budget (a seeded random share of the training keyframes), mIoU of
 * (a) scratch, (b) SDE transfer, (c) multi-task, (d) multi-task + ClassMix, (e) multi-task +
 * DepthMix, and (f) all labels (transfer, no mixing: the fully supervised model of the same
 * network), plus the SDE depth errors against ground truth. One project per configuration,
 * each a copy of a base project that holds the data and the shared SDE run, so every
 * configuration starts from the same SDE weights. Resumable: a finished configuration is not
 * trained again and an interrupted one continues where it stopped.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRng, shuffled } from '../src/core/random';
import { generateSynthDataset } from '../src/core/synth/generate';
import { latestCheckpoint, listFrames, listRuns } from '../src/core/store';
import type { PresetName } from '../src/core/ml/nets';
import { importLabels } from '../src/core/project/importLabels';
import { initProject } from '../src/core/project/initProject';
import { openProject, type OpenProject } from '../src/core/project/openProject';
import type { RunProgress } from '../src/core/project/runLoop';
import { trainSde } from '../src/core/project/trainSde';
import { trainSeg } from '../src/core/project/trainSeg';
import type { SegSettings } from '../src/core/settings';

export const ABLATION_CONFIGS = ['scratch', 'transfer', 'multitask', 'classmix', 'depthmix', 'full'] as const;
export type AblationConfig = (typeof ABLATION_CONFIGS)[number];

const CONFIG_SETTINGS: Record<AblationConfig, Pick<SegSettings, 'mode' | 'mix'>> = {
  scratch: { mode: 'scratch', mix: 'none' },
  transfer: { mode: 'transfer', mix: 'none' },
  multitask: { mode: 'multitask', mix: 'none' },
  classmix: { mode: 'multitask', mix: 'classmix' },
  depthmix: { mode: 'multitask', mix: 'depthmix' },
  full: { mode: 'transfer', mix: 'none' },
};

export interface AblationSettings {
  /** Folder for the generated data and the projects (kept, so a rerun resumes). */
  workDir: string;
  sequences: number;
  /** Training and data size. */
  height: number;
  width: number;
  net: PresetName;
  sdeSteps: number;
  segSteps: number;
  /** Share of the training keyframes that get labels (the paper: 1/30). */
  labelFraction: number;
  minLabelled: number;
  seed: number;
  /** Segmentation learning rate (SGD). */
  segLr: number;
  sdeLr: number;
  /** Source frames at -gap and +gap for SDE (default 1). */
  sdeFrameGap?: number;
  configs?: readonly AblationConfig[];
}

export interface AblationResult {
  miou: Partial<Record<AblationConfig, number>>;
  /** depthmix / full. */
  ratio: number | null;
  depth: { absRel: number; rmse: number; a1: number } | null;
  budget: { labelled: number; trainKeyframes: number; fraction: number };
  seconds: Partial<Record<AblationConfig | 'data' | 'sde', number>>;
  settings: AblationSettings;
}

export interface AblationEvents {
  onPhase?: (phase: string) => void;
  onProgress?: (phase: string, p: RunProgress) => void;
  signal?: AbortSignal;
}

const STAGE_FILE = 'ablation.json';

export async function runAblation(s: AblationSettings, ev: AblationEvents = {}): Promise<AblationResult> {
  const work = resolve(s.workDir);
  mkdirSync(work, { recursive: true });
  const seconds: AblationResult['seconds'] = {};
  const timed = async <T>(key: keyof AblationResult['seconds'], f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    seconds[key] = (seconds[key] ?? 0) + (performance.now() - t0) / 1000;
    return r;
  };
  const data = join(work, 'data');
  if (!existsSync(join(data, 'synth.json'))) {
    ev.onPhase?.(`generating ${s.sequences} synthetic sequences at ${s.height}x${s.width}`);
    await timed('data', () => generateSynthDataset({ out: data, sequences: s.sequences, size: { height: s.height, width: s.width }, seed: s.seed }));
  }
  const baseDir = join(work, 'base');
  const base: OpenProject = existsSync(join(baseDir, 'project.sqlite')) ? openProject(baseDir) : (await initProject({ dir: baseDir, dataset: data })).open;
  const sdeSettings = { net: s.net, height: s.height, width: s.width, steps: s.sdeSteps, lr: s.sdeLr, seed: s.seed, frameGap: s.sdeFrameGap ?? 1 };
  let depth: AblationResult['depth'] = null;
  let keyframes: number;
  let labelledIds: number[];
  let allIds: number[];
  try {
    let sde = listRuns(base.store, base.project.id, 'sde').find((r) => r.status === 'done');
    if (!sde) {
      ev.onPhase?.(`self-supervised depth: ${s.sdeSteps} steps`);
      const paused = listRuns(base.store, base.project.id, 'sde').find((r) => r.status === 'paused');
      const out = await timed('sde', () =>
        trainSde(base, sdeSettings, { signal: ev.signal, onProgress: (p) => ev.onProgress?.('sde', p), ...(paused ? { resume: paused.id } : {}) }),
      );
      if (out.status !== 'done') throw new Error(`SDE training ${out.status}${out.error ? `: ${out.error}` : ''}`);
      sde = out.run;
    }
    const m = lastMetrics(base, sde.id);
    if (typeof m.absRel === 'number') depth = { absRel: m.absRel, rmse: m.rmse as number, a1: m.a1 as number };
    const trainKeys = listFrames(base.store, { split: 'train', keyframesOnly: true });
    keyframes = trainKeys.length;
    const budget = Math.min(keyframes, Math.max(s.minLabelled, Math.round(keyframes * s.labelFraction)));
    labelledIds = shuffled(trainKeys.map((f) => f.id), createRng(s.seed)).slice(0, budget);
    allIds = trainKeys.map((f) => f.id);
  } finally {
    base.close();
  }

  const miou: AblationResult['miou'] = {};
  for (const config of s.configs ?? ABLATION_CONFIGS) {
    const dir = join(work, config);
    if (!existsSync(join(dir, 'project.sqlite'))) cpSync(baseDir, dir, { recursive: true });
    const p = openProject(dir);
    try {
      const done = listRuns(p.store, p.project.id, 'seg').find((r) => r.status === 'done');
      if (done) {
        miou[config] = lastMetrics(p, done.id).miou as number;
        continue;
      }
      const paused = listRuns(p.store, p.project.id, 'seg').find((r) => r.status === 'paused');
      if (!paused) await importLabels(p, { frameIds: config === 'full' ? allIds : labelledIds });
      ev.onPhase?.(`${config}: ${CONFIG_SETTINGS[config].mode} + ${CONFIG_SETTINGS[config].mix}, ${config === 'full' ? allIds.length : labelledIds.length} labelled frames, ${s.segSteps} steps`);
      const out = await timed(config, () =>
        trainSeg(
          p,
          { ...CONFIG_SETTINGS[config], steps: s.segSteps, lr: s.segLr, seed: s.seed },
          { signal: ev.signal, onProgress: (x) => ev.onProgress?.(config, x), ...(paused ? { resume: paused.id } : {}) },
        ),
      );
      if (out.status !== 'done') throw new Error(`${config} training ${out.status}${out.error ? `: ${out.error}` : ''}`);
      miou[config] = (out.metrics as { miou: number }).miou;
    } finally {
      p.close();
    }
  }
  const result: AblationResult = {
    miou,
    ratio: miou.depthmix !== undefined && miou.full ? miou.depthmix / miou.full : null,
    depth,
    budget: { labelled: labelledIds.length, trainKeyframes: keyframes, fraction: labelledIds.length / keyframes },
    seconds,
    settings: s,
  };
  writeFileSync(join(work, STAGE_FILE), JSON.stringify(result, null, 1));
  return result;
}

/** The metrics of a run's newest checkpoint (its final evaluation once the run is done). */
function lastMetrics(p: OpenProject, runId: number): Record<string, unknown> {
  return latestCheckpoint(p.store, runId)?.metrics ?? {};
}
