/**
 * Depth uncertainty for frame selection (method.md, way 3): a small *student* depth network is
 * trained from scratch, each round, only on the frames selected so far, to regress the SDE
 * *teacher*'s disparity. Where the student fails to imitate the teacher, the frame shows
 * something the selected frames do not cover. A frame's score is
 *   u = mean over kept pixels of |log(1 + d_student) - log(1 + d_teacher)|
 * with both disparities the networks' full-resolution sigmoid output `disp_0`, keeping every
 * pixel except the bottom 13% of rows (the ego vehicle) and far pixels: those where the
 * teacher's disparity is below 0.07, that far mask dilated by a 7x7 max-pool.
 *
 * Student loss: berHu between the student's and the teacher's disparity at all four scales
 * (disp_0..disp_3, each against the teacher's output of the same scale), averaged over the
 * scales; every pixel counts in training (the masks only apply to the score).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RasterU8 } from '../data/imageIo';
import { UsageError } from '../errors';
import { berhu } from '../ml/losses/berhu';
import { egoMask } from '../ml/losses/egoMask';
import { buildDepthNet, DISP_OUTPUTS, SMALL, type NetConfig } from '../ml/nets';
import { imageBatch } from '../ml/predict';
import { createRng, shuffled } from '../random';

/** Bottom fraction of rows left out of the score (ego vehicle). */
export const EGO_BOTTOM_FRACTION = 0.13;
/** Teacher disparity below which a pixel is "far" and left out of the score. */
export const FAR_DISPARITY = 0.07;
/** Side of the max-pool that dilates the far mask. */
export const FAR_DILATION = 7;

/**
 * Per-image uncertainty of a batch: student and teacher disparity [B, H, W, 1] (sigmoid
 * disparities in (0, 1)) -> [B]. An image with no kept pixel scores 0.
 */
export function uncertaintyScores(student: tf.Tensor4D, teacher: tf.Tensor4D): tf.Tensor1D {
  if (student.shape.join() !== teacher.shape.join() || student.shape[3] !== 1) {
    throw new UsageError(`uncertaintyScores: student ${JSON.stringify(student.shape)} and teacher ${JSON.stringify(teacher.shape)} must both be [B, H, W, 1]`);
  }
  const [b, h, w] = student.shape;
  return tf.tidy(() => {
    const far = tf.cast(tf.less(teacher, FAR_DISPARITY), 'float32') as tf.Tensor4D;
    // 'same' max-pooling ignores the padding, so the dilation stops at the border.
    const farDilated = tf.maxPool(far, FAR_DILATION, 1, 'same');
    const keep = tf.mul(egoMask(b, h, w, { bottomFraction: EGO_BOTTOM_FRACTION }), tf.sub(1, farDilated));
    const err = tf.abs(tf.sub(tf.log1p(student), tf.log1p(teacher)));
    const kept = tf.sum(keep, [1, 2, 3]);
    return tf.div(tf.sum(tf.mul(err, keep), [1, 2, 3]), tf.maximum(kept, 1)) as tf.Tensor1D;
  });
}

export interface StudentOptions {
  /** Network size of the student (default SMALL); its input size is the teacher's. */
  readonly config?: NetConfig;
  /** Optimiser steps. */
  readonly steps: number;
  /** Frames per step (default 4, at most the number of frames). */
  readonly batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  readonly learningRate?: number;
  /** Seeds the student's initial weights and the batch order. */
  readonly seed: number;
  /** Called after each step with its berHu loss. */
  readonly onStep?: (step: number, total: number, loss: number) => void;
}

export interface TrainedStudent {
  /** The student depth network; the caller disposes it. */
  readonly model: LayersModel;
  /** Loss of every step, in order. */
  readonly losses: readonly number[];
}

function inputSizeOf(model: LayersModel): { height: number; width: number } {
  const s = model.inputs[0]!.shape;
  return { height: s[1]!, width: s[2]! };
}

/** The teacher's disparity outputs in the order disp_0..disp_3. */
function teacherOutputs(teacher: LayersModel, x: tf.Tensor4D): tf.Tensor4D[] {
  const idx = DISP_OUTPUTS.map((name) => {
    const i = teacher.outputNames.indexOf(name);
    if (i < 0) throw new UsageError(`the teacher has no output '${name}' (outputs: ${teacher.outputNames.join(', ')}): it must be a depth network`);
    return i;
  });
  const out = teacher.predict(x) as tf.Tensor[];
  const list = Array.isArray(out) ? out : [out];
  const picked = idx.map((i) => list[i] as tf.Tensor4D);
  list.forEach((t) => {
    if (!picked.includes(t as tf.Tensor4D)) t.dispose();
  });
  return picked;
}

