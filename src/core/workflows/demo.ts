/**
 * The demo: the workbench's whole loop on generated data, from nothing to a report, in one
 * folder. Synthetic street video -> a project -> self-supervised depth -> selection of the
 * frames worth labelling (ds_us, in rounds) -> a stand-in annotator labels them from the
 * synthetic ground truth -> multi-task segmentation with DepthMix -> evaluation on the
 * validation split -> report.html and metrics.json.
 *
 * Resumable: each finished stage is recorded in `demo-state.json`; a stop request (Ctrl-C)
 * pauses the training run in progress at a checkpoint, and running the demo again with the
 * same settings skips the finished stages and continues the paused run.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError, UsageError, errorMessage } from '../errors';
import { writeFileAtomic } from '../fsAtomic';
import { netPreset, type PresetName } from '../ml/nets/config';
import { loadModelFromFolder } from '../ml/nets';
import { writeProjectReport, type AblationInput, type ReportMetrics } from '../report/projectReport';
import { DB_FILE, listPicks, listRuns, listSelectionRounds, type JsonObject } from '../store';
import { generateSynthDataset } from '../synth';
import { evaluateModel, type Evaluation } from '../project/evaluateModel';
import { importLabels, type ImportLabelsSummary } from '../project/importLabels';
import { initProject } from '../project/initProject';
import { openProject, type OpenProject } from '../project/openProject';
import { latestModel } from '../project/projectModels';
import type { RunOutcome, RunProgress } from '../project/runLoop';
import { runSelectionRound, type SelectionProgress } from '../project/selectFrames';
import { resolveSdeSettings, trainSde } from '../project/trainSde';
import { trainSeg } from '../project/trainSeg';
import { defaultsOf, SEG_SETTINGS, type SdeSettings, type SegSettings } from '../settings';

export type DemoPreset = 'full' | 'quick' | 'tiny';

export interface DemoSettings {
  readonly preset: DemoPreset;
  readonly synth: { readonly sequences: number; readonly height: number; readonly width: number; readonly seed: number };
  readonly sde: Partial<SdeSettings>;
  readonly selection: {
    readonly method: 'ds_us';
    /** Frames added per round; the first round picks by diversity alone. */
    readonly budgets: readonly number[];
    readonly studentSteps: number;
    readonly studentNet: PresetName;
    readonly seed: number;
  };
  readonly seg: Partial<SegSettings>;
  readonly report: { readonly gridFrames: number };
}

/**
 * The presets. `quick` fits in a few minutes on a 2-core CPU (wasm); `full` aims at the best
 * numbers in about an hour there; `tiny` only exercises the loop (tests). How they were sized
 * and their learning rates chosen: docs/results/2026-11-25-quick-demo.md.
 */
export const DEMO_PRESETS: Readonly<Record<DemoPreset, DemoSettings>> = {
  full: {
    preset: 'full',
    synth: { sequences: 100, height: 64, width: 128, seed: 1 },
    sde: { height: 64, width: 128, steps: 1000, lr: 5e-4 },
    selection: { method: 'ds_us', budgets: [8, 8], studentSteps: 200, studentNet: 'tiny', seed: 1 },
    seg: { steps: 800, lr: 2e-2 },
    report: { gridFrames: 6 },
  },
  quick: {
    preset: 'quick',
    synth: { sequences: 32, height: 64, width: 128, seed: 1 },
    sde: { height: 64, width: 128, steps: 100 },
    selection: { method: 'ds_us', budgets: [4, 4], studentSteps: 40, studentNet: 'tiny', seed: 1 },
    seg: { steps: 100, lr: 2e-2 },
    report: { gridFrames: 6 },
  },
  tiny: {
    preset: 'tiny',
    synth: { sequences: 8, height: 32, width: 64, seed: 1 },
    sde: { net: 'tiny', height: 32, width: 64, steps: 2, batchSize: 2 },
    selection: { method: 'ds_us', budgets: [2, 1], studentSteps: 2, studentNet: 'tiny', seed: 1 },
    seg: { steps: 2, labelledBatch: 1, unlabelledBatch: 1 },
    report: { gridFrames: 2 },
  },
};

export type DemoStage = 'synth' | 'init' | 'sde' | 'select' | 'label' | 'seg' | 'eval' | 'report';

