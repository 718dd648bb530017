import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RasterU8 } from '../../src/core/data/imageIo';
import { buildDepthNet, saveModelToFolder, TINY } from '../../src/core/ml/nets';
import {
  computeFeatures,
  featureCacheKey,
  modelFolderKey,
  modelWeightsKey,
  sdeFeatureExtractor,
  SDE_FEATURE_LAYER,
  selectionFeatures,
} from '../../src/core/selection/sdeFeatures';
import { featureModels, insertFrames, readFeatures } from '../../src/core/store';
import { freshDirs } from '../data/fixtures';
import { SIZE, useCpuEngine } from '../ml/nets/netSetup';
import { seededStore, tempFolder } from '../store/tempProject';

const temp = freshDirs();
const tmp = tempFolder('sde-features');
const models: tfl.LayersModel[] = [];
beforeAll(useCpuEngine);
afterAll(() => models.forEach((m) => m.dispose()));

function net(seed: number): tfl.LayersModel {
  const m = buildDepthNet(TINY, SIZE, { seed });
  models.push(m);
  return m;
}

/** A 32x64 image that differs per seed (smooth stripes, no RNG). */
function image(seed: number): RasterU8 {
  const { height, width } = SIZE;
  const data = new Uint8Array(height * width * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(127 + 120 * Math.sin(i * 0.013 * (1 + (seed % 5)) + seed));
  return { height, width, channels: 3, data };
}

describe('SDE feature extractor', () => {
  it('average-pools the full-resolution decoder layer to 4x8 cells, channel-major', async () => {
    const model = net(1);
    const ex = sdeFeatureExtractor(model);
    expect(ex.layer).toBe('dec_up0_1');
    expect(ex.channels).toBe(TINY.decoder.channels[0]);
    expect(ex.dims).toBe(TINY.decoder.channels[0] * 32);
    // The layer's raw output, averaged by hand over each 8x8 cell.
    const raw = tfl.model({ inputs: model.inputs, outputs: model.getLayer(SDE_FEATURE_LAYER).output });
    const img = image(3);
    const x = tf.tensor4d(Float32Array.from(img.data, (v) => v / 255), [1, SIZE.height, SIZE.width, 3]);
    const fmap = (raw.predict(x) as tf.Tensor).dataSync();
    const C = ex.channels;
    const expected: number[] = [];
    for (let c = 0; c < C; c++) {
      for (let gy = 0; gy < 4; gy++) {
        for (let gx = 0; gx < 8; gx++) {
          let s = 0;
          for (let y = gy * 8; y < gy * 8 + 8; y++) for (let xx = gx * 8; xx < gx * 8 + 8; xx++) s += fmap[(y * SIZE.width + xx) * C + c]!;
          expected.push(s / 64);
        }
      }
    }
    const m = await computeFeatures(ex, 1, async () => img);
    expect(m.rows).toBe(1);
    expect(m.dims).toBe(ex.dims);
    for (let k = 0; k < expected.length; k++) expect(m.data[k]).toBeCloseTo(expected[k]!, 5);
    tf.dispose(x);
  });

  it('gives the same rows in any batch size, reports progress and leaks no tensors', async () => {
    const ex = sdeFeatureExtractor(net(2));
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const a = await computeFeatures(ex, 5, async (i) => image(i), { batchSize: 2, onProgress: (d) => progress.push(d) });
    const b = await computeFeatures(ex, 5, async (i) => image(i), { batchSize: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress).toEqual([2, 4, 5]);
    for (let k = 0; k < a.data.length; k++) expect(a.data[k]).toBeCloseTo(b.data[k]!, 5);
    // Different images give different features.
    expect(a.data.subarray(0, ex.dims)).not.toEqual(a.data.subarray(ex.dims, 2 * ex.dims));
  });

  it('refuses a model without the decoder layer', () => {
    const input = tfl.input({ shape: [32, 64, 3] });
    const other = tfl.model({ inputs: input, outputs: tfl.layers.conv2d({ filters: 1, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor });
    expect(() => sdeFeatureExtractor(other)).toThrow(/no layer 'dec_up0_1'/);
  });
});

describe('model keys', () => {
  it('name the weights: same weights same key, other weights another key, saved folders alike', async () => {
    const a = net(5);
    const b = net(6);
    expect(modelWeightsKey(a)).toBe(modelWeightsKey(net(5)));
    expect(modelWeightsKey(a)).not.toBe(modelWeightsKey(b));
    const dirA = temp('key-a');
    const dirA2 = temp('key-a2');
    const dirB = temp('key-b');
    await saveModelToFolder(a, dirA);
    await saveModelToFolder(a, dirA2);
    await saveModelToFolder(b, dirB);
    expect(modelFolderKey(dirA)).toBe(modelFolderKey(dirA2));
    expect(modelFolderKey(dirA)).not.toBe(modelFolderKey(dirB));
    expect(() => modelFolderKey(temp('key-empty'))).toThrow(/model.json: cannot read the model/);
    expect(featureCacheKey('abc')).toBe('sde-features/dec_up0_1/4x8/abc');
  });
});

describe('cached, standardised selection features', () => {
  it('computes only frames missing from the cache, recomputes for another model and standardises per channel', async () => {
    const { store, clip, frameIds } = await seededStore(tmp.projectDir(), 6);
    const loads: number[] = [];
    const load = async (id: number) => {
      loads.push(id);
      return image(id);
    };
    const modelA = net(7);
    const exA = sdeFeatureExtractor(modelA);
    const keyA = featureCacheKey(modelWeightsKey(modelA));
    const first = await selectionFeatures(store, exA, keyA, frameIds.slice(0, 4), load, { batchSize: 3 });
    expect(first.computed).toBe(4);
    expect(first.frameIds).toEqual(frameIds.slice(0, 4));
    expect((await readFeatures(store, keyA)).frameIds).toEqual(frameIds.slice(0, 4));
    // Standardised: every channel has mean 0 and variance 1 over frames and cells.
    const { matrix } = first;
    for (let c = 0; c < exA.channels; c++) {
      let s = 0;
      let s2 = 0;
      for (let r = 0; r < matrix.rows; r++) for (let k = 0; k < 32; k++) {
        const v = matrix.data[r * matrix.dims + c * 32 + k]!;
        s += v;
        s2 += v * v;
      }
      const n = matrix.rows * 32;
      expect(s / n).toBeCloseTo(0, 4);
      if (s2 > 0) expect(s2 / n).toBeCloseTo(1, 3);
    }

    // All six frames: only the two new ones go through the network.
    loads.length = 0;
    const second = await selectionFeatures(store, exA, keyA, [...frameIds].reverse(), load);
    expect(second.computed).toBe(2);
    expect(loads.sort((a, b) => a - b)).toEqual(frameIds.slice(4));
    expect(second.frameIds).toEqual(frameIds);

    // Nothing missing: nothing computed, the same standardised matrix.
    loads.length = 0;
    const third = await selectionFeatures(store, exA, keyA, frameIds, load);
    expect(third.computed).toBe(0);
    expect(loads).toEqual([]);
    expect(Array.from(third.matrix.data)).toEqual(Array.from(second.matrix.data));

    // A new frame in the project: one computed.
    const [extra] = await insertFrames(store, [{ clipId: clip.id, index: 6, imagePath: 'x.png', split: 'train', width: 8, height: 4 }]);
    expect((await selectionFeatures(store, exA, keyA, [...frameIds, extra!], load)).computed).toBe(1);

    // Another SDE model: everything again, and the old model's cache is dropped.
    const modelB = net(8);
    const keyB = featureCacheKey(modelWeightsKey(modelB));
    const other = await selectionFeatures(store, sdeFeatureExtractor(modelB), keyB, frameIds, load);
    expect(other.computed).toBe(6);
    expect(await featureModels(store)).toEqual([{ modelKey: keyB, frames: 6 }]);
    await store.close();
  });
});
