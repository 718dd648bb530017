/**
 * Training settings for the API: the complete settings a run is started with (so that starting
 * again with the same ones continues a paused run: the core resumes a run whose recorded
 * settings are identical), the defaults the UI shows, and the settings that continue a given
 * paused run.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors';
import { readCheckpointState } from '../ml/train/checkpoint';
import type { OpenProject } from '../project/openProject';
import { latestModel } from '../project/projectModels';
import { resumableRun } from '../project/runLoop';
import { segTrainingSamples } from '../project/trainingData';
import { parseSettings, sdeRunSettings } from '../project/trainSde';
import { segRunSettings } from '../project/trainSeg';
import { getRun, type JsonObject, type TrainingRun } from '../store';
import type { SdeSettingsInput, SegSettingsInput, TrainingDefaults } from './contract';

type Settings = Record<string, unknown>;

/** Needs the SDE networks (as trainSeg decides). */
function needsSde(mode: string, mix: string): boolean {
  return mode !== 'scratch' || mix === 'depthmix';
}

/** The SDE run a segmentation run starts from and the net and size it gives (trainSeg's rules). */
function sdeBasis(p: OpenProject, runId: number | undefined): { runId: number; net: string; height: number; width: number } | undefined {
  let run: TrainingRun | undefined;
  if (runId !== undefined) {
    try {
      run = getRun(p.store, runId);
    } catch {
      throw new UsageError(`there is no training run ${runId} in this project`);
    }
    if (run.kind !== 'sde' || run.projectId !== p.project.id) throw new UsageError(`run ${runId} is not an SDE run of this project`);
  } else {
    run = latestModel(p.store, p.project.id, 'sde')?.run;
  }
  if (!run) return undefined;
  const c = run.config as { net?: string; height?: number; width?: number };
  return { runId: run.id, net: c.net ?? 'small', height: c.height ?? 128, width: c.width ?? 256 };
}

/** Frames with a finished mask (what segmentation trains on). */
export function labelledFrameCount(p: OpenProject): number {
  return segTrainingSamples(p).labelled.length;
}

/** Complete SDE settings: the core's defaults filled in. */
export function completeSdeSettings(input: SdeSettingsInput): Settings {
  return parseSettings(sdeRunSettings, input, 'SDE training settings') as Settings;
}

/**
 * Complete segmentation settings: the SDE run (the newest finished one unless named), and
 * the net and size from it, filled in; a clear message where the chosen mode needs an SDE
 * model the project does not have yet, or where no frame is labelled.
 */
export function completeSegSettings(p: OpenProject, input: SegSettingsInput): Settings {
  const s = parseSettings(segRunSettings, input, 'segmentation training settings');
  const need = needsSde(s.mode, s.mix);
  const basis = need || s.sdeRunId !== undefined ? sdeBasis(p, s.sdeRunId) : undefined;
  if (need && !basis) {
    throw new UsageError(
      `retraining ${s.mode}${s.mix !== 'none' ? ` with ${s.mix}` : ''} starts from self-supervised depth, and this project has no finished SDE run yet: run the SDE pretraining first (or choose mode scratch without DepthMix)`,
    );
  }
  if (labelledFrameCount(p) === 0) {
    throw new UsageError('no labelled frames yet: mark some suggested frames done in the annotator before retraining');
  }
  return {
    ...s,
    net: s.net ?? basis?.net ?? 'small',
    height: s.height ?? basis?.height ?? 128,
    width: s.width ?? basis?.width ?? 256,
    ...(basis ? { sdeRunId: basis.runId } : {}),
  };
}

export function trainingDefaults(p: OpenProject): TrainingDefaults {
  const sde = parseSettings(sdeRunSettings, {}, 'SDE training settings');
  const seg = parseSettings(segRunSettings, {}, 'segmentation training settings');
  const basis = sdeBasis(p, undefined);
  return {
    sde: { net: sde.net, height: sde.height, width: sde.width, steps: sde.steps, batchSize: sde.batchSize, lr: sde.lr, seed: sde.seed },
    seg: {
      mode: seg.mode,
      mix: seg.mix,
      net: (basis?.net ?? 'small') as TrainingDefaults['seg']['net'],
      height: basis?.height ?? 128,
      width: basis?.width ?? 256,
      steps: seg.steps,
      labelledBatch: seg.labelledBatch,
      unlabelledBatch: seg.unlabelledBatch,
      lr: seg.lr,
      seed: seg.seed,
      sdeRunId: basis?.runId ?? null,
    },
    labelledFrames: labelledFrameCount(p),
  };
}

