/**
 * Self-supervised depth pretraining (method.md "Way 1", monodepth2 style): a depth network
 * and a pose network trained together with Adam on frame triplets [target, -1, +1] of the
 * dataset's clips, colour jitter and horizontal flips, the loss of sdeLoss.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Size } from '../../data/imageIo';
import { UsageError } from '../../errors';
import type { EgoRegion } from '../losses/egoMask';
import { buildDepthNet, buildPoseNet, type NetConfig } from '../nets';
import { IDENTITY_GEOMETRY, sampleGeometric, samplePhotometric } from './augment';
import { tripletBatch } from './batches';
import type { FrameCache } from './frameCache';
import { disparities, outputsByName, trainableVariables } from './modelIo';
import { optimiseStep, type StepResult } from './optimiseStep';
import { Adam, stepDecayLr, type NamedTensors } from './optimizers';
import { batchIndices, stepRng } from './sampling';
import { gapOffsets, type FrameSample } from './samples';
import { requireResolved, SDE_SETTINGS, type SdeSettings } from '../../settings';
import { disposeTriplets } from './sdeBatch';
import { sdeBatchLoss } from './sdeBatch';

export interface SdeTrainConfig {
  /** Resolved settings (every knob, see settings/trainingSettings.ts); the run stores them as they are. */
  readonly settings: SdeSettings;
  /** The network preset of `settings.net`. */
  readonly net: NetConfig;
}

/** What the trainer derives from its settings: the image size, source-frame offsets, ego region, LR milestones. */
function derived(s: SdeSettings): { size: Size; offsets: number[]; ego: EgoRegion | undefined; lrMilestones: number[] } {
  return {
    size: { height: s.height, width: s.width },
    offsets: gapOffsets(s.frameGap),
    ego: s.egoBottomFraction > 0 ? { bottomFraction: s.egoBottomFraction } : undefined,
    lrMilestones: [Math.round(s.steps * s.lrDecayAt)],
  };
}

export class SdeTrainer {
  readonly depth: tfl.LayersModel;
  readonly pose: tfl.LayersModel;
  readonly optimiser: Adam;
  /** Steps done so far (the next step trains step `step`). */
  step = 0;
  private readonly variables: tf.Variable[];
  private readonly d: ReturnType<typeof derived>;

  constructor(
    readonly config: SdeTrainConfig,
    private readonly samples: readonly FrameSample[],
    private readonly frames: FrameCache,
  ) {
    const s = requireResolved(SDE_SETTINGS, config.settings, 'SDE training');
    if (samples.length === 0) throw new UsageError('SDE training: no video frames with neighbours to train on');
    this.d = derived(s);
    this.depth = buildDepthNet(config.net, this.d.size, { seed: s.seed });
    this.pose = buildPoseNet(config.net, this.d.size, { seed: s.seed + 1 });
    const depthVars = trainableVariables(this.depth);
    const poseVars = trainableVariables(this.pose);
    this.variables = [...depthVars, ...poseVars];
    this.optimiser = new Adam([{ variables: depthVars }, { variables: poseVars, lrScale: s.poseLrScale }]);
  }

  /** Total steps of the run. */
  get totalSteps(): number {
    return this.config.settings.steps;
  }

  /** The networks a checkpoint saves, by folder name (`model` is the depth network). */
  networks(): Record<string, tfl.LayersModel> {
    return { model: this.depth, pose: this.pose };
  }

  get done(): boolean {
    return this.step >= this.totalSteps;
  }

  lrAt(step: number): number {
    return stepDecayLr(this.config.settings.lr, step, this.d.lrMilestones);
  }

  async trainStep(): Promise<StepResult> {
    const c = this.config.settings;
    const t = this.step;
    const picked = batchIndices(this.samples.length, c.batchSize, c.seed, t, 'sde').map((i) => this.samples[i]!);
    const rng = stepRng(c.seed, t, 'sde/aug');
    const geo = picked.map(() => (c.flip ? sampleGeometric(rng, { minScale: 1, flip: true }) : IDENTITY_GEOMETRY));
    const colour = picked.map(() => samplePhotometric(rng, c.jitter));
    const batch = await tripletBatch(picked, this.d.offsets, geo, colour, this.frames, this.d.ego);
    try {
      const r = optimiseStep(t, this.optimiser, this.variables, this.lrAt(t), (record) => {
        const outs = outputsByName(this.depth, batch.targetIn, true);
        const l = sdeBatchLoss(disparities(outs), this.pose, batch, c.seed * 100003 + t);
        record('reprojection', l.reprojection[0]!);
        return l.loss;
      });
      this.step = t + 1;
      return r;
    } finally {
      disposeTriplets(batch);
    }
  }

  /** Optimiser state and counters for a checkpoint (the caller disposes the tensors). */
  state(): { step: number; optimiser: NamedTensors } {
    return { step: this.step, optimiser: this.optimiser.state() };
  }

  restore(step: number, optimiser: NamedTensors): void {
    this.optimiser.load(optimiser);
    this.step = step;
  }

  dispose(): void {
    this.optimiser.dispose();
    this.depth.dispose();
    this.pose.dispose();
  }
}
