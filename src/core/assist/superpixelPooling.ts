/**
 * A network's per-pixel maps of a frame, averaged over each of the frame's superpixels: the
 * step the live assist's network features share (SDE features, sdeFeatures.ts; segmentation
 * class probabilities, segFeatures.ts). The frame is run at the network's input size; each
 * frame pixel reads the map cell it falls in (nearest), so a superpixel's mean is the
 * area-weighted mean of the cells it covers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { UsageError } from '../errors';

export interface SuperpixelLabels {
  readonly width: number;
  readonly height: number;
  /** Label per pixel, 0..count-1. */
  readonly labels: Uint32Array | Uint16Array;
  readonly count: number;
}

export interface SuperpixelFeatures {
  /** count x dims, row-major: superpixel k's features at k * dims. */
  readonly features: Float32Array;
  readonly dims: number;
  /** The maps read, in order, with their channels. */
  readonly layers: { readonly name: string; readonly channels: number }[];
}

/**
 * `rgb` (3 bytes a pixel, the superpixels' size) resized to `model`'s input and run through
 * it; `maps` turns the model's outputs into the named [1, H, W, C] maps to pool (inside a
 * tidy), `what` names the features in errors.
 */
export async function poolPerSuperpixel(
  what: string,
  model: LayersModel,
  rgb: Uint8Array,
  sp: SuperpixelLabels,
  maps: (outputs: tf.Tensor[]) => { name: string; map: tf.Tensor }[],
): Promise<SuperpixelFeatures> {
  const { width, height, labels, count } = sp;
  if (rgb.length !== width * height * 3) throw new UsageError(`${what}: an RGB frame of ${width}x${height} needs ${width * height * 3} bytes, got ${rgb.length}`);
  if (labels.length !== width * height) throw new UsageError(`${what}: the superpixels have ${labels.length} labels for a ${width}x${height} frame`);
  const inShape = model.inputs[0]!.shape;
  const inH = inShape[1]!;
  const inW = inShape[2]!;
  const resized = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } })
    .resize(inW, inH, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const named = tf.tidy(() => {
    const out = model.predict(tf.tensor4d(Float32Array.from(resized, (v) => v / 255), [1, inH, inW, 3])) as tf.Tensor | tf.Tensor[];
    return maps(Array.isArray(out) ? out : [out]);
  });
  const layers: { name: string; channels: number }[] = [];
  const data: { values: Float32Array; h: number; w: number; c: number }[] = [];
  try {
    for (const { name, map } of named) {
      const [, h, w, c] = map.shape as number[];
      data.push({ values: (await map.data()) as Float32Array, h: h!, w: w!, c: c! });
      layers.push({ name, channels: c! });
    }
  } finally {
    for (const { map } of named) map.dispose();
  }
  const dims = data.reduce((s, d) => s + d.c, 0);
  const sums = new Float64Array(count * dims);
  const sizes = new Float64Array(count);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = labels[y * width + x]!;
      sizes[k]++;
      let o = k * dims;
      for (const d of data) {
        const cell = (Math.min(d.h - 1, Math.floor((y * d.h) / height)) * d.w + Math.min(d.w - 1, Math.floor((x * d.w) / width))) * d.c;
        for (let ch = 0; ch < d.c; ch++) sums[o + ch] += d.values[cell + ch]!;
        o += d.c;
      }
    }
  }
  const features = new Float32Array(count * dims);
  for (let k = 0; k < count; k++) for (let j = 0; j < dims; j++) features[k * dims + j] = sums[k * dims + j]! / (sizes[k] || 1);
  return { features, dims, layers };
}

/**
 * Feature sets of the same superpixels side by side, in order (the assist's SDE part, then its
 * class part): superpixel k's row is each set's row k in turn.
 */
export function joinSuperpixelFeatures(parts: readonly SuperpixelFeatures[]): SuperpixelFeatures {
  const dims = parts.reduce((s, f) => s + f.dims, 0);
  const count = parts[0] ? parts[0].features.length / parts[0].dims : 0;
  for (const f of parts) if (f.features.length !== count * f.dims) throw new UsageError(`joining superpixel features: ${f.features.length / f.dims} superpixels against ${count}`);
  const features = new Float32Array(count * dims);
  for (let k = 0; k < count; k++) {
    let o = k * dims;
    for (const f of parts) {
      features.set(f.features.subarray(k * f.dims, (k + 1) * f.dims), o);
      o += f.dims;
    }
  }
  return { features, dims, layers: parts.flatMap((f) => f.layers) };
}
