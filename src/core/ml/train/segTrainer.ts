/**
 * Segmentation training in every mode the paper compares (method.md "Way 1" and "Way 2"):
 * - mode `scratch`: the segmentation network from random weights;
 * - mode `transfer`: encoder and decoder initialised from the SDE depth network;
 * - mode `multitask`: the multi-task network initialised from the SDE network, the SDE loss
 *   (weight 1, the SDE pose network training along) kept on labelled and unlabelled batches,
 *   and the side classifier's cross-entropy averaged with the main one;
 * and, on top of any mode, semi-supervised mixing with a mean teacher:
 * - mix `classmix`: masks from half of the classes of one image (the baseline);
 * - mix `depthmix`: each pixel from the image that is closer there (SDE disparity
 *   precomputed by the SDE network under scratch/transfer, the student's own under multitask).
 * Pairs come from the step's labelled and unlabelled images alike; mixed labels are the
 * one-hot ground truth or the teacher's softmax mixed by the same mask, the loss on a mixed
 * image is weighted by its share of confident pixels, and mixed images get strong
 * augmentation (colour jitter and Gaussian blur).
 * Optimiser: SGD with momentum and weight decay, encoder (and pose) learning rate x0.1, step
 * decay, gradient-norm clipping; augmentation: crop, flip, colour jitter.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Size } from '../../data/imageIo';
import { UsageError } from '../../errors';
import { crossEntropy } from '../losses/crossEntropy';
import type { EgoRegion } from '../losses/egoMask';
import { classMixMaskTensor } from '../mix/classMix';
import { depthMixMask } from '../mix/depthMix';
import { mixByMask, oneHotLabels, pseudoLabel } from '../mix/mixByMask';
import { DECODER_PREFIX, ENCODER_PREFIX, SEG_DECODER_PREFIX, SEG_OUTPUT, buildMultiTaskNet, resetBatchNormStatistics, buildPoseNet, buildSegNet, copyMatchingWeights, multiTaskSourceName, poseOutputOf, type NetConfig } from '../nets';
import { confidenceWeight } from '../teacher';
import { cropBatch, gaussianBlur, jitterColours, sampleGeometric, samplePhotometric } from './augment';
import { LabelCache, labelBatch, rastersToTensor, segBatch } from './batches';
import type { FrameCache } from './frameCache';
import { disparities, outputsByName } from './modelIo';
import { optimiseStep, type StepResult } from './optimiseStep';
import { SgdMomentum, stepDecayLr, type NamedTensors, type ParamGroup } from './optimizers';
import { batchIndices, stepRng } from './sampling';
import type { FrameSample } from './samples';
import { requireResolved, SEG_SETTINGS, type SegSettings } from '../../settings';
import { disposeTriplets, sdeBatchLoss, type TripletBatch } from './sdeBatch';
import { tripletBatch } from './batches';
import { copyWeightsInto, updateTeacher } from './teacherModel';
import type { Rng } from '../../random';

export { MIX_MODES, SEG_MODES, type MixMode, type SegMode } from '../../settings';

export interface SegTrainConfig {
  /** Resolved settings (every knob, see settings/trainingSettings.ts); the run stores them as they are. */
  readonly settings: SegSettings;
  /** The network preset of `settings.net` with the project's number of classes. */
  readonly net: NetConfig;
  /** Source-frame offsets of the multi-task SDE loss (the SDE run's frame gap). */
  readonly offsets: readonly number[];
}

export interface SdeNetworks {
  depth: tfl.LayersModel;
  pose: tfl.LayersModel;
}

export interface SegTrainData {
  labelled: readonly FrameSample[];
  unlabelled: readonly FrameSample[];
  /** The SDE networks: required for transfer, multitask and DepthMix outside multitask. */
  sde?: SdeNetworks;
}

interface MixedBatch {
  inputs: tf.Tensor4D;
  labels: tf.Tensor3D;
  weights: tf.Tensor1D;
}

export class SegTrainer {
  readonly model: tfl.LayersModel;
  readonly teacher?: tfl.LayersModel;
  /** The pose network that keeps training with the SDE loss (multitask only). */
  readonly pose?: tfl.LayersModel;
  readonly optimiser: SgdMomentum;
  step = 0;
  private readonly variables: tf.Variable[];
  private readonly sdeDisp = new Map<string, Promise<Float32Array>>();

  private readonly size: Size;
  private readonly ego: EgoRegion | undefined;
  private readonly lrMilestones: number[];

