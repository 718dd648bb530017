/** Small helpers for running tfjs-layers models in training code. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** The model's outputs keyed by output name (training mode switches batch norm to batch statistics). */
export function outputsByName(model: tfl.LayersModel, x: tf.Tensor, training: boolean): Record<string, tf.Tensor4D> {
  const y = model.apply(x, { training }) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(y) ? y : [y];
  const out: Record<string, tf.Tensor4D> = {};
  model.outputNames.forEach((n, k) => {
    out[n] = list[k] as tf.Tensor4D;
  });
  return out;
}

/** The variables a model trains (what the optimiser updates). */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Every weight of a model (trainable and batch-norm statistics), in a stable order. */
export function allVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.weights.map((w) => w.read() as tf.Variable);
}

/** The disparity outputs disp_0..disp_{n-1} present in `outs`, finest first. */
export function disparities(outs: Record<string, tf.Tensor4D>): tf.Tensor4D[] {
  const disps: tf.Tensor4D[] = [];
  for (let s = 0; outs[`disp_${s}`]; s++) disps.push(outs[`disp_${s}`]!);
  return disps;
}
