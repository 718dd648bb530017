/**
 * The mean teacher as a second network of the student's architecture whose weights (batch
 * norm statistics included) follow the student's by an exponential moving average with the
 * warm-up alpha of ml/teacher (min(1 - 1/(t+1), 0.99)). A network, so it predicts and is
 * saved and loaded like any model.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { emaAlpha } from '../teacher';
import { allVariables } from './modelIo';

export function copyWeightsInto(from: tfl.LayersModel, to: tfl.LayersModel): void {
  const src = allVariables(from);
  // A real copy (mul by 1): assigning the tensor itself would share its buffer.
  tf.tidy(() => allVariables(to).forEach((v, k) => v.assign(tf.mul(src[k]!, 1))));
}

/** teacher = alpha * teacher + (1 - alpha) * student after student step `step`; returns alpha. */
export function updateTeacher(teacher: tfl.LayersModel, student: tfl.LayersModel, step: number): number {
  const alpha = emaAlpha(step);
  const s = allVariables(student);
  tf.tidy(() => {
    allVariables(teacher).forEach((t, k) => {
      t.assign(tf.add(tf.mul(t, alpha), tf.mul(s[k]!, 1 - alpha)));
    });
  });
  return alpha;
}