/**
 * Trains a student depth network from scratch on `images` (the selected frames, at the
 * teacher's input size) to regress the teacher's disparity at all four scales (berHu), with
 * Adam. The teacher's targets are computed once, then batches are drawn in a seeded shuffled
 * order (every frame once per epoch).
 */
export async function trainStudent(teacher: LayersModel, images: readonly RasterU8[], opts: StudentOptions): Promise<TrainedStudent> {
  if (images.length === 0) throw new UsageError('the student needs at least one selected frame to train on');
  if (!Number.isInteger(opts.steps) || opts.steps < 0) throw new UsageError(`student steps must be an integer >= 0 (got ${opts.steps})`);
  const size = inputSizeOf(teacher);
  const batchSize = Math.min(opts.batchSize ?? 4, images.length);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`student batch size must be a positive integer (got ${opts.batchSize})`);
  // Teacher targets per frame and scale, kept as plain arrays (tensors are made per step).
  const targets: Float32Array[][] = DISP_OUTPUTS.map(() => []);
  const scaleShapes: Array<[number, number]> = [];
  for (let s = 0; s < images.length; s += 8) {
    const part = images.slice(s, s + 8);
    const outs = tf.tidy(() => teacherOutputs(teacher, imageBatch(part, size)));
    for (const [k, t] of outs.entries()) {
      scaleShapes[k] = [t.shape[1], t.shape[2]];
      const data = (await t.data()) as Float32Array;
      const n = t.shape[1] * t.shape[2];
      for (let b = 0; b < part.length; b++) targets[k]!.push(data.slice(b * n, (b + 1) * n));
    }
    tf.dispose(outs);
  }

  const model = buildDepthNet(opts.config ?? SMALL, size, { seed: opts.seed });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(opts.learningRate ?? 1e-3);
  const rng = createRng(opts.seed);
  let order: number[] = [];
  const losses: number[] = [];
  try {
    for (let step = 0; step < opts.steps; step++) {
      if (order.length < batchSize) order = shuffled(images.map((_, i) => i), rng);
      const pick = order.splice(0, batchSize);
      const x = imageBatch(pick.map((i) => images[i]!), size);
      const ys = scaleShapes.map(([h, w], k) => {
        const buf = new Float32Array(pick.length * h * w);
        pick.forEach((i, b) => buf.set(targets[k]![i]!, b * h * w));
        return tf.tensor4d(buf, [pick.length, h, w, 1]);
      });
      const lossT = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const outs = model.apply(x, { training: true }) as tf.Tensor[];
            const perScale = ys.map((y, k) => berhu(outs[k]!, y));
            return tf.div(tf.addN(perScale), perScale.length) as tf.Scalar;
          }),
        true,
        vars,
      );
      const loss = (await lossT!.data())[0]!;
      tf.dispose([lossT!, x, ...ys]);
      losses.push(loss);
      opts.onStep?.(step + 1, opts.steps, loss);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
  return { model, losses };
}

export interface ScoreOptions {
  /** Frames per forward pass (default 8). */
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The uncertainty of frames 0..count-1 (loaded at the teacher's input size) under a trained
 * student: one forward pass of each network per batch, the next batch loading meanwhile.
 */
export async function scoreUncertainty(
  student: LayersModel,
  teacher: LayersModel,
  count: number,
  loadImage: (index: number) => Promise<RasterU8>,
  opts: ScoreOptions = {},
): Promise<Float32Array> {
  const size = inputSizeOf(teacher);
  const batch = opts.batchSize ?? 8;
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`batch size must be a positive integer (got ${batch})`);
  const out = new Float32Array(count);
  const load = (s: number) => Promise.all(Array.from({ length: Math.min(batch, count - s) }, (_, k) => loadImage(s + k)));
  let next = count > 0 ? load(0) : null;
  for (let s = 0; s < count; s += batch) {
    const images = await next!;
    next = s + batch < count ? load(s + batch) : null;
    const scores = tf.tidy(() => {
      const x = imageBatch(images, size);
      const t = teacherOutputs(teacher, x)[0]!;
      const so = student.predict(x) as tf.Tensor[];
      return uncertaintyScores((Array.isArray(so) ? so[0] : so) as tf.Tensor4D, t);
    });
    out.set((await scores.data()) as Float32Array, s);
    scores.dispose();
    opts.onProgress?.(Math.min(count, s + batch), count);
  }
  return out;
}