  constructor(
    readonly config: SegTrainConfig,
    private readonly data: SegTrainData,
    private readonly frames: FrameCache,
    private readonly labels: LabelCache,
  ) {
    const c = requireResolved(SEG_SETTINGS, config.settings, 'segmentation training');
    this.size = { height: c.height, width: c.width };
    this.ego = c.egoBottomFraction > 0 ? { bottomFraction: c.egoBottomFraction } : undefined;
    this.lrMilestones = [Math.round(c.steps * c.lrDecayAt)];
    const net = config.net;
    if (data.labelled.length === 0) throw new UsageError('segmentation training: no labelled frames; label some frames first');
    const needUnlabelled = c.mode === 'multitask' || c.mix !== 'none';
    if (needUnlabelled && data.unlabelled.length === 0) throw new UsageError(`segmentation training (${c.mode}, ${c.mix}): needs unlabelled frames`);
    if (needUnlabelled && !(Number.isInteger(c.unlabelledBatch) && c.unlabelledBatch > 0)) throw new UsageError('segmentation training: unlabelledBatch must be a positive integer');
    const needSde = c.mode !== 'scratch' || c.mix === 'depthmix';
    if (needSde && !data.sde) throw new UsageError(`segmentation training (${c.mode}, ${c.mix}) needs a trained SDE model; train one first (depthseg train-sde)`);
    if (c.mode === 'multitask') {
      for (const s of [...data.labelled, ...data.unlabelled]) {
        if (!s.neighbourPaths || !s.intrinsics) throw new UsageError(`multi-task training needs every frame's video neighbours; ${s.imagePath} has none`);
      }
    }
    const build = (seed: number) => (c.mode === 'multitask' ? buildMultiTaskNet(net, this.size, { seed }) : buildSegNet(net, this.size, { seed }));
    this.model = build(c.seed);
    // What the SDE network gives: the encoder (and the depth branch a multi-task network keeps
    // training), or also its decoder as the segmentation decoder's start.
    const encoderOnly = c.transfer === 'encoder';
    const segDecoder = (name: string): boolean => name.startsWith(`${DECODER_PREFIX}_`) || name.startsWith(`${SEG_DECODER_PREFIX}_`);
    if (c.mode === 'transfer') copyMatchingWeights(data.sde!.depth, this.model, encoderOnly ? { only: (n) => !segDecoder(n) } : {});
    if (c.mode === 'multitask') {
      // The segmentation branch starts as the segmentation network of the same seed, so a
      // multi-task run starts from exactly the prediction a transfer run of that seed starts
      // from (the gated exchange adds 0 at the start). Its own draws from the seed sequence
      // (the depth branch is built first) left the seg branch stuck on the majority class in
      // 2 of 3 seeds (docs/results/2026-12-03-sde-payoff.md).
      const twin = buildSegNet(net, this.size, { seed: c.seed });
      copyMatchingWeights(twin, this.model, { sourceName: multiTaskSourceName, only: (n: string) => n.startsWith(`${SEG_DECODER_PREFIX}_`) || n === SEG_OUTPUT });
      twin.dispose();
      copyMatchingWeights(data.sde!.depth, this.model, {
        sourceName: multiTaskSourceName,
        ...(encoderOnly ? { only: (n: string) => !n.startsWith(`${SEG_DECODER_PREFIX}_`) } : {}),
      });
      this.pose = buildPoseNet(net, this.size, { seed: c.seed + 1, output: poseOutputOf(data.sde!.pose) });
      copyMatchingWeights(data.sde!.pose, this.pose);
    }
    if (c.mode !== 'scratch' && c.resetBatchNorm) resetBatchNormStatistics(this.model);
    if (c.mix !== 'none') {
      this.teacher = build(c.seed);
      copyWeightsInto(this.model, this.teacher);
    }
    const encoder: tf.Variable[] = [];
    const rest: tf.Variable[] = [];
    for (const w of this.model.trainableWeights) (w.originalName.startsWith(`${ENCODER_PREFIX}_`) ? encoder : rest).push(w.read() as tf.Variable);
    const pose = this.pose ? this.pose.trainableWeights.map((w) => w.read() as tf.Variable) : [];
    const groups: ParamGroup[] = [
      { variables: encoder, lrScale: c.encoderLrScale },
      { variables: rest, lrScale: 1 },
      { variables: pose, lrScale: c.encoderLrScale },
    ];
    this.variables = groups.flatMap((g) => g.variables);
    this.optimiser = new SgdMomentum(groups, { momentum: c.momentum, weightDecay: c.weightDecay });
  }

