import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDepthNet, buildMultiTaskNet, buildSegNet, TINY, withInitSeed } from '../../src/core/ml/nets';
import { predictDisparity, predictSegmentation } from '../../src/core/ml/predict';
import type { RasterU8 } from '../../src/core/data/imageIo';
import { useCpuEngine } from './nets/netSetup';

const size = { height: 32, width: 64 };
const image = (seed: number): RasterU8 => ({
  width: 64,
  height: 32,
  channels: 3,
  data: new Uint8Array(32 * 64 * 3).map((_, i) => (i * 31 + seed * 17) % 256),
});

beforeAll(useCpuEngine);

describe('prediction', () => {
  it('gives one trainId map per image, equal to the argmax of the seg logits, without leaking tensors', async () => {
    const model = withInitSeed(3, () => buildSegNet(TINY, size));
    const images = [image(1), image(2), image(3)];
    const before = tf.memory().numTensors;
    const ids = await predictSegmentation(model, images, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toHaveLength(32 * 64);
    const logits = model.predict(tf.tensor4d(Float32Array.from(images[2]!.data, (v) => v / 255), [1, 32, 64, 3])) as tf.Tensor;
    const expected = await tf.argMax(logits, 3).data();
    expect(Array.from(ids[2]!)).toEqual(Array.from(expected));
    for (const v of ids[0]!) expect(v).toBeLessThan(19);
  });

  it('reads the seg and disp_0 outputs of a multi-task model by name', async () => {
    const mt = withInitSeed(4, () => buildMultiTaskNet(TINY, size));
    const [ids] = await predictSegmentation(mt, [image(5)]);
    const [disp] = await predictDisparity(mt, [image(5)]);
    expect(ids).toHaveLength(32 * 64);
    expect(disp).toHaveLength(32 * 64);
    for (const d of disp!) expect(d > 0 && d < 1).toBe(true);
    const depth = withInitSeed(5, () => buildDepthNet(TINY, size));
    await expect(predictSegmentation(depth, [image(1)])).rejects.toThrow(/no output 'seg'/);
  });

  it('refuses an image of the wrong size', async () => {
    const model = withInitSeed(3, () => buildSegNet(TINY, size));
    await expect(predictSegmentation(model, [{ ...image(1), width: 32 }])).rejects.toThrow(/takes 64x32x3/);
  });
});
