/**
 * Drives one training run of a project: marks it running (one per project; a run left
 * "running" by a process that no longer exists is taken back as paused), restores the newest
 * checkpoint when resuming, trains step by step with progress (step, loss, ETA) and metrics
 * in the store, checkpoints every so often, and on a stop request saves a checkpoint and
 * leaves the run paused, so running the same command again continues exactly where it
 * stopped. A loss that is not finite, or explodes (over EXPLODING_LOSS_FACTOR times the
 * median of the recent steps), fails the run with a message; the checkpoints written from
 * the diverging weights are removed, the last good one is kept.
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DataError, errorMessage } from '../errors';
import { readOptimiserState, recoverCheckpointLeftovers, restoreNetwork, writeCheckpoint, readCheckpointState } from '../ml/train/checkpoint';
import { NonFiniteLossError, type StepResult } from '../ml/train/optimiseStep';
import type { NamedTensors } from '../ml/train/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import {
  addCheckpoint,
  appendMetrics,
  deleteCheckpoint,
  getRun,
  listCheckpoints,
  listRuns,
  ProjectStoreError,
  setRunProgress,
  setRunStatus,
  type Checkpoint,
  type JsonObject,
  type MetricPoint,
  type ProjectStore,
  type TrainingRun,
} from '../store';
import { checkpointPath } from './projectModels';
import { processAlive } from '../processAlive';

export interface Trainable {
  step: number;
  readonly totalSteps: number;
  readonly done: boolean;
  lrAt(step: number): number;
  trainStep(): Promise<StepResult>;
  networks(): Record<string, tfl.LayersModel>;
  state(): { step: number; optimiser: NamedTensors };
  restore(step: number, optimiser: NamedTensors): void;
}

export type RunPhase = 'loading' | 'training' | 'evaluating' | 'saving' | 'done' | 'paused' | 'failed';

export interface RunProgress {
  runId: number;
  kind: string;
  mode: string | null;
  phase: RunPhase;
  step: number;
  totalSteps: number;
  loss?: number;
  parts?: Record<string, number>;
  lr?: number;
  stepsPerSecond?: number;
  etaSeconds?: number;
  /** On the 'loading' event that restores a checkpoint: its step, where the run goes on from. */
  resumingFrom?: number;
  message?: string;
}

export interface RunControl {
  /** Stop request (Ctrl-C, the UI's cancel): the run saves a checkpoint and pauses. */
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /** Steps between checkpoints (default: a tenth of the run, at least 25). */
  checkpointEvery?: number;
}

export interface RunOutcome {
  run: TrainingRun;
  status: 'done' | 'paused' | 'failed';
  step: number;
  /** Step the run continued from, when it resumed. */
  resumedFrom?: number;
  metrics: JsonObject;
  /** Absolute folder of the final (or last saved) checkpoint. */
  checkpointDir?: string;
  error?: string;
}

const KEEP_CHECKPOINTS = 2;

/**
 * A loss this many times the median of the recent steps means the run has diverged. The
 * median counts as at least EXPLODE_FLOOR, so a run that fits its batches almost perfectly
 * (losses near 0) is not stopped by an ordinary harder batch.
 */
export const EXPLODING_LOSS_FACTOR = 1000;
const EXPLODE_FLOOR = 0.1;
/** Steps of history before an explosion is judged, and how many recent losses the median takes. */
const EXPLODE_MIN_HISTORY = 3;
const EXPLODE_WINDOW = 50;