  /** Total steps of the run. */
  get totalSteps(): number {
    return this.config.settings.steps;
  }

  get done(): boolean {
    return this.step >= this.totalSteps;
  }

  lrAt(step: number): number {
    return stepDecayLr(this.config.settings.lr, step, this.lrMilestones);
  }

  /** The networks a checkpoint saves, by folder name. */
  networks(): Record<string, tfl.LayersModel> {
    return { model: this.model, ...(this.teacher ? { teacher: this.teacher } : {}), ...(this.pose ? { pose: this.pose } : {}) };
  }

  async trainStep(): Promise<StepResult> {
    const c = this.config.settings;
    const t = this.step;
    const nl = c.labelledBatch;
    const needUnlabelled = c.mode === 'multitask' || c.mix !== 'none';
    const lab = batchIndices(this.data.labelled.length, nl, c.seed, t, 'labelled').map((i) => this.data.labelled[i]!);
    const unl = needUnlabelled ? batchIndices(this.data.unlabelled.length, c.unlabelledBatch, c.seed, t, 'unlabelled').map((i) => this.data.unlabelled[i]!) : [];
    const nu = unl.length;
    const all = [...lab, ...unl];
    const rng = stepRng(c.seed, t, 'seg/aug');
    const geo = all.map(() => sampleGeometric(rng, { minScale: c.minCropScale, flip: true }));
    const colour = all.map(() => samplePhotometric(rng, c.jitter));

    const owned: tf.Tensor[] = [];
    let triplets: TripletBatch | undefined;
    try {
      let images: tf.Tensor4D;
      let inputs: tf.Tensor4D;
      if (c.mode === 'multitask') {
        triplets = await tripletBatch(all, this.config.offsets, geo, colour, this.frames, this.ego);
        images = triplets.target;
        inputs = triplets.targetIn;
      } else {
        const b = await segBatch(all, geo, colour, this.frames, null);
        owned.push(b.images, b.inputs);
        images = b.images;
        inputs = b.inputs;
      }
      const labels = await labelBatch(lab, geo.slice(0, nl), this.labels);
      owned.push(labels);
      const mixed = c.mix !== 'none' ? await this.mixedBatch(images, labels, all, geo, nl, nu, rng) : undefined;
      if (mixed) owned.push(mixed.inputs, mixed.labels, mixed.weights);
      const ownInputs = c.mode === 'multitask' ? inputs : tf.slice(inputs, 0, nl);
      const studentIn = mixed ? tf.concat([ownInputs, mixed.inputs], 0) : ownInputs;
      owned.push(studentIn);
      if (ownInputs !== inputs && ownInputs !== studentIn) owned.push(ownInputs);
      const mixOffset = c.mode === 'multitask' ? nl + nu : nl;

      const r = optimiseStep(
        t,
        this.optimiser,
        this.variables,
        this.lrAt(t),
        (record) => {
          const outs = outputsByName(this.model, studentIn, true);
          const seg = outs.seg!;
          let ce = crossEntropy(tf.slice(seg, 0, nl), labels);
          if (outs.seg_side) ce = tf.div(tf.add(ce, crossEntropy(tf.slice(outs.seg_side, 0, nl), labels)), 2) as tf.Scalar;
          record('ce', ce);
          let total: tf.Scalar = ce;
          if (mixed) {
            const lm = crossEntropy(tf.slice(seg, mixOffset, mixed.inputs.shape[0]), mixed.labels, { imageWeights: mixed.weights });
            record('mix', lm);
            total = tf.add(total, lm) as tf.Scalar;
          }
          if (c.mode === 'multitask') {
            const disps = disparities(outs).map((d) => tf.slice(d, 0, nl + nu));
            const sde = sdeBatchLoss(disps, this.pose!, triplets!, c.seed * 100003 + t);
            record('sde', sde.loss);
            total = tf.add(total, tf.mul(sde.loss, c.sdeWeight)) as tf.Scalar;
          }
          return total;
        },
        c.clipNorm,
      );
      if (this.teacher) updateTeacher(this.teacher, this.model, t);
      this.step = t + 1;
      return r;
    } finally {
      tf.dispose(owned);
      if (triplets) disposeTriplets(triplets);
    }
  }

