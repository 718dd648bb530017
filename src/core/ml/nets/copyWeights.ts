/**
 * Initialises one network from another by layer name: every layer of `to` that has weights
 * takes the weights of the layer of `from` with the same name (or the name `sourceName`
 * maps it to) when that layer has the same number of weights with the same shapes.
 * Batch-norm moving statistics travel with the layer, as they are its weights.
 */
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
}

export function copyMatchingWeights(from: tfl.LayersModel, to: tfl.LayersModel, opts: CopyOptions = {}): CopyReport {
  const sources = new Map(from.layers.map((l) => [l.name, l]));
  const report: CopyReport = { copied: [], skipped: [] };
  for (const layer of to.layers) {
    if (layer.weights.length === 0) continue;
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
