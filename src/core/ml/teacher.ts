/**
 * Mean teacher for semi-supervised segmentation: an exponential moving average of the
 * student's weights, updated after each student step,
 *   teacher = alpha * teacher + (1 - alpha) * student,  alpha = min(1 - 1/(t + 1), 0.99),
 * so at step 0 the teacher copies the student and the average lengthens during warm-up.
 * Its softmax gives the pseudo-labels; `confidenceWeight` gives their loss weight.
 */
import * as tf from '@tensorflow/tfjs-core';
import { requireRank } from './losses/tensorChecks';
import { UsageError } from '../errors';

export const EMA_MAX_ALPHA = 0.99;
export const CONFIDENCE_THRESHOLD = 0.968;

/** alpha for the update after student step `step` (0-based). */
export function emaAlpha(step: number, maxAlpha = EMA_MAX_ALPHA): number {
  if (!(Number.isInteger(step) && step >= 0)) throw new UsageError(`emaAlpha: step must be an integer >= 0, got ${step}`);
  return Math.min(1 - 1 / (step + 1), maxAlpha);
}

export class MeanTeacher {
  /** The teacher's weights, in the order of the student's; not trainable. */
  readonly weights: tf.Variable[];

  constructor(
    private readonly student: readonly tf.Variable[],
    private readonly maxAlpha = EMA_MAX_ALPHA,
  ) {
    // A real copy: a variable made straight from another tensor shares its data buffer, and a
    // training kernel that updates the student in place would then move the teacher too.
    this.weights = student.map((v) => {
      const copy = tf.mul(v, tf.scalar(1, v.dtype));
      const t = tf.variable(copy, false, undefined, v.dtype);
      copy.dispose();
      return t;
    });
  }

  /** Moves the teacher towards the student after student step `step`; returns the alpha used. */
  update(step: number): number {
    const alpha = emaAlpha(step, this.maxAlpha);
    tf.tidy(() => {
      this.weights.forEach((t, k) => {
        const s = this.student[k]!;
        t.assign(tf.add(tf.mul(t, alpha), tf.mul(s, 1 - alpha)));
      });
    });
    return alpha;
  }

  /** Overwrites the teacher's weights (resuming from a checkpoint); shapes must match. */
  load(values: readonly tf.Tensor[]): void {
    if (values.length !== this.weights.length) {
      throw new UsageError(`MeanTeacher.load: got ${values.length} tensors for ${this.weights.length} weights`);
    }
    values.forEach((v, k) => {
      const t = this.weights[k]!;
      if (v.shape.join(',') !== t.shape.join(',')) {
        throw new UsageError(`MeanTeacher.load: weight ${k} has shape [${v.shape}], expected [${t.shape}]`);
      }
      t.assign(v);
    });
  }

  dispose(): void {
    this.weights.forEach((t) => t.dispose());
  }
}

/**
 * Share of pixels whose highest class probability is >= the threshold (0.968), per image:
 * probs [B, H, W, C] -> [B]. The pseudo-label loss of an image is weighted by it.
 */
export function confidenceWeight(probs: tf.Tensor4D, threshold = CONFIDENCE_THRESHOLD): tf.Tensor1D {
  requireRank('confidenceWeight', 'probs', probs, 4);
  return tf.tidy(() => tf.mean(tf.cast(tf.greaterEqual(tf.max(probs, 3), threshold), 'float32'), [1, 2]) as tf.Tensor1D);
}