export type DemoEvent =
  /** A stage starts, is skipped (finished earlier) or says what it did. */
  | { readonly type: 'stage'; readonly stage: DemoStage; readonly message: string }
  /** Counted progress inside a stage (synth, selection, labelling, evaluation). */
  | { readonly type: 'progress'; readonly stage: DemoStage; readonly label: string; readonly done: number; readonly total: number; readonly loss?: number }
  /** A training run's own progress (sde, seg). */
  | { readonly type: 'run'; readonly stage: 'sde' | 'seg'; readonly progress: RunProgress };

export interface DemoOptions {
  /** The demo folder: data/, project/, report.html, metrics.json, demo-state.json. */
  readonly out: string;
  readonly preset: DemoPreset;
  /** Stop request: the training run in progress pauses at a checkpoint. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: DemoEvent) => void;
  /** An ablation run elsewhere, shown in the report. */
  readonly ablation?: AblationInput;
  readonly checkpointEvery?: number;
}

export interface DemoOutcome {
  readonly status: 'done' | 'paused';
  /** The stage it stopped at (paused) or 'report' (done). A failure throws. */
  readonly stage: DemoStage;
  readonly out: string;
  readonly datasetDir: string;
  readonly projectDir: string;
  readonly reportPath: string | null;
  readonly metricsPath: string | null;
  readonly metrics: ReportMetrics | null;
  /** Seconds per stage, summed over every invocation that worked on it. */
  readonly timings: Record<string, number>;
  readonly settings: DemoSettings;
}

/** The stand-in annotator's name on the masks it writes. */
export const STAND_IN_ANNOTATOR = 'stand-in annotator (synthetic ground truth)';

/**
 * The demo's stand-in for a person painting the selected frames: it "labels" them with the
 * synthetic dataset's own ground truth, as finished masks (existing masks are kept).
 */
export function labelFromGroundTruth(
  p: OpenProject,
  frameIds: readonly number[],
  onProgress?: (done: number, total: number) => void,
): Promise<ImportLabelsSummary> {
  return importLabels(p, { frameIds, author: STAND_IN_ANNOTATOR, ...(onProgress ? { onProgress } : {}) });
}

const STATE_FILE = 'demo-state.json';

interface DemoState {
  version: 1;
  settings: DemoSettings;
  done: Partial<Record<DemoStage, JsonObject>>;
  timings: Record<string, number>;
}

function readState(out: string): DemoState | null {
  const path = join(out, STATE_FILE);
  if (!existsSync(path)) return null;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as DemoState;
    if (s.version !== 1 || typeof s.settings !== 'object' || typeof s.done !== 'object') throw new Error('not a demo state (version 1)');
    s.timings ??= {};
    return s;
  } catch (e) {
    throw new DataError(path, `cannot read the demo's state: ${errorMessage(e)}; remove the folder or use another --out`);
  }
}

function writeState(out: string, s: DemoState): void {
  writeFileAtomic(join(out, STATE_FILE), `${JSON.stringify(s, null, 2)}\n`);
}

