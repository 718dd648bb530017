import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { computeSuperpixels } from '../../src/core/assist/superpixels';
import { SEG_PROBABILITIES, superpixelSegFeatures } from '../../src/core/assist/segFeatures';
import { buildDepthNet, buildMultiTaskNet, buildSegNet, TINY } from '../../src/core/ml/nets';
import { startWasm } from '../engine/setup';

beforeAll(startWasm);

/** A frame at the network's own input size (no resizing), two colours and a gradient. */
function frame(w: number, h: number): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(y < h / 2 ? [90, 140, 220] : [70 + x, 70, 70 + y], 3 * (y * w + x));
  return rgb;
}

describe("the assist's class features per superpixel (a segmentation run's)", () => {
  it("are the mean over each superpixel of the network's softmax, computed here directly", async () => {
    const w = 64;
    const h = 32;
    const model = buildSegNet(TINY, { height: h, width: w }, { seed: 5 });
    const rgb = frame(w, h);
    const sp = computeSuperpixels(rgb, w, h, { regionSize: 8 });
    const before = tf.memory().numTensors;
    const f = await superpixelSegFeatures(model, rgb, sp);
    expect(tf.memory().numTensors).toBe(before);
    expect(f.layers).toEqual([{ name: SEG_PROBABILITIES, channels: TINY.numClasses }]);
    expect(f.dims).toBe(TINY.numClasses);
    // The reference: softmax of the logits per pixel, averaged over the superpixel's pixels.
    const probs = tf.tidy(() => tf.softmax(model.predict(tf.tensor4d(Float32Array.from(rgb, (v) => v / 255), [1, h, w, 3])) as tf.Tensor4D));
    const p = (await probs.data()) as Float32Array;
    probs.dispose();
    const c = f.dims;
    const sums = new Float64Array(sp.count * c);
    const n = new Float64Array(sp.count);
    for (let i = 0; i < w * h; i++) {
      const k = sp.labels[i]!;
      n[k]++;
      for (let j = 0; j < c; j++) sums[k * c + j] += p[i * c + j]!;
    }
    for (let k = 0; k < sp.count; k++) {
      let total = 0;
      for (let j = 0; j < c; j++) {
        expect(f.features[k * c + j]).toBeCloseTo(sums[k * c + j]! / n[k]!, 5);
        total += f.features[k * c + j]!;
      }
      expect(total).toBeCloseTo(1, 5); // still a distribution over the classes
    }
    model.dispose();
  });

  it("read a multi-task network's seg output, and refuse a depth network in words", async () => {
    const size = { height: 32, width: 64 };
    const multi = buildMultiTaskNet(TINY, size, { seed: 2 });
    const rgb = frame(96, 48);
    const sp = computeSuperpixels(rgb, 96, 48, { regionSize: 8 });
    const f = await superpixelSegFeatures(multi, rgb, sp);
    expect(f.dims).toBe(TINY.numClasses);
    expect(f.features.every((v) => v >= 0 && v <= 1)).toBe(true);
    const depth = buildDepthNet(TINY, size);
    await expect(superpixelSegFeatures(depth, rgb, sp)).rejects.toThrow(/has no 'seg' output .*: the assist's class features need a segmentation network/);
    multi.dispose();
    depth.dispose();
  });
});
