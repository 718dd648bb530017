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
import { DEFAULT_OFFSETS, type FrameSample } from './samples';
import { disposeTriplets } from './sdeBatch';
import { sdeBatchLoss } from './sdeBatch';

export interface SdeTrainConfig {
  net: NetConfig;
  size: Size;
  steps: number;
  batchSize: number;
  /** Adam learning rate (reference 1e-4), decayed x0.1 at each milestone step. */
  lr: number;
  lrMilestones: number[];
  seed: number;
  offsets: number[];
  /** Colour jitter strength (factors in [1 - j, 1 + j]). */
  jitter: number;
  flip: boolean;
  /** Ego-vehicle region excluded from the loss (real Cityscapes: the bonnet). */
  ego?: EgoRegion;
  /**
   * Learning-rate multiplier of the pose network (default 10). Its outputs are the head's
   * activations times 0.01 (rotation) and 0.1 (translation), so with Adam they move by about
   * a hundredth or a tenth of the learning rate per step: too slowly for a few hundred steps
   * from scratch, where the depth's scale follows the translation's.
   */
  poseLrScale: number;
}

export function sdeTrainConfig(p: Partial<SdeTrainConfig> & Pick<SdeTrainConfig, 'net' | 'size' | 'steps'>): SdeTrainConfig {
  const c: SdeTrainConfig = {
    batchSize: 4,
    lr: 1e-4,
    lrMilestones: [Math.round(p.steps * 0.75)],
    seed: 1,
    offsets: [...DEFAULT_OFFSETS],
    jitter: 0.2,
    flip: true,
    poseLrScale: 10,
    ...p,
  };
  if (!(c.steps > 0 && Number.isInteger(c.steps))) throw new UsageError(`SDE training: steps must be a positive integer, got ${c.steps}`);
  if (!(c.batchSize > 0 && Number.isInteger(c.batchSize))) throw new UsageError(`SDE training: batch size must be a positive integer, got ${c.batchSize}`);
  if (!(c.lr > 0)) throw new UsageError(`SDE training: learning rate must be > 0, got ${c.lr}`);
  return c;
}

export class SdeTrainer {
  readonly depth: tfl.LayersModel;
  readonly pose: tfl.LayersModel;
  readonly optimiser: Adam;
  /** Steps done so far (the next step trains step `step`). */
  step = 0;
  private readonly variables: tf.Variable[];

  constructor(
    readonly config: SdeTrainConfig,
    private readonly samples: readonly FrameSample[],
    private readonly frames: FrameCache,
  ) {
    if (samples.length === 0) throw new UsageError('SDE training: no video frames with neighbours to train on');
    this.depth = buildDepthNet(config.net, config.size, { seed: config.seed });
    this.pose = buildPoseNet(config.net, config.size, { seed: config.seed + 1 });
    const depthVars = trainableVariables(this.depth);
    const poseVars = trainableVariables(this.pose);
    this.variables = [...depthVars, ...poseVars];
    this.optimiser = new Adam([{ variables: depthVars }, { variables: poseVars, lrScale: config.poseLrScale }]);
  }

  /** The networks a checkpoint saves, by folder name (`model` is the depth network). */
  networks(): Record<string, tfl.LayersModel> {
    return { model: this.depth, pose: this.pose };
  }

  get done(): boolean {
    return this.step >= this.config.steps;
  }

  lrAt(step: number): number {
    return stepDecayLr(this.config.lr, step, this.config.lrMilestones);
  }

  async trainStep(): Promise<StepResult> {
    const c = this.config;
    const t = this.step;
    const picked = batchIndices(this.samples.length, c.batchSize, c.seed, t, 'sde').map((i) => this.samples[i]!);
    const rng = stepRng(c.seed, t, 'sde/aug');
    const geo = picked.map(() => (c.flip ? sampleGeometric(rng, { minScale: 1, flip: true }) : IDENTITY_GEOMETRY));
    const colour = picked.map(() => samplePhotometric(rng, c.jitter));
    const batch = await tripletBatch(picked, c.offsets, geo, colour, this.frames, c.ego);
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
