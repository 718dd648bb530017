import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readRgb, type RasterU8 } from '../data/imageIo';
import { labelEncodingOf, loadDepthMetres, loadLabel } from '../data';
import { datasetFile, getClip, getDataset, type Dataset, type Frame, type ProjectStore } from '../store';

/** The size a model takes (its input's height and width). */
export function modelInputSize(model: LayersModel): { height: number; width: number } {
  const s = model.inputs[0]!.shape;
  return { height: s[1]!, width: s[2]! };
}

export const hasOutput = (model: LayersModel, name: string): boolean => model.outputNames.includes(name);

/** A frame's dataset (cached per call site by the caller if needed). */
export async function frameDataset(store: ProjectStore, frame: Frame): Promise<Dataset> {
  return await getDataset(store, (await getClip(store, frame.clipId)).datasetId);
}

export async function frameImage(store: ProjectStore, frame: Frame, size: { height: number; width: number }): Promise<RasterU8> {
  return readRgb(datasetFile(await frameDataset(store, frame), frame.imagePath), size);
}

/** The dataset's own label of a frame as trainIds at `size` (nearest), or null. */
export async function frameGroundTruth(store: ProjectStore, frame: Frame, size: { height: number; width: number }): Promise<RasterU8 | null> {
  if (!frame.gtLabelPath) return null;
  const dataset = await frameDataset(store, frame);
  const path = datasetFile(dataset, frame.gtLabelPath);
  return loadLabel({ path, encoding: labelEncodingOf(dataset.format, path) }, size);
}

/** Ground-truth depth in metres at `size` (nearest; 0 = none), or null where the dataset has none. */
export async function frameDepth(store: ProjectStore, frame: Frame, size: { height: number; width: number }): Promise<Float32Array | null> {
  if (!frame.depthPath) return null;
  return loadDepthMetres(datasetFile(await frameDataset(store, frame), frame.depthPath), size);
}

/** The network's sigmoid disparity to depth in metres (the same mapping the SDE loss uses). */
export { disparityToDepth } from '../ml/geometry';