/** Runs (or continues) the demo in `out`; the engine must be started. */
export async function runDemo(o: DemoOptions): Promise<DemoOutcome> {
  const settings = DEMO_PRESETS[o.preset];
  if (!settings) throw new UsageError(`unknown demo preset '${String(o.preset)}'`);
  // What the runs will train with: the declared defaults and the preset's changes.
  const sdeRun = resolveSdeSettings(settings.sde);
  const segRun = { ...defaultsOf(SEG_SETTINGS), ...settings.seg };
  const out = resolve(o.out);
  const datasetDir = join(out, 'data', 'synth');
  const projectDir = join(out, 'project');
  mkdirSync(out, { recursive: true });
  let state = readState(out);
  if (state && JSON.stringify(state.settings) !== JSON.stringify(settings)) {
    throw new UsageError(
      state.settings.preset === settings.preset
        ? `${out} holds a demo made with other ${settings.preset} settings (an earlier version of depthseg); use another --out DIR or remove the folder`
        : `${out} holds a demo with other settings (the ${state.settings.preset} preset); continue it with the same options, or use another --out DIR`,
    );
  }
  if (!state && existsSync(out) && existsSync(join(out, 'project', DB_FILE))) {
    throw new UsageError(`${out} holds a project but no ${STATE_FILE}: not a demo folder; use another --out DIR`);
  }
  state ??= { version: 1, settings, done: {}, timings: {} };
  const st = state;
  writeState(out, st);
  const emit = o.onEvent ?? (() => undefined);
  const base = { out, datasetDir, projectDir, settings };

  let stage: DemoStage = 'synth';
  let started = performance.now();
  const begin = (s: DemoStage, message: string): boolean => {
    stage = s;
    started = performance.now();
    if (st.done[s]) {
      emit({ type: 'stage', stage: s, message: `${message}: done earlier, skipped` });
      return false;
    }
    emit({ type: 'stage', stage: s, message });
    return true;
  };
  const spend = (): void => {
    st.timings[stage] = (st.timings[stage] ?? 0) + (performance.now() - started) / 1000;
  };
  const finish = (record: JsonObject): void => {
    spend();
    st.done[stage] = record;
    writeState(out, st);
  };
  const paused = (): DemoOutcome => {
    writeState(out, st);
    return { ...base, status: 'paused', stage, reportPath: null, metricsPath: null, metrics: null, timings: { ...st.timings } };
  };
  const stopRequested = () => o.signal?.aborted === true;

  // 1. synthetic data
  if (begin('synth', `generating ${settings.synth.sequences} synthetic sequences of 30 frames at ${settings.synth.height}x${settings.synth.width}`)) {
    const s = await generateSynthDataset({
      out: datasetDir,
      sequences: settings.synth.sequences,
      size: { height: settings.synth.height, width: settings.synth.width },
      seed: settings.synth.seed,
      onProgress: (x) => emit({ type: 'progress', stage: 'synth', label: 'synth', done: x.done, total: x.total }),
    });
    finish({ sequences: s.sequences, train: s.train, val: s.val, framesWritten: s.framesWritten });
  }
  if (stopRequested()) return paused();

  // 2. the project
  if (begin('init', `creating the project in ${projectDir}`)) {
    // A project folder without the stage recorded is a half-made one: start it again.
    rmSync(projectDir, { recursive: true, force: true });
    const { open, summary } = await initProject({ dir: projectDir, dataset: datasetDir, name: 'demo' });
    await open.close();
    finish({ clips: summary.clips, frames: summary.frames, keyframes: summary.keyframes });
  }

  const p = await openProject(projectDir);
  try {
    const train = async (which: 'sde' | 'seg', run: () => Promise<RunOutcome>): Promise<RunOutcome | 'paused'> => {
      const outcome = await run();
      if (outcome.status === 'paused') {
        spend();
        return 'paused';
      }
      if (outcome.status === 'failed') throw new DataError(projectDir, `${which === 'sde' ? 'SDE' : 'segmentation'} training failed: ${outcome.error ?? 'unknown error'}`);
      // The headline numbers only (the confusion matrix stays in the run's checkpoint).
      const { confusion: _c, perClassIou: _p, ...metrics } = outcome.metrics;
      finish({ runId: outcome.run.id, step: outcome.step, resumedFrom: outcome.resumedFrom ?? null, metrics });
      return outcome;
    };
    // A stage stopped earlier continues its own paused run (by id, with the settings it stored).
    const control = async (which: 'sde' | 'seg') => {
      const paused = (await listRuns(p.store, p.project.id, which)).filter((r) => r.status === 'paused').pop();
      return {
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
        ...(paused ? { resume: paused.id } : {}),
        onProgress: (progress: RunProgress) => emit({ type: 'run', stage: which, progress }),
      };
    };

    // 3. self-supervised depth
    if (begin('sde', `training self-supervised depth (${sdeRun.net} net, ${sdeRun.steps} steps)`)) {
      if ((await train('sde', async () => trainSde(p, settings.sde, await control('sde')))) === 'paused') return paused();
    }
    if (stopRequested()) return paused();

    // 4. selection rounds (the store counts the rounds already made)
    if (begin('select', `selecting frames to label by ${settings.selection.method} in ${settings.selection.budgets.length} rounds of ${settings.selection.budgets.join(', ')}`)) {
      const sde = await latestModel(p.store, p.project.id, 'sde');
      if (!sde) throw new DataError(projectDir, 'the SDE run finished without a model');
      const rounds: number[] = (await listSelectionRounds(p.store, p.project.id)).map((r) => r.id);
      for (let r = rounds.length; r < settings.selection.budgets.length; r++) {
        if (stopRequested()) {
          spend();
          return paused();
        }
        const summary = await runSelectionRound(p, {
          budget: settings.selection.budgets[r]!,
          method: settings.selection.method,
          sdeModelDir: sde.modelDir,
          seed: settings.selection.seed,
          studentSteps: settings.selection.studentSteps,
          studentNet: netPreset(settings.selection.studentNet),
          onProgress: (x: SelectionProgress) =>
            emit({ type: 'progress', stage: 'select', label: `round ${r + 1}: ${x.phase}`, done: x.done, total: x.total, ...(x.loss !== undefined ? { loss: x.loss } : {}) }),
        });
        rounds.push(summary.roundId);
        emit({ type: 'stage', stage: 'select', message: `round ${r + 1} (${summary.basis}): ${summary.picks.map((k) => k.imagePath.split('/').pop()).join(', ')}` });
      }
      finish({ rounds });
    }

    // 5. the stand-in annotator
    if (begin('label', `${STAND_IN_ANNOTATOR} labels the selected frames`)) {
      const ids: number[] = [];
      for (const r of await listSelectionRounds(p.store, p.project.id)) ids.push(...(await listPicks(p.store, r.id)).map((k) => k.frameId));
      const s = await labelFromGroundTruth(p, ids, (done, total) => emit({ type: 'progress', stage: 'label', label: 'labelling', done, total }));
      finish({ labelled: s.imported + s.kept, frameIds: ids });
    }
    if (stopRequested()) return paused();

    // 6. segmentation: multi-task + DepthMix from the SDE run
    if (begin('seg', `training segmentation (${segRun.mode} + ${segRun.mix}, ${segRun.steps} steps)`)) {
      const sdeRunId = (await latestModel(p.store, p.project.id, 'sde'))!.run.id;
      if ((await train('seg', async () => trainSeg(p, { ...settings.seg, sdeRunId }, await control('seg')))) === 'paused') return paused();
    }

    // 7. evaluation on the validation split (always redone: cheap, and the report needs it)
    stage = 'eval';
    started = performance.now();
    emit({ type: 'stage', stage: 'eval', message: 'evaluating on the validation split' });
    const segModel = await latestModel(p.store, p.project.id, 'seg');
    if (!segModel) throw new DataError(projectDir, 'the segmentation run finished without a model');
    const model = await loadModelFromFolder(segModel.modelDir);
    let evaluation: Evaluation;
    try {
      evaluation = await evaluateModel(p, model, { split: 'val', onProgress: (done, total) => emit({ type: 'progress', stage: 'eval', label: 'eval', done, total }) });
    } finally {
      model.dispose();
    }
    if (!st.done.eval) finish({ miou: evaluation.segmentation?.miou ?? null });
    else spend();

    // 8. the report
    stage = 'report';
    started = performance.now();
    emit({ type: 'stage', stage: 'report', message: `writing ${join(out, 'report.html')}` });
    const title = settings.preset === 'full' ? 'DepthSeg demo' : `DepthSeg demo (${settings.preset})`;
    const reportOpts = {
      title,
      subtitle: `synthetic street video, ${settings.synth.sequences} sequences; every number below comes from this run.`,
      segRunId: segModel.run.id,
      evaluation,
      gridFrames: settings.report.gridFrames,
      ...(o.ablation ? { ablation: o.ablation } : {}),
      settings: settings as unknown as JsonObject,
      notes: [
        `The frames were labelled by a ${STAND_IN_ANNOTATOR}: the selection chose them without labels, then their synthetic ground truth was imported as finished masks, as a person painting them would.`,
        `Networks: SDE ${sdeRun.net} at ${sdeRun.height}x${sdeRun.width}, ${sdeRun.steps} steps; segmentation ${segRun.mode} + ${segRun.mix}, ${segRun.steps} steps. ${settings.preset === 'full' ? '' : 'A short run: the numbers show the loop works, not what longer training reaches (depthseg demo without --quick).'}`,
      ],
    };
    const written = await writeProjectReport(p, out, { ...reportOpts, timings: { ...st.timings } });
    finish({ report: written.html });
    return {
      ...base,
      status: 'done',
      stage: 'report',
      reportPath: written.html,
      metricsPath: written.json,
      metrics: written.metrics,
      timings: { ...st.timings },
    };
  } finally {
    await p.close();
  }
}