  /** The step's mixed images, their labels and loss weights (no gradient flows into any of it). */
  private async mixedBatch(images: tf.Tensor4D, labels: tf.Tensor3D, all: readonly FrameSample[], geo: ReturnType<typeof sampleGeometric>[], nl: number, nu: number, rng: Rng): Promise<MixedBatch> {
    const c = this.config.settings;
    const n = nl + nu;
    const classes = this.config.net.numClasses;
    const pairs: Array<[number, number]> = [];
    for (let p = 0; p < c.mixPairs; p++) {
      const i = rng.int(n);
      const j = (i + 1 + rng.int(n - 1)) % n;
      pairs.push([i, j]);
    }
    // Rows of the mixed batch: (i over j) then (j over i) for each pair.
    const top = pairs.flatMap(([i, j]) => [i, j]);
    const bottom = pairs.flatMap(([i, j]) => [j, i]);
    const probs = tf.tidy(() => {
      const gt = oneHotLabels(labels, classes);
      if (nu === 0) return gt;
      const teacherOut = outputsByName(this.teacher!, tf.slice(images, nl, nu), false);
      return tf.concat([gt, tf.softmax(teacherOut.seg!)], 0) as tf.Tensor4D;
    });
    const disposeLater: tf.Tensor[] = [probs];
    try {
      let mask: tf.Tensor4D;
      if (c.mix === 'depthmix') {
        const disp = await this.poolDisparity(images, all, geo);
        disposeLater.push(disp);
        mask = tf.tidy(() => depthMixMask(tf.gather(disp, top), tf.gather(disp, bottom)));
      } else {
        const hard = pseudoLabel(probs);
        const topLabels = tf.gather(hard, top);
        mask = await classMixMaskTensor(topLabels as tf.Tensor3D, rng);
        tf.dispose([hard, topLabels]);
      }
      disposeLater.push(mask);
      const jitter = top.map(() => samplePhotometric(rng, c.jitter));
      const blurSigmas = top.map(() => (rng.next() < 0.5 ? 0.15 + rng.next() : 0));
      return tf.tidy(() => {
        const mixedProbs = mixByMask(tf.gather(probs, top) as tf.Tensor4D, tf.gather(probs, bottom) as tf.Tensor4D, mask);
        let mixedImages = mixByMask(tf.gather(images, top) as tf.Tensor4D, tf.gather(images, bottom) as tf.Tensor4D, mask);
        mixedImages = jitterColours(mixedImages, jitter);
        const rows = blurSigmas.map((s, k) => {
          const row = tf.slice(mixedImages, k, 1);
          return s > 0 ? gaussianBlur(row, s) : row;
        });
        return {
          inputs: tf.concat(rows, 0) as tf.Tensor4D,
          labels: pseudoLabel(mixedProbs),
          weights: confidenceWeight(mixedProbs),
        };
      });
    } finally {
      tf.dispose(disposeLater);
    }
  }

  /** Disparity in [0, 1] of the step's images [n, H, W, 1], as DepthMix takes it. */
  private async poolDisparity(images: tf.Tensor4D, all: readonly FrameSample[], geo: ReturnType<typeof sampleGeometric>[]): Promise<tf.Tensor4D> {
    if (this.config.settings.mode === 'multitask') {
      // The student's own current disparity.
      return tf.tidy(() => outputsByName(this.model, images, false).disp_0!);
    }
    const { height: h, width: w } = this.size;
    const maps = await Promise.all(all.map((s) => this.precomputedDisparity(s)));
    return tf.tidy(() => {
      const data = new Float32Array(maps.length * h * w);
      maps.forEach((m, k) => data.set(m, k * h * w));
      return cropBatch(tf.tensor4d(data, [maps.length, h, w, 1]), geo.map((g) => g.box), 'bilinear');
    });
  }

  /** The SDE network's disparity of a frame (un-augmented), computed once per frame. */
  private precomputedDisparity(s: FrameSample): Promise<Float32Array> {
    let p = this.sdeDisp.get(s.imagePath);
    if (!p) {
      p = this.frames.get(s.imagePath).then((r) => {
        const d = tf.tidy(() => outputsByName(this.data.sde!.depth, rastersToTensor([r]), false).disp_0!);
        const v = d.dataSync() as Float32Array;
        d.dispose();
        return v;
      });
      this.sdeDisp.set(s.imagePath, p);
    }
    return p;
  }

  state(): { step: number; optimiser: NamedTensors } {
    return { step: this.step, optimiser: this.optimiser.state() };
  }

  restore(step: number, optimiser: NamedTensors): void {
    this.optimiser.load(optimiser);
    this.step = step;
  }

  dispose(): void {
    this.optimiser.dispose();
    for (const m of Object.values(this.networks())) m.dispose();
  }
}
