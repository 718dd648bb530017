/**
 * Training augmentations, drawn from a seeded generator so a resumed run sees the same ones:
 * - geometric: a random crop (side scale in [minScale, 1], aspect kept) resized back to the
 *   training size, and a horizontal flip. The same crop applies to a frame's neighbours and
 *   label (nearest neighbour), and `augmentIntrinsics` moves the camera intrinsics with it, so
 *   warping stays exact (a flip mirrors the world: cx -> W - 1 - cx, fx stays positive);
 * - photometric: brightness, contrast and saturation jitter (the same for all frames of a
 *   sample; applied to network inputs only, never to the images the SDE loss compares) and,
 *   as the strong augmentation of mixed images, a Gaussian blur.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Intrinsics } from '../../data/camera';
import type { Rng } from '../../random';

/** Normalised crop box [y1, x1, y2, x2] (x1 > x2 when flipped), as tf.image.cropAndResize takes. */
export type CropBox = readonly [number, number, number, number];

export interface GeometricAug {
  box: CropBox;
  flip: boolean;
}

export interface PhotometricAug {
  brightness: number;
  contrast: number;
  saturation: number;
}

export const IDENTITY_GEOMETRY: GeometricAug = { box: [0, 0, 1, 1], flip: false };
export const IDENTITY_COLOUR: PhotometricAug = { brightness: 1, contrast: 1, saturation: 1 };

export interface GeometricOptions {
  /** Smallest crop side as a share of the image (1 = no crop). */
  minScale: number;
  flip: boolean;
}

export function sampleGeometric(rng: Rng, o: GeometricOptions): GeometricAug {
  const s = o.minScale + (1 - o.minScale) * rng.next();
  const y1 = (1 - s) * rng.next();
  const x1 = (1 - s) * rng.next();
  const flip = o.flip && rng.next() < 0.5;
  return { box: flip ? [y1, x1 + s, y1 + s, x1] : [y1, x1, y1 + s, x1 + s], flip };
}

/** Jitter factors uniform in [1 - strength, 1 + strength]. */
export function samplePhotometric(rng: Rng, strength = 0.2): PhotometricAug {
  const f = () => 1 - strength + 2 * strength * rng.next();
  return { brightness: f(), contrast: f(), saturation: f() };
}

/** Crops and resizes every image of a batch by its own box: [B, H, W, C] -> [B, H, W, C]. */
export function cropBatch(images: tf.Tensor4D, boxes: readonly CropBox[], method: 'bilinear' | 'nearest'): tf.Tensor4D {
  const [b, h, w] = images.shape;
  if (boxes.every((x) => x[0] === 0 && x[1] === 0 && x[2] === 1 && x[3] === 1)) return images.clone();
  return tf.tidy(() => {
    const boxT = tf.tensor2d(boxes.flatMap((x) => [...x]), [b, 4]);
    const ind = tf.range(0, b, 1, 'int32') as tf.Tensor1D;
    return tf.image.cropAndResize(images, boxT, ind, [h, w], method);
  });
}

/** Int32 labels [B, H, W] cropped with nearest neighbour (255 stays 255). */
export function cropLabels(labels: tf.Tensor3D, boxes: readonly CropBox[]): tf.Tensor3D {
  return tf.tidy(() => {
    const f = tf.expandDims(tf.cast(labels, 'float32'), 3) as tf.Tensor4D;
    return tf.cast(tf.round(tf.squeeze(cropBatch(f, boxes, 'nearest'), [3])), 'int32') as tf.Tensor3D;
  });
}

/** The intrinsics of a frame of size (width, height) after the crop (and flip) of `aug`. */
export function augmentIntrinsics(k: Intrinsics, aug: GeometricAug, width: number, height: number): Intrinsics {
  const [y1, xa, y2, xb] = aug.box;
  const x1 = Math.min(xa, xb);
  const sx = Math.abs(xb - xa);
  const sy = y2 - y1;
  const fx = k.fx / sx;
  const fy = k.fy / sy;
  let cx = (k.cx - x1 * (width - 1)) / sx;
  const cy = (k.cy - y1 * (height - 1)) / sy;
  if (aug.flip) cx = width - 1 - cx;
  return { ...k, fx, fy, cx, cy };
}

/** Brightness, contrast (around each image's mean) and saturation (around its grey), clipped to [0, 1]. */
export function jitterColours(images: tf.Tensor4D, params: readonly PhotometricAug[]): tf.Tensor4D {
  const b = images.shape[0];
  return tf.tidy(() => {
    const col = (k: keyof PhotometricAug) => tf.tensor4d(params.map((p) => p[k]), [b, 1, 1, 1]);
    let x = tf.mul(images, col('brightness'));
    const mean = tf.mean(x, [1, 2, 3], true);
    x = tf.add(tf.mul(tf.sub(x, mean), col('contrast')), mean);
    const grey = tf.mean(x, 3, true);
    x = tf.add(tf.mul(tf.sub(x, grey), col('saturation')), grey);
    return tf.clipByValue(x, 0, 1) as tf.Tensor4D;
  });
}

/** Normalised 1-D Gaussian taps of radius `radius` for `sigma`. */
export function gaussianTaps(sigma: number, radius: number): number[] {
  const taps = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, v) => a + v, 0);
  return taps.map((v) => v / sum);
}

/** Separable Gaussian blur of one or more images with one sigma (edges replicate). */
export function gaussianBlur(images: tf.Tensor4D, sigma: number, radius = 2): tf.Tensor4D {
  const c = images.shape[3];
  const taps = gaussianTaps(sigma, radius);
  return tf.tidy(() => {
    const kx = tf.tile(tf.reshape(tf.tensor1d(taps), [1, taps.length, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const ky = tf.reshape(kx, [taps.length, 1, c, 1]) as tf.Tensor4D;
    const padX = tf.concat([...Array(radius).fill(tf.slice(images, [0, 0, 0, 0], [-1, -1, 1, -1])), images, ...Array(radius).fill(tf.slice(images, [0, 0, images.shape[2] - 1, 0], [-1, -1, 1, -1]))], 2) as tf.Tensor4D;
    const bx = tf.depthwiseConv2d(padX, kx, 1, 'valid');
    const padY = tf.concat([...Array(radius).fill(tf.slice(bx, [0, 0, 0, 0], [-1, 1, -1, -1])), bx, ...Array(radius).fill(tf.slice(bx, [0, bx.shape[1] - 1, 0, 0], [-1, 1, -1, -1]))], 1) as tf.Tensor4D;
    return tf.depthwiseConv2d(padY, ky, 1, 'valid');
  });
}
