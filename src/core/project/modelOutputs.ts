import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readRgb, readU16, type RasterU8 } from '../data/imageIo';
import { labelEncodingOf, loadLabel } from '../data';
import { MAX_DEPTH, MIN_DEPTH } from '../ml/geometry';
import { datasetFile, getClip, getDataset, type Dataset, type Frame, type ProjectStore } from '../store';

/** The size a model takes (its input's height and width). */
export function modelInputSize(model: LayersModel): { height: number; width: number } {
  const s = model.inputs[0]!.shape;
  return { height: s[1]!, width: s[2]! };
}

export const hasOutput = (model: LayersModel, name: string): boolean => model.outputNames.includes(name);

/** A frame's dataset (cached per call site by the caller if needed). */
export function frameDataset(store: ProjectStore, frame: Frame): Dataset {
  return getDataset(store, getClip(store, frame.clipId).datasetId);
}

export function frameImage(store: ProjectStore, frame: Frame, size: { height: number; width: number }): Promise<RasterU8> {
  return readRgb(datasetFile(frameDataset(store, frame), frame.imagePath), size);
}

/** The dataset's own label of a frame as trainIds at `size` (nearest), or null. */
export async function frameGroundTruth(store: ProjectStore, frame: Frame, size: { height: number; width: number }): Promise<RasterU8 | null> {
  if (!frame.gtLabelPath) return null;
  const dataset = frameDataset(store, frame);
  const path = datasetFile(dataset, frame.gtLabelPath);
  return loadLabel({ path, encoding: labelEncodingOf(dataset.format, path) }, size);
}

/** Ground-truth depth in metres at `size` (nearest; 0 = none), or null where the dataset has none. */
export async function frameDepth(store: ProjectStore, frame: Frame, size: { height: number; width: number }): Promise<Float32Array | null> {
  if (!frame.depthPath) return null;
  const d = await readU16(datasetFile(frameDataset(store, frame), frame.depthPath));
  const out = new Float32Array(size.height * size.width);
  for (let y = 0; y < size.height; y++) {
    const sy = Math.min(d.height - 1, Math.floor(((y + 0.5) * d.height) / size.height));
    for (let x = 0; x < size.width; x++) {
      const sx = Math.min(d.width - 1, Math.floor(((x + 0.5) * d.width) / size.width));
      out[y * size.width + x] = d.data[sy * d.width + sx]! / 100;
    }
  }
  return out;
}

/** The network's sigmoid disparity to depth in metres (the same mapping the SDE loss uses). */
export function disparityToDepth(disp: Float32Array, minDepth = MIN_DEPTH, maxDepth = MAX_DEPTH): Float32Array {
  const lo = 1 / maxDepth;
  const hi = 1 / minDepth;
  return disp.map((v) => 1 / (lo + (hi - lo) * v));
}