/** The net and size an SDE checkpoint folder from elsewhere records (trainSeg's sdeCheckpoint). */
function checkpointBasis(dir: string): { runId: null; net: string; height: number; width: number } {
  const c = (readCheckpointState(resolve(dir)).config ?? {}) as { net?: string; height?: number; width?: number };
  return { runId: null, net: c.net ?? 'small', height: c.height ?? 128, width: c.width ?? 256 };
}

/** The run config trainSeg would record for these raw settings (its derivation, step by step). */
function predictedSegConfig(p: OpenProject, raw: Settings, labelled: number): string {
  const s = parseSettings(segRunSettings, raw, 'segmentation training settings');
  const basis =
    s.sdeCheckpoint !== undefined
      ? checkpointBasis(s.sdeCheckpoint)
      : needsSde(s.mode, s.mix) || s.sdeRunId !== undefined
        ? sdeBasis(p, s.sdeRunId)
        : undefined;
  return JSON.stringify({
    ...s,
    net: s.net ?? basis?.net ?? 'small',
    height: s.height ?? basis?.height ?? 128,
    width: s.width ?? basis?.width ?? 256,
    sdeRunId: basis?.runId ?? null,
    labelledFrames: labelled,
  });
}

const DERIVED = ['net', 'height', 'width', 'sdeRunId'] as const;

/**
 * Settings that make trainSde/trainSeg continue `run` (the core resumes the newest paused run
 * whose recorded settings equal the new run's). Refuses with the reason where the run cannot
 * continue: not paused, its labelled frames changed, or a newer paused run has the same settings.
 */
export function resumeSettings(p: OpenProject, run: TrainingRun): Settings {
  if (run.status !== 'paused') {
    throw new UsageError(`run #${run.id} is ${run.status}: only a paused run can be resumed${run.status === 'done' ? ' (start a new one with Retrain)' : ''}`);
  }
  if (run.kind !== 'sde' && run.kind !== 'seg') throw new UsageError(`run #${run.id} is a ${run.kind} run: only SDE and segmentation runs resume here`);
  const config = run.config as Settings;
  const recorded = JSON.stringify(config);
  let settings: Settings | undefined;
  if (run.kind === 'sde') {
    if (JSON.stringify(completeSdeSettings(config as SdeSettingsInput)) === recorded) settings = { ...config };
  } else {
    const labelled = labelledFrameCount(p);
    if (config['labelledFrames'] !== labelled) {
      throw new UsageError(
        `run #${run.id} paused while ${String(config['labelledFrames'])} frames were labelled and ${labelled} are now: it cannot continue on other labels; Retrain starts a new run on all of them`,
      );
    }
    const base: Settings = { ...config };
    delete base['labelledFrames'];
    if (base['sdeRunId'] === null) delete base['sdeRunId'];
    // Runs started elsewhere (the CLI) may have left the net, size or SDE run to the defaults,
    // which places them differently in the record: try leaving each of them out.
    const present = DERIVED.filter((k) => k in base);
    for (let mask = 0; mask < 1 << present.length && !settings; mask++) {
      const raw = { ...base };
      present.forEach((k, i) => {
        if (mask & (1 << i)) delete raw[k];
      });
      try {
        if (predictedSegConfig(p, raw, labelled) === recorded) settings = raw;
      } catch {
        // a variant that names a run no longer there: not this one
      }
    }
  }
  if (!settings) {
    throw new UsageError(
      `run #${run.id} cannot continue from here: its recorded settings cannot be given again exactly (started from the command line with settings left to other defaults, or by an older version); start a new run`,
    );
  }
  const next = resumableRun(p.store, p.project.id, run.kind, run.mode, config as JsonObject);
  if (next && next.id !== run.id) {
    throw new UsageError(`run #${next.id} has the same settings and paused later: resume that one (the newest paused run with these settings is the one that continues)`);
  }
  return settings;
}