/** A finite loss far above the recent ones: the weights are diverging (learning rate too high?). */
export class LossExplodedError extends Error {
  constructor(readonly step: number, readonly loss: number, readonly median: number) {
    super(`training stopped at step ${step}: the loss exploded to ${loss.toPrecision(3)}, over ${EXPLODING_LOSS_FACTOR} times the median ${median.toPrecision(3)} of the steps before`);
    this.name = 'LossExplodedError';
  }
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** What a running run's progress records about the process driving it: its pid and machine. */
function driverOf(progress: JsonObject): { pid: number | null; host: string | null } {
  return { pid: typeof progress.pid === 'number' ? progress.pid : null, host: typeof progress.host === 'string' ? progress.host : null };
}

/**
 * Whether the process that marked a run running is known to be gone: it ran on this machine
 * (or did not say where) and no process has its pid. A run driven on another machine (a
 * `depthseg worker` of a team project) is never judged from here: its job's heartbeat tells
 * (jobRepo.claimJob).
 */
export function runDriverGone(progress: JsonObject): boolean {
  const { pid, host } = driverOf(progress);
  if (host !== null && host !== hostname()) return false;
  return pid === null || (pid !== process.pid && !processAlive(pid));
}

/** Runs marked running whose process is gone (killed, crashed) become paused. */
export async function reclaimStaleRuns(store: ProjectStore, projectId: number): Promise<number[]> {
  const reclaimed: number[] = [];
  for (const r of await listRuns(store, projectId)) {
    if (r.status !== 'running') continue;
    if (runDriverGone(r.progress)) {
      await setRunStatus(store, r.id, 'paused');
      reclaimed.push(r.id);
    }
  }
  return reclaimed;
}

/**
 * One training run per project: refuses (ProjectStoreError 'busy', naming the run and the
 * process) while a run of the project is running in a live process, before anything is
 * created. Call after reclaimStaleRuns.
 */
export async function refuseWhileAnotherRuns(store: ProjectStore, projectId: number): Promise<void> {
  const other = (await listRuns(store, projectId)).find((r) => r.status === 'running');
  if (!other) return;
  const { pid, host } = driverOf(other.progress);
  const step = typeof other.progress.step === 'number' ? `, step ${other.progress.step}${typeof other.progress.totalSteps === 'number' ? `/${other.progress.totalSteps}` : ''}` : '';
  const where =
    host !== null && host !== hostname() ? `on the machine ${host} (pid ${pid ?? '?'})` : pid === process.pid ? 'in this process' : `in another process (pid ${pid ?? '?'})`;
  throw new ProjectStoreError(
    store.dbPath,
    'busy',
    `training run #${other.id} (${other.kind}${other.mode ? `, ${other.mode}` : ''}${step}) is running in this project ${where}: one training run per project; wait for it to finish or stop it there first`,
  );
}

/**
 * The run to continue for these settings: the newest paused run of the kind and mode with
 * exactly the same config, or none.
 */
export async function resumableRun(store: ProjectStore, projectId: number, kind: TrainingRun['kind'], mode: string | null, config: JsonObject): Promise<TrainingRun | undefined> {
  const same = JSON.stringify(config);
  return (await listRuns(store, projectId, kind))
    .filter((r) => r.mode === mode && r.status === 'paused' && JSON.stringify(r.config) === same)
    .pop();
}

export interface DriveOptions {
  store: ProjectStore;
  run: TrainingRun;
  trainer: Trainable;
  control: RunControl;
  /**
   * Evaluation at checkpoints and at the end: `metrics` go into the checkpoint's row and
   * state, `points` into the run's metric history (e.g. 'val/miou').
   */
  evaluate?: (step: number) => Promise<{ metrics: JsonObject; points: Record<string, number> }>;
  /** Extra state saved with each checkpoint. */
  extraState?: JsonObject;
}

export async function driveRun(o: DriveOptions): Promise<RunOutcome> {
  const { store, trainer, control } = o;
  let run = o.run;
  const total = trainer.totalSteps;
  const every = control.checkpointEvery ?? Math.max(25, Math.round(total / 10));
  const base: Pick<RunProgress, 'runId' | 'kind' | 'mode' | 'totalSteps'> = { runId: run.id, kind: run.kind, mode: run.mode, totalSteps: total };
  const emit = (p: Omit<RunProgress, 'runId' | 'kind' | 'mode' | 'totalSteps'>) => control.onProgress?.({ ...base, ...p });

  let resumedFrom: number | undefined;
  // A process killed while writing a checkpoint leaves a half-written temp folder (never
  // renamed into place, never recorded): remove it, or put back a checkpoint being replaced.
  recoverCheckpointLeftovers(dirname(join(store.dir, checkpointPath(run.id, 0))));
  let last: Checkpoint | undefined;
  for (const ckpt of (await listCheckpoints(store, run.id)).reverse()) {
    emit({ phase: 'loading', step: ckpt.step, resumingFrom: ckpt.step, message: `resuming from step ${ckpt.step}` });
    const dir = join(store.dir, ckpt.path);
    try {
      readCheckpointState(dir);
      for (const [name, model] of Object.entries(trainer.networks())) await restoreNetwork(dir, name, model);
      const opt = readOptimiserState(dir);
      try {
        trainer.restore(ckpt.step, opt);
      } finally {
        tf.dispose(Object.values(opt));
      }
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      // Unreadable (damaged on disk): never train on from it; an older checkpoint is restored in full.
      emit({ phase: 'loading', step: ckpt.step, message: `the checkpoint of step ${ckpt.step} cannot be read (${e.message}); trying the one before` });
      await deleteCheckpoint(store, ckpt.id);
      continue;
    }
    last = ckpt;
    resumedFrom = ckpt.step;
    break;
  }
  run = await setRunStatus(store, run.id, 'running');
  await setRunProgress(store, run.id, { pid: process.pid, host: hostname(), step: trainer.step, totalSteps: total });

  let lastSaved = last?.step ?? -1;
  let lastDir = last ? join(store.dir, last.path) : undefined;
  let metrics: JsonObject = {};
  let pending: MetricPoint[] = [];
  let lastProgressWrite = 0;
  const flush = async () => {
    if (pending.length) await appendMetrics(store, run.id, pending);
    pending = [];
  };
  const save = async (evaluate: boolean): Promise<void> => {
    // The metric history reaches at least the checkpoint: a run killed after it and resumed from it has no gap in its curves.
    await flush();
    if (evaluate && o.evaluate) {
      emit({ phase: 'evaluating', step: trainer.step });
      const ev = await o.evaluate(trainer.step);
      metrics = ev.metrics;
      await appendMetrics(store, run.id, Object.entries(ev.points).map(([name, value]) => ({ step: trainer.step, name, value })));
    }
    if (trainer.step === lastSaved) return;
    emit({ phase: 'saving', step: trainer.step });
    const rel = checkpointPath(run.id, trainer.step);
    const dir = join(store.dir, rel);
    const st = trainer.state();
    try {
      await writeCheckpoint(dir, trainer.networks(), st.optimiser, { step: trainer.step, config: run.config, ...(o.extraState ?? {}), metrics });
    } finally {
      tf.dispose(Object.values(st.optimiser));
    }
    await addCheckpoint(store, { runId: run.id, step: trainer.step, path: rel, metrics });
    lastSaved = trainer.step;
    lastDir = dir;
    for (const old of (await listCheckpoints(store, run.id)).slice(0, -KEEP_CHECKPOINTS)) {
      await deleteCheckpoint(store, old.id);
      rmSync(join(store.dir, old.path), { recursive: true, force: true });
    }
  };

  const times: number[] = [];
  /** Recent losses, to tell an exploding loss from a noisy one. */
  const recent: number[] = [];
  try {
    while (!trainer.done) {
      if (control.signal?.aborted) {
        await flush();
        await save(false);
        run = await setRunStatus(store, run.id, 'paused');
        await setRunProgress(store, run.id, { step: trainer.step, totalSteps: total, phase: 'paused' });
        emit({ phase: 'paused', step: trainer.step, message: `paused at step ${trainer.step}; run the same command again to continue` });
        return { run, status: 'paused', step: trainer.step, resumedFrom, metrics, checkpointDir: lastDir };
      }
      const t0 = performance.now();
      const lr = trainer.lrAt(trainer.step);
      const r = await trainer.trainStep();
      if (recent.length >= EXPLODE_MIN_HISTORY) {
        const m = median(recent);
        if (r.loss > EXPLODING_LOSS_FACTOR * Math.max(m, EXPLODE_FLOOR)) throw new LossExplodedError(trainer.step, r.loss, m);
      }
      recent.push(r.loss);
      if (recent.length > EXPLODE_WINDOW) recent.shift();
      times.push((performance.now() - t0) / 1000);
      if (times.length > 20) times.shift();
      const perStep = times.reduce((a, b) => a + b, 0) / times.length;
      const step = trainer.step;
      pending.push({ step, name: 'loss', value: r.loss }, { step, name: 'lr', value: lr });
      for (const [k, v] of Object.entries(r.parts)) pending.push({ step, name: `loss/${k}`, value: v });
      const progress = { phase: 'training' as const, step, loss: r.loss, parts: r.parts, lr, stepsPerSecond: 1 / perStep, etaSeconds: perStep * (total - step) };
      emit(progress);
      if (pending.length > 200 || performance.now() - lastProgressWrite > 2000) {
        await flush();
        await setRunProgress(store, run.id, { pid: process.pid, host: hostname(), ...progress, totalSteps: total });
        lastProgressWrite = performance.now();
      }
      if (step % every === 0 && step < total) await save(true);
    }
    await flush();
    await save(true);
    run = await setRunStatus(store, run.id, 'done');
    await setRunProgress(store, run.id, { step: trainer.step, totalSteps: total, phase: 'done' });
    emit({ phase: 'done', step: trainer.step });
    return { run, status: 'done', step: trainer.step, resumedFrom, metrics, checkpointDir: lastDir };
  } catch (e) {
    await flush();
    const diverged = e instanceof NonFiniteLossError || e instanceof LossExplodedError;
    let message = `training failed at step ${trainer.step}: ${errorMessage(e)}`;
    if (diverged) {
      // The weights that gave the bad loss are those after the previous step (an exploding
      // loss was computed before this step's update was counted): a checkpoint of them is not
      // a good one to keep or to continue from.
      const badFrom = e instanceof LossExplodedError ? e.step - 1 : trainer.step;
      const dropped: number[] = [];
      for (const c of await listCheckpoints(store, run.id)) {
        if (c.step < badFrom) continue;
        await deleteCheckpoint(store, c.id);
        rmSync(join(store.dir, c.path), { recursive: true, force: true });
        dropped.push(c.step);
      }
      const kept = (await listCheckpoints(store, run.id)).at(-1);
      lastDir = kept ? join(store.dir, kept.path) : undefined;
      message =
        `${e.message}; ` +
        (kept ? `the last good checkpoint (step ${kept.step}) is kept` : 'no good checkpoint to keep') +
        (dropped.length ? ` (the one of step ${dropped.join(', ')} held the diverging weights and was removed)` : '') +
        '; try a lower learning rate';
    }
    run = await setRunStatus(store, run.id, 'failed', message);
    emit({ phase: 'failed', step: trainer.step, message });
    if (!diverged) throw e;
    return { run: await getRun(store, run.id), status: 'failed', step: trainer.step, resumedFrom, metrics, checkpointDir: lastDir, error: message };
  }
}
