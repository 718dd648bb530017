/**
 * Running trained networks on images: segmentation (argmax of the `seg` logits) and
 * disparity (the full-resolution `disp_0`). Works with single-task and multi-task models, in
 * batches, leaving no tensors behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { RasterU8 } from '../data/imageIo';
import { UsageError } from '../errors';

function outputIndex(model: LayersModel, name: string): number {
  const i = model.outputNames.indexOf(name);
  if (i < 0) throw new UsageError(`model has no output '${name}' (outputs: ${model.outputNames.join(', ')})`);
  return i;
}

function inputSize(model: LayersModel): { height: number; width: number } {
  const shape = model.inputs[0]!.shape;
  return { height: shape[1]!, width: shape[2]! };
}

/** Images (RGB, 8-bit) to a float batch in [0, 1]; every image must have the model's input size. */
export function imageBatch(images: readonly RasterU8[], size: { height: number; width: number }): tf.Tensor4D {
  for (const im of images) {
    if (im.width !== size.width || im.height !== size.height || im.channels !== 3) {
      throw new UsageError(`image of ${im.width}x${im.height}x${im.channels} given to a model that takes ${size.width}x${size.height}x3`);
    }
  }
  const data = new Float32Array(images.length * size.height * size.width * 3);
  images.forEach((im, b) => {
    const off = b * im.data.length;
    for (let k = 0; k < im.data.length; k++) data[off + k] = im.data[k]! / 255;
  });
  return tf.tensor4d(data, [images.length, size.height, size.width, 3]);
}

function runOutput(model: LayersModel, batch: tf.Tensor4D, name: string): tf.Tensor4D {
  const idx = outputIndex(model, name);
  const out = model.predict(batch) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(out) ? out : [out];
  list.forEach((t, i) => {
    if (i !== idx) t.dispose();
  });
  return list[idx] as tf.Tensor4D;
}

/** trainIds per pixel (argmax over the classes), one Uint8Array per image. */
export async function predictSegmentation(model: LayersModel, images: readonly RasterU8[], batchSize = 4): Promise<Uint8Array[]> {
  const size = inputSize(model);
  const out: Uint8Array[] = [];
  for (let s = 0; s < images.length; s += batchSize) {
    const ids = tf.tidy(() => {
      const batch = imageBatch(images.slice(s, s + batchSize), size);
      return tf.argMax(runOutput(model, batch, 'seg'), 3);
    });
    const data = (await ids.data()) as Int32Array;
    ids.dispose();
    const n = size.height * size.width;
    for (let b = 0; b * n < data.length; b++) out.push(Uint8Array.from(data.subarray(b * n, (b + 1) * n)));
  }
  return out;
}

/** Sigmoid disparity in (0, 1) at input resolution (larger = closer), one per image. */
export async function predictDisparity(model: LayersModel, images: readonly RasterU8[], batchSize = 4): Promise<Float32Array[]> {
  const size = inputSize(model);
  const out: Float32Array[] = [];
  for (let s = 0; s < images.length; s += batchSize) {
    const disp = tf.tidy(() => runOutput(model, imageBatch(images.slice(s, s + batchSize), size), 'disp_0'));
    const data = (await disp.data()) as Float32Array;
    disp.dispose();
    const n = size.height * size.width;
    for (let b = 0; b * n < data.length; b++) out.push(data.slice(b * n, (b + 1) * n));
  }
  return out;
}
