/**
 * `train-seg` on a project: segmentation training on the frames whose masks are done, in any
 * mode of the paper (scratch, transfer, multitask) with optional ClassMix or DepthMix and a
 * mean teacher, starting from the project's newest SDE run (or a chosen one), evaluated on
 * the validation split's ground truth, as a resumable training run of kind 'seg'.
 */
import { join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { UsageError } from '../errors';
import { buildDepthNet, buildPoseNet, copyMatchingWeights, loadModelFromFolder, netPreset, poseOutputOf, PRESETS, type NetConfig } from '../ml/nets';
import { LabelCache } from '../ml/train/batches';
import { readCheckpointState } from '../ml/train/checkpoint';
import { evaluateSegmentation } from '../ml/train/evaluate';
import { FrameCache } from '../ml/train/frameCache';
import { MIX_MODES, SEG_MODES, SegTrainer, segTrainConfig, type SdeNetworks } from '../ml/train/segTrainer';
import { createRun, getRun, latestCheckpoint, type JsonObject, type TrainingRun } from '../store';
import type { OpenProject } from './openProject';
import { latestModel, MODEL_SUBDIR } from './projectModels';
import { driveRun, reclaimStaleRuns, refuseWhileAnotherRuns, resumableRun, type RunOutcome } from './runLoop';
import { evaluationSamples, projectNumClasses, segTrainingSamples } from './trainingData';
import { gapOffsets, parseSettings, type TrainOptions } from './trainSde';

const multipleOf16 = z.number().int().positive().refine((v) => v % 16 === 0, 'must be a multiple of 16');

export const segRunSettings = z.object({
  mode: z.enum(SEG_MODES).default('multitask'),
  mix: z.enum(MIX_MODES).default('depthmix'),
  /** Network size; default: the SDE run's. */
  net: z.enum(Object.keys(PRESETS) as [keyof typeof PRESETS]).optional(),
  height: multipleOf16.optional(),
  width: multipleOf16.optional(),
  steps: z.number().int().positive().default(2000),
  labelledBatch: z.number().int().positive().default(2),
  unlabelledBatch: z.number().int().positive().default(2),
  mixPairs: z.number().int().positive().default(1),
  lr: z.number().positive().default(1e-2),
  seed: z.number().int().default(1),
  /** The SDE run to start from; default the newest finished one. */
  sdeRunId: z.number().int().positive().optional(),
  /** Or an SDE checkpoint folder from elsewhere (another project): holds model/, pose/ and state.json. */
  sdeCheckpoint: z.string().min(1).optional(),
  egoBottomFraction: z.number().min(0).max(0.5).default(0),
});
export type SegRunSettings = z.infer<typeof segRunSettings>;

interface SdeSource {
  run?: TrainingRun;
  dir: string;
  net: keyof typeof PRESETS;
  height: number;
  width: number;
  /** The SDE run's source-frame gap: multi-task training keeps its SDE loss on the same frames. */
  frameGap: number;
}

/** What segmentation takes from an SDE run's config (runs saved before a setting existed get its default). */
type SdeRunConfig = { net?: string; height?: number; width?: number; frameGap?: number };
const sourceOf = (c: SdeRunConfig, dir: string): SdeSource => ({
  dir,
  net: (c.net ?? 'small') as keyof typeof PRESETS,
  height: c.height ?? 128,
  width: c.width ?? 256,
  frameGap: c.frameGap ?? 1,
});

function checkpointSource(dir: string): SdeSource {
  const state = readCheckpointState(dir);
  return sourceOf((state.config ?? {}) as SdeRunConfig, dir);
}

function sdeSource(p: OpenProject, runId?: number, checkpointDir?: string): SdeSource | undefined {
  if (checkpointDir !== undefined) return checkpointSource(resolve(checkpointDir));
  let run: TrainingRun | undefined;
  let dir: string | undefined;
  if (runId !== undefined) {
    run = getRun(p.store, runId);
    if (run.kind !== 'sde' || run.projectId !== p.project.id) throw new UsageError(`run ${runId} is not an SDE run of this project`);
    const ck = latestCheckpoint(p.store, runId);
    if (!ck) throw new UsageError(`SDE run ${runId} has no checkpoint yet`);
    dir = join(p.store.dir, ck.path);
  } else {
    const m = latestModel(p.store, p.project.id, 'sde');
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

export async function trainSeg(p: OpenProject, raw: Partial<SegRunSettings>, opts: TrainOptions = {}): Promise<RunOutcome> {
  const s = parseSettings(segRunSettings, raw, 'segmentation training settings');
  const needSde = s.mode !== 'scratch' || s.mix === 'depthmix';
  const src = needSde || s.sdeRunId !== undefined || s.sdeCheckpoint !== undefined ? sdeSource(p, s.sdeRunId, s.sdeCheckpoint) : undefined;
  if (needSde && !src) throw new UsageError(`segmentation training (${s.mode}, ${s.mix}) starts from self-supervised depth: train it first with depthseg train-sde`);
  const netName = s.net ?? src?.net ?? 'small';
  const size = { height: s.height ?? src?.height ?? 128, width: s.width ?? src?.width ?? 256 };
  const cfg: NetConfig = { ...netPreset(netName), numClasses: projectNumClasses(p) };
  const offsets = gapOffsets(src?.frameGap ?? 1);
  const { labelled, unlabelled } = segTrainingSamples(p, offsets);
  if (labelled.length === 0) throw new UsageError('no labelled frames: paint some suggested frames (or depthseg import-labels) before training segmentation');
  const evalSamples = evaluationSamples(p);
  const frames = new FrameCache(size);
  const labels = new LabelCache(size);
  const sde = src ? await loadSdeNetworks(src, cfg, size) : undefined;
  const trainer = new SegTrainer(
    segTrainConfig({
      net: cfg,
      size,
      steps: s.steps,
      mode: s.mode,
      mix: s.mix,
      labelledBatch: s.labelledBatch,
      unlabelledBatch: s.unlabelledBatch,
      mixPairs: s.mixPairs,
      lr: s.lr,
      seed: s.seed,
      offsets,
      ego: s.egoBottomFraction > 0 ? { bottomFraction: s.egoBottomFraction } : undefined,
    }),
    { labelled, unlabelled, sde },
    frames,
    labels,
  );
  try {
    reclaimStaleRuns(p.store, p.project.id);
    refuseWhileAnotherRuns(p.store, p.project.id);
    const config = { ...s, net: netName, height: size.height, width: size.width, sdeRunId: src?.run?.id ?? null, sdeFrameGap: src?.frameGap ?? null, labelledFrames: labelled.length } as unknown as JsonObject;
    const run =
      (!opts.restart && resumableRun(p.store, p.project.id, 'seg', s.mode, config)) ||
      createRun(p.store, { projectId: p.project.id, kind: 'seg', mode: s.mode, parentRunId: src?.run?.id ?? null, config });
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
          metrics: { miou: ev.miou, pixelAccuracy: ev.pixelAccuracy, perClassIou, confusion, evalFrames: ev.frames },
          points: { 'val/miou': ev.miou, 'val/pixelAccuracy': ev.pixelAccuracy, ...Object.fromEntries(ev.perClassIou.map((v, k) => [`val/iou/${k}`, v])) },
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
