/**
 * `train-sde` on a project: self-supervised depth pretraining on the train split's clips,
 * evaluated against ground-truth depth where the dataset has it (synthetic data), as a
 * resumable training run of kind 'sde'.
 */
import { z } from 'zod';
import { UsageError } from '../errors';
import { netPreset, PRESETS } from '../ml/nets';
import { evaluateDepth } from '../ml/train/evaluate';
import { FrameCache } from '../ml/train/frameCache';
import { SdeTrainer, sdeTrainConfig } from '../ml/train/sdeTrainer';
import { createRun, type JsonObject } from '../store';
import type { OpenProject } from './openProject';
import { driveRun, reclaimStaleRuns, refuseWhileAnotherRuns, resumableRun, type RunControl, type RunOutcome } from './runLoop';
import { depthEvaluationSamples, sdeTrainingSamples } from './trainingData';

const multipleOf16 = z.number().int().positive().refine((v) => v % 16 === 0, 'must be a multiple of 16');

export const sdeRunSettings = z.object({
  net: z.enum(Object.keys(PRESETS) as [keyof typeof PRESETS]).default('small'),
  height: multipleOf16.default(128),
  width: multipleOf16.default(256),
  steps: z.number().int().positive().default(2000),
  batchSize: z.number().int().positive().default(4),
  lr: z.number().positive().default(2e-4),
  /** Learning-rate multiplier of the pose network. */
  poseLrScale: z.number().positive().default(10),
  seed: z.number().int().default(1),
  /** Train on every n-th clip frame. */
  stride: z.number().int().positive().default(1),
  /**
   * Source frames at -gap and +gap around the target (monodepth2: 1). At low resolution the
   * motion between neighbouring frames is mostly under a pixel; a larger gap restores the
   * parallax the photometric loss learns depth from.
   */
  frameGap: z.number().int().min(1).max(10).default(1),
  /** Share of rows at the bottom excluded from the loss (the ego vehicle's bonnet; 0 = none). */
  egoBottomFraction: z.number().min(0).max(0.5).default(0),
});
export type SdeRunSettings = z.infer<typeof sdeRunSettings>;

/** The source-frame offsets of an SDE run with this frame gap. */
export const gapOffsets = (gap: number): number[] => [-gap, gap];

export function parseSettings<T extends z.ZodTypeAny>(schema: T, raw: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) throw new UsageError(`${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(settings)'} ${i.message}`).join('; ')}`);
  return r.data;
}

export interface TrainOptions extends RunControl {
  /** Start a new run even where a paused run with the same settings could continue. */
  restart?: boolean;
}

export async function trainSde(p: OpenProject, raw: Partial<SdeRunSettings>, opts: TrainOptions = {}): Promise<RunOutcome> {
  const s = parseSettings(sdeRunSettings, raw, 'SDE training settings');
  const size = { height: s.height, width: s.width };
  const samples = sdeTrainingSamples(p, s.stride, gapOffsets(s.frameGap));
  const frames = new FrameCache(size);
  const trainer = new SdeTrainer(
    sdeTrainConfig({
      net: netPreset(s.net),
      size,
      steps: s.steps,
      batchSize: s.batchSize,
      lr: s.lr,
      poseLrScale: s.poseLrScale,
      seed: s.seed,
      offsets: gapOffsets(s.frameGap),
      ego: s.egoBottomFraction > 0 ? { bottomFraction: s.egoBottomFraction } : undefined,
    }),
    samples,
    frames,
  );
  try {
    reclaimStaleRuns(p.store, p.project.id);
    refuseWhileAnotherRuns(p.store, p.project.id);
    const config = s as unknown as JsonObject;
    const run = (!opts.restart && resumableRun(p.store, p.project.id, 'sde', null, config)) || createRun(p.store, { projectId: p.project.id, kind: 'sde', config });
    const evalSamples = depthEvaluationSamples(p);
    return await driveRun({
      store: p.store,
      run,
      trainer,
      control: opts,
      extraState: { trainFrames: samples.length },
      evaluate: async () => {
        const d = await evaluateDepth(trainer.depth, evalSamples, frames);
        if (!d) return { metrics: { trainFrames: samples.length }, points: {} };
        const { frames: n, ...errors } = d;
        return {
          metrics: { ...errors, evalFrames: n, trainFrames: samples.length },
          points: Object.fromEntries(Object.entries(errors).map(([k, v]) => [`val/depth/${k}`, v])),
        };
      },
    });
  } finally {
    trainer.dispose();
  }
}
