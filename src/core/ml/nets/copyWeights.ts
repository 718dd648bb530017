/**
 * Initialises one network from another by layer name: every layer of `to` that has weights
 * takes the weights of the layer of `from` with the same name (or the name `sourceName`
 * maps it to) when that layer has the same number of weights with the same shapes.
 * Batch-norm moving statistics travel with the layer, as they are its weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface CopyReport {
  /** Layers of `to` whose weights were copied. */
  copied: string[];
  /** Layers of `to` with weights that were left as they were, and why. */
  skipped: Array<{ layer: string; reason: string }>;
}

export interface CopyOptions {
  /** Name of the source layer for a target layer name (default: the same name). */
  sourceName?: (targetLayer: string) => string;
  /** Copy only the layers of `to` this accepts (default: all). */
  only?: (targetLayer: string) => boolean;
}

export function copyMatchingWeights(from: tfl.LayersModel, to: tfl.LayersModel, opts: CopyOptions = {}): CopyReport {
  const sources = new Map(from.layers.map((l) => [l.name, l]));
  const report: CopyReport = { copied: [], skipped: [] };
  for (const layer of to.layers) {
    if (layer.weights.length === 0) continue;
    if (opts.only && !opts.only(layer.name)) {
      report.skipped.push({ layer: layer.name, reason: 'not asked for' });
      continue;
    }
    const srcName = opts.sourceName ? opts.sourceName(layer.name) : layer.name;
    const src = sources.get(srcName);
    if (!src) {
      report.skipped.push({ layer: layer.name, reason: `no layer '${srcName}' in ${from.name}` });
      continue;
    }
    const want = layer.weights.map((w) => w.shape.join('x'));
    const have = src.weights.map((w) => w.shape.join('x'));
    if (want.join() !== have.join()) {
      report.skipped.push({ layer: layer.name, reason: `shapes [${want.join(', ')}] != '${srcName}' [${have.join(', ')}]` });
      continue;
    }
    layer.setWeights(src.getWeights());
    report.copied.push(layer.name);
  }
  return report;
}

/** Sets every batch-norm layer's running mean to 0 and variance to 1 (its scale and shift stay). */
export function resetBatchNormStatistics(model: tfl.LayersModel): string[] {
  const reset: string[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const weights = layer.getWeights();
    const names = layer.weights.map((w) => w.originalName.split('/').pop());
    layer.setWeights(
      weights.map((w, i) => (names[i] === 'moving_mean' ? tf.zerosLike(w) : names[i] === 'moving_variance' ? tf.onesLike(w) : w)),
    );
    reset.push(layer.name);
  }
  return reset;
}
