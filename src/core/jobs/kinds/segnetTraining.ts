/**
 * Job kind 'segnet-train': trains a reference segmentation net (engine/referenceNets) on
 * images and labels given in the parameters, with Adam and pixel-wise softmax cross-entropy.
 * A real job for the worker tests and smoke runs; the method's training jobs come from src/core/ml.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { UsageError } from '../../errors';
import { createSegNet } from '../../engine/referenceNets';
import type { JobContext, JobKind } from '../registry';
import { fromPayload } from '../tensorPayload';

const payload = z.object({
  shape: z.array(z.number().int().positive()),
  dtype: z.enum(['float32', 'int32']),
  data: z.union([z.instanceof(Float32Array), z.instanceof(Int32Array)]),
});

const schema = z.object({
  images: payload,
  labels: payload,
  numClasses: z.number().int().min(2),
  steps: z.number().int().positive(),
  learningRate: z.number().positive().default(0.01),
  widths: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]).default([8, 8, 16, 16]),
  blocks: z.number().int().min(1).default(1),
  seed: z.number().int().default(1),
  progressEvery: z.number().int().positive().default(1),
  checkpointEvery: z.number().int().min(0).default(0),
});
export type SegnetTrainingParams = z.infer<typeof schema>;

export interface SegnetTrainingResult {
  finalLoss: number;
  pixelAccuracy: number;
  parameterCount: number;
}

function parseParams(raw: unknown): SegnetTrainingParams {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new UsageError(`segnet-train parameters: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const p = r.data;
  const [n, h, w] = p.images.shape;
  if (p.images.shape.length !== 4 || p.images.dtype !== 'float32') throw new UsageError('segnet-train parameters: images must be float32 [N, H, W, C]');
  if (p.labels.dtype !== 'int32' || p.labels.shape.join() !== [n, h, w].join()) {
    throw new UsageError(`segnet-train parameters: labels must be int32 [${n}, ${h}, ${w}], got ${p.labels.dtype} [${p.labels.shape}]`);
  }
  if (h! % 8 !== 0 || w! % 8 !== 0) throw new UsageError(`segnet-train parameters: image size ${h}x${w} must be a multiple of 8`);
  return p;
}

async function run(ctx: JobContext<SegnetTrainingParams>): Promise<SegnetTrainingResult> {
  const p = ctx.params;
  const images = fromPayload(p.images, 'images') as tf.Tensor4D;
  const labels = fromPayload(p.labels, 'labels');
  const oneHot = tf.tidy(() => tf.oneHot(tf.reshape(labels, [-1]), p.numClasses));
  const net = createSegNet({
    inChannels: p.images.shape[3]!,
    outChannels: p.numClasses,
    widths: p.widths,
    blocks: p.blocks,
    decoder: true,
    seed: p.seed,
  });
  const optimizer = tf.train.adam(p.learningRate);
  const logitsOf = () => tf.reshape(net.apply(images), [-1, p.numClasses]);
  let loss = Number.NaN;
  let step = 0;
  try {
    for (step = 1; step <= p.steps; step++) {
      const lossT = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(oneHot, logitsOf()) as tf.Scalar, true, net.variables)!;
      loss = (await lossT.data())[0]!;
      lossT.dispose();
      if (!Number.isFinite(loss)) throw new Error(`segnet-train: loss became ${loss} at step ${step}`);
      if (step % p.progressEvery === 0 || step === p.steps) ctx.progress({ step, totalSteps: p.steps, loss });
      if (ctx.checkpointRequested() || (p.checkpointEvery > 0 && step % p.checkpointEvery === 0)) {
        await ctx.checkpoint(step, Object.fromEntries(net.variables.map((v) => [v.name, v])));
      }
      await ctx.tick();
      if (ctx.isCancelled()) break;
    }
    const accuracy = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logitsOf(), 1), tf.argMax(oneHot, 1)), 'float32')));
    const pixelAccuracy = (await accuracy.data())[0]!;
    accuracy.dispose();
    return { finalLoss: loss, pixelAccuracy, parameterCount: net.parameterCount };
  } finally {
    optimizer.dispose();
    tf.dispose([images, labels, oneHot, ...net.variables]);
  }
}

export const segnetTraining: JobKind<SegnetTrainingParams, SegnetTrainingResult> = { name: 'segnet-train', parseParams, run };
