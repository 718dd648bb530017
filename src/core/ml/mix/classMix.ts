/**
 * ClassMix (the baseline DepthMix is compared with): the mask covers the pixels of image i
 * whose (pseudo-)label is one of a random half of the classes present in i. "Half" is
 * ceil(n / 2) of the n classes present (as in the DACS reference code); the ignore label never
 * counts as a class. The choice is drawn from the seeded project RNG, so runs repeat.
 * Labels are read as plain numbers (they come from a data read of the teacher's argmax or
 * from the label files); `classMixMaskTensor` wraps the result for the mixing ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { shuffled, type Rng } from '../../random';
import { IGNORE_INDEX } from '../losses/crossEntropy';
import { UsageError } from '../../errors';

/** The classes present in a label map, ascending, without the ignore label. */
export function presentClasses(labels: ArrayLike<number>, ignoreIndex = IGNORE_INDEX): number[] {
  const seen = new Set<number>();
  for (let k = 0; k < labels.length; k++) {
    const v = labels[k]!;
    if (v !== ignoreIndex) seen.add(v);
  }
  return [...seen].sort((a, b) => a - b);
}

/** ceil(n/2) classes drawn at random from those present. */
export function pickHalfOfClasses(labels: ArrayLike<number>, rng: Rng, ignoreIndex = IGNORE_INDEX): number[] {
  const present = presentClasses(labels, ignoreIndex);
  return shuffled(present, rng)
    .slice(0, Math.ceil(present.length / 2))
    .sort((a, b) => a - b);
}

/** 1 where the pixel's label is one of `classes`, as a Float32Array of the labels' length. */
export function maskOfClasses(labels: ArrayLike<number>, classes: readonly number[]): Float32Array {
  const chosen = new Set(classes);
  const mask = new Float32Array(labels.length);
  for (let k = 0; k < labels.length; k++) if (chosen.has(labels[k]!)) mask[k] = 1;
  return mask;
}

/** The ClassMix mask of one label map (H * W values). */
export function classMixMask(labels: ArrayLike<number>, rng: Rng, ignoreIndex = IGNORE_INDEX): Float32Array {
  return maskOfClasses(labels, pickHalfOfClasses(labels, rng, ignoreIndex));
}

/**
 * ClassMix masks of a batch of label maps [B, H, W] (int32 tensor), one random half per
 * image, as a float [B, H, W, 1] tensor for `mixPair`. Reads the labels (async).
 */
export async function classMixMaskTensor(
  labels: tf.Tensor3D,
  rng: Rng,
  ignoreIndex = IGNORE_INDEX,
): Promise<tf.Tensor4D> {
  if (labels.rank !== 3) {
    throw new UsageError(`classMixMaskTensor: labels must have shape [B, H, W], got [${labels.shape.join(', ')}]`);
  }
  const [b, h, w] = labels.shape;
  const data = await labels.data();
  const out = new Float32Array(b * h * w);
  for (let k = 0; k < b; k++) {
    out.set(classMixMask(data.subarray(k * h * w, (k + 1) * h * w), rng, ignoreIndex), k * h * w);
  }
  return tf.tensor4d(out, [b, h, w, 1]);
}
