/**
 * Selection features from the SDE depth network (method.md, way 3): a decoder layer's output,
 * average-pooled to a 4 x 8 grid and flattened, one row per frame; standardised per channel over
 * the whole dataset before distances are taken. Features are cached per frame in the project
 * store under a key that names the model's exact weights, so a changed SDE model recomputes
 * them and only frames missing from the cache are run through the network.
 *
 * Which decoder layer: `dec_up0_1`, the last decoder convolution, at full resolution (stride 1),
 * the input of the `disp_0` head. It is the highest-resolution decoder feature level before the
 * disparity head: the features from which the full-resolution depth is read, which carry the
 * scene's layout (road, façades, near objects) that selection needs to tell frames apart. Its
 * channel count is cfg.decoder.channels[0] (64 in the reference, 16 in SMALL, 4 in TINY), so a
 * frame's vector has channels x 32 values. Pooling a stride-1 map to 4 x 8 averages whole
 * regions, so the extra resolution costs nothing in the vector size.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { RasterU8 } from '../data/imageIo';
import { DataError, UsageError } from '../errors';
import { DECODER_PREFIX } from '../ml/nets/depthDecoder';
import { MODEL_JSON, WEIGHTS_BIN } from '../ml/nets/modelFiles';
import { imageBatch } from '../ml/predict';
import { dropFeatures, featureModels, putFeatures, readFeatures, type ProjectStore } from '../store';
import { featureMatrix, standardisePerChannel, type FeatureMatrix } from './featureMatrix';

/** The decoder layer whose output the features pool (see the module comment for why). */
export const SDE_FEATURE_LAYER = `${DECODER_PREFIX}_up0_1`;
/** The pooling grid: 4 rows x 8 columns of cells (method.md). */
export const FEATURE_GRID = { rows: 4, cols: 8 } as const;
export const FEATURE_CELLS = FEATURE_GRID.rows * FEATURE_GRID.cols;
/** Every cache key of SDE selection features starts with this. */
export const SDE_FEATURE_KEY_PREFIX = 'sde-features';

export interface SdeFeatureExtractor {
  readonly layer: string;
  /** Channels of the layer: each frame's vector holds `channels` blocks of 32 cells. */
  readonly channels: number;
  /** channels x 32. */
  readonly dims: number;
  /** The model's input size; images must have it. */
  readonly inputSize: { height: number; width: number };
  /** Images [B, H, W, 3] in [0, 1] -> features [B, dims], channel-major (channel c holds values c*32 .. c*32+31, cells row-major). */
  extract(images: tf.Tensor4D): tf.Tensor2D;
}

/**
 * A feature extractor over `model`'s layer `layer` (default SDE_FEATURE_LAYER). The model is a
 * depth network from buildDepthNet (built, or loaded with loadModelFromFolder). The extractor
 * shares the model's weights; dispose the model, never the extractor.
 */
export function sdeFeatureExtractor(model: tfl.LayersModel, layer = SDE_FEATURE_LAYER): SdeFeatureExtractor {
  let target: tfl.layers.Layer;
  try {
    target = model.getLayer(layer);
  } catch {
    throw new UsageError(`model '${model.name}' has no layer '${layer}': selection features need a depth network built by buildDepthNet`);
  }
  const out = target.output;
  if (Array.isArray(out) || out.shape.length !== 4) throw new UsageError(`layer '${layer}' of model '${model.name}' does not give one [B, H, W, C] feature map`);
  const [, h, w, c] = out.shape;
  const inShape = model.inputs[0]!.shape;
  const inputSize = { height: inShape[1]!, width: inShape[2]! };
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') throw new UsageError(`layer '${layer}' has no fixed size`);
  if (h % FEATURE_GRID.rows !== 0 || w % FEATURE_GRID.cols !== 0) {
    throw new UsageError(`layer '${layer}' is ${h}x${w}: it must split into a ${FEATURE_GRID.rows}x${FEATURE_GRID.cols} grid`);
  }
  // A view of the same layers with the feature map as output. Building it creates no weights;
  // disposing it would dispose the depth model's weights, so it is never disposed.
  const sub = tfl.model({ inputs: model.inputs, outputs: out });
  const cell: [number, number] = [h / FEATURE_GRID.rows, w / FEATURE_GRID.cols];
  return {
    layer,
    channels: c,
    dims: c * FEATURE_CELLS,
    inputSize,
    extract: (images) =>
      tf.tidy(() => {
        const f = sub.predict(images) as tf.Tensor4D;
        const pooled = tf.avgPool(f, cell, cell, 'valid'); // [B, 4, 8, C]
        return tf.reshape(tf.transpose(pooled, [0, 3, 1, 2]), [images.shape[0], c * FEATURE_CELLS]) as tf.Tensor2D;
      }),
  };
}

export interface FeatureRunOptions {
  /** Frames per forward pass (default 8). */
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs frames 0..count-1 through the extractor in batches and hands each batch's rows
 * (batch x dims, row-major) to `onBatch`. The next batch's images load while this one runs.
 */
export async function forEachFeatureBatch(
  extractor: SdeFeatureExtractor,
  count: number,
  loadImage: (index: number) => Promise<RasterU8>,
  onBatch: (start: number, rows: Float32Array) => void | Promise<void>,
  opts: FeatureRunOptions = {},
): Promise<void> {
  const batch = opts.batchSize ?? 8;
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`feature batch size must be a positive integer (got ${batch})`);
  const load = (s: number) => Promise.all(Array.from({ length: Math.min(batch, count - s) }, (_, k) => loadImage(s + k)));
  let next = count > 0 ? load(0) : null;
  for (let s = 0; s < count; s += batch) {
    const images = await next!;
    next = s + batch < count ? load(s + batch) : null;
    const feats = tf.tidy(() => extractor.extract(imageBatch(images, extractor.inputSize)));
    const rows = (await feats.data()) as Float32Array;
    feats.dispose();
    await onBatch(s, rows);
    opts.onProgress?.(Math.min(count, s + batch), count);
  }
}

