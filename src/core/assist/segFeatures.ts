/**
 * A segmentation run's view of a frame's superpixels, for the live assist (issue 18 point 1:
 * "where a segmentation run exists, also its logits"): the network's class probabilities
 * (softmax of its `seg` logits) averaged over each superpixel. Probabilities rather than raw
 * logits: bounded, on one scale whatever the run's length, and a mean of them is still a
 * distribution over the classes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { UsageError } from '../errors';
import { type SuperpixelFeatures, type SuperpixelLabels, poolPerSuperpixel } from './superpixelPooling';

/** The name the class probabilities carry in the features' layer list. */
export const SEG_PROBABILITIES = 'seg_softmax';

/** The class probabilities of `model` (single- or multi-task, with a `seg` output) per superpixel. */
export async function superpixelSegFeatures(model: LayersModel, rgb: Uint8Array, sp: SuperpixelLabels): Promise<SuperpixelFeatures> {
  const index = model.outputNames.indexOf('seg');
  if (index < 0) throw new UsageError(`model '${model.name}' has no 'seg' output (outputs: ${model.outputNames.join(', ')}): the assist's class features need a segmentation network`);
  return poolPerSuperpixel('segmentation features', model, rgb, sp, (outputs) => [{ name: SEG_PROBABILITIES, map: tf.softmax(outputs[index]!) }]);
}
