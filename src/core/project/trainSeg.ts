/**
 * `train-seg` on a project: segmentation training on the frames whose masks are done, in any
 * mode of the paper (scratch, transfer, multitask) with optional ClassMix or DepthMix and a
 * mean teacher, starting from the project's newest SDE run (or a chosen one), evaluated on
 * the validation split's ground truth, as a resumable training run of kind 'seg'.
 */
import { join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { NoCheckpointError, UsageError } from '../errors';
import { buildDepthNet, buildPoseNet, copyMatchingWeights, loadModelFromFolder, netPreset, poseOutputOf, type NetConfig } from '../ml/nets';
import { LabelCache } from '../ml/train/batches';
import { readCheckpointState } from '../ml/train/checkpoint';
import { evaluateSegmentation } from '../ml/train/evaluate';
import { FrameCache } from '../ml/train/frameCache';
import { gapOffsets } from '../ml/train/samples';
import { SegTrainer, type SdeNetworks } from '../ml/train/segTrainer';
import { defaultOf, SDE_SETTINGS, SEG_SETTINGS, segSettingsInput, segSettingsResolved, type NetName, type SegSettings } from '../settings';
import { createRun, getRun, latestCheckpoint, type JsonObject, type TrainingRun } from '../store';
import type { OpenProject } from './openProject';
import { latestModel, MODEL_SUBDIR } from './projectModels';
import { driveRun, reclaimStaleRuns, refuseWhileAnotherRuns, type RunOutcome } from './runLoop';
import { pausedRun, runFact, storedSettings } from './runResume';
import { evaluationSamples, sdeUnavailableReason, segTrainingSamples } from './trainingData';
import { parseSettings, type TrainOptions } from './trainSde';

export interface SdeSource {
  run?: TrainingRun;
  dir: string;
  net: NetName;
  height: number;
  width: number;
  /** The SDE run's source-frame gap: multi-task training keeps its SDE loss on the same frames. */
  frameGap: number;
}

/** What segmentation takes from an SDE run's config (runs saved before a setting existed get its default). */
type SdeRunConfig = { net?: string; height?: number; width?: number; frameGap?: number };
const sourceOf = (c: SdeRunConfig, dir: string): SdeSource => ({
  dir,
  net: (c.net ?? defaultOf(SDE_SETTINGS, 'net')) as NetName,
  height: c.height ?? defaultOf(SDE_SETTINGS, 'height'),
  width: c.width ?? defaultOf(SDE_SETTINGS, 'width'),
  frameGap: c.frameGap ?? defaultOf(SDE_SETTINGS, 'frameGap'),
});

function checkpointSource(dir: string): SdeSource {
  const state = readCheckpointState(dir);
  return sourceOf((state.config ?? {}) as SdeRunConfig, dir);
}

/** The SDE model a segmentation run starts from: a checkpoint folder, the named run, else the newest finished SDE run. */
export async function sdeSource(p: OpenProject, runId?: number, checkpointDir?: string): Promise<SdeSource | undefined> {
  if (checkpointDir !== undefined) return checkpointSource(resolve(checkpointDir));
  let run: TrainingRun | undefined;
  let dir: string | undefined;
  if (runId !== undefined) {
    try {
      run = await getRun(p.store, runId);
    } catch {
      throw new UsageError(`there is no training run #${runId} in this project`);
    }
    if (run.kind !== 'sde' || run.projectId !== p.project.id) throw new UsageError(`run #${runId} is not an SDE run of this project`);
    const ck = await latestCheckpoint(p.store, runId);
    if (!ck) throw new NoCheckpointError(runId, 'there is no SDE model to start from');
    dir = join(p.store.dir, ck.path);
  } else {
    const m = await latestModel(p.store, p.project.id, 'sde');
    if (!m) return undefined;
    run = m.run;
    dir = join(m.modelDir, '..');
  }
  return { run, ...sourceOf(run.config as SdeRunConfig, dir) };
}

/**
 * The SDE networks rebuilt at the segmentation size with the SDE run's weights (and the pose
 * network's own output scaling, which an earlier version saved with other values).
 */
async function loadSdeNetworks(src: SdeSource, cfg: NetConfig, size: { height: number; width: number }): Promise<SdeNetworks> {
  const load = async (name: string, build: (saved: tfl.LayersModel) => tfl.LayersModel): Promise<tfl.LayersModel> => {
    const saved = await loadModelFromFolder(join(src.dir, name));
    try {
      const net = build(saved);
      copyMatchingWeights(saved, net);
      return net;
    } finally {
      saved.dispose();
    }
  };
  return {
    depth: await load(MODEL_SUBDIR, () => buildDepthNet(cfg, size)),
    pose: await load('pose', (saved) => buildPoseNet(cfg, size, { output: poseOutputOf(saved) })),
  };
}

/** Needs the SDE networks: to start from them, or for DepthMix's depth. */
export function needsSde(s: Pick<SegSettings, 'mode' | 'mix'>): boolean {
  return s.mode !== 'scratch' || s.mix === 'depthmix';
}

/**
 * The mode and mix a run gets where the user leaves them out and the project has no SDE
 * model: the declared defaults start from one (transfer), so without it they fall back to
 * scratch without DepthMix — transfer only ties scratch on the benchmarks
 * (docs/results/2026-12-03-sde-payoff.md), so nothing is lost, and a project without video
 * (CamVid) can retrain at once. Null where the defaults need nothing the project lacks.
 */
export function segFallbackWithoutSde(
  given: Partial<Pick<SegSettings, 'mode' | 'mix'>>,
  canPretrainSde: boolean,
): { mode: SegSettings['mode']; mix: SegSettings['mix']; note: string } | null {
  const mode = given.mode ?? defaultOf(SEG_SETTINGS, 'mode');
  const mix = given.mix ?? defaultOf(SEG_SETTINGS, 'mix');
  if (!needsSde({ mode, mix })) return null;
  const fallback = {
    mode: given.mode ?? (mode === 'scratch' ? mode : 'scratch'),
    mix: given.mix ?? (mix === 'depthmix' ? 'none' : mix),
  };
  if (needsSde(fallback)) return null;
  const became = `the default ${mode}${mix !== 'none' ? ` with ${mix}` : ''} became ${fallback.mode}${fallback.mix !== 'none' ? ` with ${fallback.mix}` : ''}`;
  const note = canPretrainSde
    ? `this project has no SDE model yet, so ${became} (after SDE pretraining, runs start from its encoder)`
    : `this project has no video to learn depth from, so ${became}`;
  return { ...fallback, note };
}

/**
 * The settings of a new segmentation run: what was given over the declared defaults, with the
 * network and size of the SDE run it starts from where not given, and that run's id (the
 * newest finished SDE run unless one is named). Where the default mode needs an SDE model the
 * project lacks, scratch (`note` says so); a clear message where the mode the user chose needs one.
 */
export async function resolveSegSettings(p: OpenProject, input: Partial<SegSettings>): Promise<{ settings: SegSettings; src: SdeSource | undefined; note?: string }> {
  const given = parseSettings(segSettingsInput, input, 'segmentation training settings');
  let mode = given.mode ?? defaultOf(SEG_SETTINGS, 'mode');
  let mix = given.mix ?? defaultOf(SEG_SETTINGS, 'mix');
  const wantSde = needsSde({ mode, mix }) || (given.sdeRunId ?? null) !== null || (given.sdeCheckpoint ?? null) !== null;
  const src = wantSde ? await sdeSource(p, given.sdeRunId ?? undefined, given.sdeCheckpoint ?? undefined) : undefined;
  // Only a run that needs an SDE model the project lacks looks for video (a scan of every frame).
  const lacksSde = !src && needsSde({ mode, mix });
  const noVideo = lacksSde && (await sdeUnavailableReason(p)) !== null;
  const fallback = lacksSde ? segFallbackWithoutSde(given, !noVideo) : null;
  if (fallback) ({ mode, mix } = fallback);
  if (needsSde({ mode, mix }) && !src) {
    const what = `segmentation ${mode}${mix !== 'none' ? ` with ${mix}` : ''} starts from self-supervised depth`;
    throw new UsageError(
      noVideo
        ? `${what}, and this project has no video clips to learn it from: choose mode scratch without DepthMix, or start from another project's SDE checkpoint (--sde-checkpoint DIR)`
        : `${what}, and this project has no finished SDE run yet: run the SDE pretraining first (depthseg train-sde), or choose mode scratch without DepthMix`,
    );
  }
  const inherited = src ? { net: src.net, height: src.height, width: src.width } : {};
  const settings = parseSettings(
    segSettingsResolved,
    { ...inherited, ...given, mode, mix, sdeRunId: src?.run?.id ?? null, sdeCheckpoint: given.sdeCheckpoint ?? null },
    'segmentation training settings',
  );
  return { settings, src, ...(fallback ? { note: fallback.note } : {}) };
}

/** The frames a resumed run trains on: those it started with (its checkpoint records them), all still done. */
async function resumedLabelled<T extends { frameId: number }>(p: OpenProject, run: TrainingRun, current: readonly T[]): Promise<T[]> {
  const ckpt = await latestCheckpoint(p.store, run.id);
  const recorded = ckpt ? readCheckpointState(join(p.store.dir, ckpt.path))['labelledFrames'] : undefined;
  if (!Array.isArray(recorded)) {
    const count = runFact(run, 'labelledFrames');
    if (count !== current.length) {
      throw new UsageError(`run #${run.id} started on ${String(count)} labelled frames and ${current.length} are labelled now: it cannot continue on other labels; start a new run`);
    }
    return [...current];
  }
  const byId = new Map(current.map((s) => [s.frameId, s]));
  const missing = recorded.filter((id) => !byId.has(id as number));
  if (missing.length) {
    throw new UsageError(
      `run #${run.id} trained on frames whose masks are no longer done (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}): it cannot continue on other labels; start a new run`,
    );
  }
  return recorded.map((id) => byId.get(id as number)!);
}

/** What a resumed segmentation run trains with: its stored settings, its SDE model, and the frames it started on. */
async function resumePlan(p: OpenProject, runId: number) {
  const run = await pausedRun(p, runId, 'seg');
  const settings = storedSettings(run, SEG_SETTINGS);
  const src = settings.sdeRunId !== null || settings.sdeCheckpoint !== null ? await sdeSource(p, settings.sdeRunId ?? undefined, settings.sdeCheckpoint ?? undefined) : undefined;
  const offsets = gapOffsets(src?.frameGap ?? defaultOf(SDE_SETTINGS, 'frameGap'));
  const samples = await segTrainingSamples(p, offsets);
  return { run, settings, src, offsets, samples, labelled: await resumedLabelled(p, run, samples.labelled) };
}

/** Refuses (UsageError, saying why) a segmentation run that cannot continue; cheap enough to ask before starting a job. */
export async function checkSegResume(p: OpenProject, runId: number): Promise<void> {
  await resumePlan(p, runId);
}

export async function trainSeg(p: OpenProject, input: Partial<SegSettings>, opts: TrainOptions = {}): Promise<RunOutcome> {
  await reclaimStaleRuns(p.store, p.project.id);
  let s: SegSettings;
  let src: SdeSource | undefined;
  let resumed: TrainingRun | undefined;
  let samples: Awaited<ReturnType<typeof segTrainingSamples>>;
  let labelled: Awaited<ReturnType<typeof segTrainingSamples>>['labelled'];
  let offsets: number[];
  let note: string | undefined;
  if (opts.resume !== undefined) {
    ({ run: resumed, settings: s, src, offsets, samples, labelled } = await resumePlan(p, opts.resume));
  } else {
    ({ settings: s, src, note } = await resolveSegSettings(p, input));
    offsets = gapOffsets(src?.frameGap ?? defaultOf(SDE_SETTINGS, 'frameGap'));
    samples = await segTrainingSamples(p, offsets);
    labelled = samples.labelled;
  }
  const size = { height: s.height, width: s.width };
  const cfg: NetConfig = { ...netPreset(s.net), numClasses: p.project.labelSet.classes.length };
  if (labelled.length === 0) throw new UsageError('no labelled frames: paint some suggested frames (or depthseg import-labels) before training segmentation');
  const evalSamples = await evaluationSamples(p);
  const frames = new FrameCache(size);
  const labels = new LabelCache(size);
  const sde = src ? await loadSdeNetworks(src, cfg, size) : undefined;
  const trainer = new SegTrainer({ settings: s, net: cfg, offsets }, { labelled, unlabelled: samples.unlabelled, sde }, frames, labels);
  try {
    await refuseWhileAnotherRuns(p.store, p.project.id);
    const config = { ...s, sdeFrameGap: src?.frameGap ?? null, labelledFrames: labelled.length, ...(note ? { settingsNote: note } : {}) } as unknown as JsonObject;
    const run = resumed ?? await createRun(p.store, { projectId: p.project.id, kind: 'seg', mode: s.mode, parentRunId: src?.run?.id ?? null, config });
    return await driveRun({
      store: p.store,
      run,
      trainer,
      control: opts,
      extraState: { labelledFrames: labelled.map((l) => l.frameId) },
      evaluate: async () => {
        if (evalSamples.length === 0) return { metrics: {}, points: {} };
        const ev = await evaluateSegmentation(trainer.model, evalSamples, frames, labels, cfg.numClasses);
        const perClassIou = ev.perClassIou.map((v) => (Number.isNaN(v) ? null : v));
        const c = cfg.numClasses;
        const confusion = Array.from({ length: c }, (_, g) => Array.from(ev.confusion.counts.subarray(g * c, (g + 1) * c)));
        return {
          metrics: {
            miou: ev.miou,
            pixelAccuracy: ev.pixelAccuracy,
            perClassIou,
            confusion,
            evalFrames: ev.frames,
            majorityClass: ev.majorityClass,
            majorityShare: ev.majorityShare,
            collapsed: ev.collapsed,
          },
          points: {
            'val/miou': ev.miou,
            'val/pixelAccuracy': ev.pixelAccuracy,
            'val/majorityShare': ev.majorityShare,
            ...Object.fromEntries(ev.perClassIou.map((v, k) => [`val/iou/${k}`, v])),
          },
        };
      },
    });
  } finally {
    trainer.dispose();
    if (sde) {
      sde.depth.dispose();
      sde.pose.dispose();
    }
  }
}