/** Features of frames 0..count-1 as one matrix (not standardised). */
export async function computeFeatures(
  extractor: SdeFeatureExtractor,
  count: number,
  loadImage: (index: number) => Promise<RasterU8>,
  opts: FeatureRunOptions = {},
): Promise<FeatureMatrix> {
  const m = featureMatrix(count, extractor.dims);
  await forEachFeatureBatch(extractor, count, loadImage, (start, rows) => m.data.set(rows, start * extractor.dims), opts);
  return m;
}

const sha256 = () => createHash('sha256');

/** Identifies a model folder by the contents of its model.json and weights.bin (a copy of the folder keeps the key). */
export function modelFolderKey(dir: string): string {
  const h = sha256();
  for (const name of [MODEL_JSON, WEIGHTS_BIN]) {
    const file = join(dir, name);
    try {
      h.update(readFileSync(file));
    } catch (e) {
      throw new DataError(file, `cannot read the model to identify it: ${(e as Error).message}`, { cause: e });
    }
  }
  return h.digest('hex').slice(0, 24);
}

/** Identifies an in-memory model by its input size and its weights' shapes and values, in order. */
export function modelWeightsKey(model: tfl.LayersModel): string {
  const h = sha256();
  h.update(JSON.stringify(model.inputs[0]!.shape));
  for (const w of model.weights) {
    h.update(`${w.shape.join('x')};`);
    const v = w.read().dataSync() as Float32Array;
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return h.digest('hex').slice(0, 24);
}

/** The feature-cache key of a model's selection features: the feature definition and the model's key. */
export function featureCacheKey(modelKey: string, layer = SDE_FEATURE_LAYER): string {
  return `${SDE_FEATURE_KEY_PREFIX}/${layer}/${FEATURE_GRID.rows}x${FEATURE_GRID.cols}/${modelKey}`;
}

export interface SelectionFeatures {
  /** Standardised per channel over these frames; row r belongs to frameIds[r]. */
  readonly matrix: FeatureMatrix;
  /** Ascending. */
  readonly frameIds: readonly number[];
  readonly channels: number;
  readonly cacheKey: string;
  /** Frames run through the network now (the rest came from the cache). */
  readonly computed: number;
}

export interface CachedFeatureOptions extends FeatureRunOptions {
  /** Drop cached SDE features of other models (a replaced SDE model's); default true. */
  readonly dropStale?: boolean;
}

/** Frames per cache write: an interrupted run keeps what it computed. */
const CACHE_CHUNK = 256;

/**
 * The standardised selection features of `frameIds` (returned ascending): read from the feature
 * cache under `cacheKey`, computing and storing only the frames missing there.
 */
export async function selectionFeatures(
  store: ProjectStore,
  extractor: SdeFeatureExtractor,
  cacheKey: string,
  frameIds: readonly number[],
  loadImage: (frameId: number) => Promise<RasterU8>,
  opts: CachedFeatureOptions = {},
): Promise<SelectionFeatures> {
  const ids = [...new Set(frameIds)].sort((a, b) => a - b);
  if (opts.dropStale ?? true) {
    for (const m of await featureModels(store)) {
      if (m.modelKey.startsWith(`${SDE_FEATURE_KEY_PREFIX}/`) && m.modelKey !== cacheKey) await dropFeatures(store, { modelKey: m.modelKey });
    }
  }
  let cached = await readFeatures(store, cacheKey, ids);
  if (cached.frameIds.length > 0 && cached.dims !== extractor.dims) {
    // Another feature size under the same key (cannot come from this code): start again.
    await dropFeatures(store, { modelKey: cacheKey });
    cached = await readFeatures(store, cacheKey, ids);
  }
  const have = new Set(cached.frameIds);
  const missing = ids.filter((id) => !have.has(id));
  const dims = extractor.dims;
  let matrix: FeatureMatrix;
  if (missing.length === 0) {
    matrix = featureMatrix(ids.length, dims, cached.data);
  } else {
    // One matrix in `ids` order, filled from the cache and from the network.
    matrix = featureMatrix(ids.length, dims);
    const row = new Map(ids.map((id, r) => [id, r]));
    cached.frameIds.forEach((id, k) => matrix.data.set(cached.data.subarray(k * dims, (k + 1) * dims), row.get(id)! * dims));
    cached = { frameIds: [], dims, data: new Float32Array(0) };
    let pending: Array<{ frameId: number; data: Float32Array }> = [];
    const flush = async () => {
      if (pending.length > 0) await putFeatures(store, cacheKey, pending);
      pending = [];
    };
    await forEachFeatureBatch(
      extractor,
      missing.length,
      (k) => loadImage(missing[k]!),
      async (start, rows) => {
        for (let b = 0; b * dims < rows.length; b++) {
          const id = missing[start + b]!;
          const data = rows.subarray(b * dims, (b + 1) * dims);
          matrix.data.set(data, row.get(id)! * dims);
          pending.push({ frameId: id, data });
        }
        if (pending.length >= CACHE_CHUNK) await flush();
      },
      opts,
    );
    await flush();
  }
  standardisePerChannel(matrix, extractor.channels);
  return { matrix, frameIds: ids, channels: extractor.channels, cacheKey, computed: missing.length };
}
