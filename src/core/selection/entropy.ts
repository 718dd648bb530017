/**
 * Segmentation entropy, the classic active-learning score the method compares against
 * (method.md, way 3): a frame's score is the mean over its pixels of the entropy of the
 * segmentation model's softmax, -sum_c p_c log p_c (nats; log(classes) where the model is
 * undecided, 0 where it is certain). It needs a segmentation model, hence labels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RasterU8 } from '../data/imageIo';
import { UsageError } from '../errors';
import { SEG_OUTPUT } from '../ml/nets';
import { imageBatch } from '../ml/predict';

/** Logits [B, H, W, C] -> mean per-pixel softmax entropy per image [B]. */
export function entropyScores(logits: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits, 3);
    const perPixel = tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), 3));
    return tf.mean(perPixel, [1, 2]) as tf.Tensor1D;
  });
}

/** The entropy score of frames 0..count-1 under a model with a `seg` output (logits). */
export async function segmentationEntropy(
  model: LayersModel,
  count: number,
  loadImage: (index: number) => Promise<RasterU8>,
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Float32Array> {
  const idx = model.outputNames.indexOf(SEG_OUTPUT);
  if (idx < 0) throw new UsageError(`entropy selection needs a segmentation model (an output '${SEG_OUTPUT}'); this one has ${model.outputNames.join(', ')}`);
  const s = model.inputs[0]!.shape;
  const size = { height: s[1]!, width: s[2]! };
  const batch = opts.batchSize ?? 8;
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`batch size must be a positive integer (got ${batch})`);
  const out = new Float32Array(count);
  for (let start = 0; start < count; start += batch) {
    const images = await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, k) => loadImage(start + k)));
    const scores = tf.tidy(() => {
      const y = model.predict(imageBatch(images, size));
      const logits = (Array.isArray(y) ? y[idx] : y) as tf.Tensor4D;
      return entropyScores(logits);
    });
    out.set((await scores.data()) as Float32Array, start);
    scores.dispose();
    opts.onProgress?.(Math.min(count, start + batch), count);
  }
  return out;
}
