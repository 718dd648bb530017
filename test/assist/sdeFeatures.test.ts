import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { computeSuperpixels } from '../../src/core/assist/superpixels';
import { ASSIST_SDE_LAYERS, superpixelSdeFeatures } from '../../src/core/assist/sdeFeatures';
import { buildDepthNet, buildSegNet, TINY } from '../../src/core/ml/nets';
import { startWasm } from '../engine/setup';

beforeAll(startWasm);

describe("the assist's SDE features per superpixel", () => {
  it("average a depth network's decoder maps and disparity over each superpixel of a frame larger than the network's input", async () => {
    const model = buildDepthNet(TINY, { height: 32, width: 64 }, { seed: 3 });
    const w = 96;
    const h = 48;
    const rgb = new Uint8Array(w * h * 3);
    for (let p = 0; p < w * h; p++) {
      const top = p < (w * h) / 2;
      rgb.set(top ? [90, 140, 220] : [70, 70, 70], 3 * p);
    }
    const sp = computeSuperpixels(rgb, w, h, { regionSize: 8 });
    const before = tf.memory().numTensors;
    const f = await superpixelSdeFeatures(model, rgb, sp);
    expect(tf.memory().numTensors).toBe(before);
    expect(f.layers.map((l) => l.name)).toEqual(ASSIST_SDE_LAYERS);
    expect(f.dims).toBe(f.layers.reduce((s, l) => s + l.channels, 0));
    expect(f.features.length).toBe(sp.count * f.dims);
    expect(f.features.every(Number.isFinite)).toBe(true);
    // The disparity (last column) is a sigmoid: within (0, 1).
    for (let k = 0; k < sp.count; k++) {
      const d = f.features[k * f.dims + f.dims - 1]!;
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThan(1);
    }
    // A second call reuses the network's feature view and gives the same numbers.
    expect((await superpixelSdeFeatures(model, rgb, sp)).features).toEqual(f.features);
    model.dispose();
  });

  it('read other layers, and the same weights at twice the input size, where asked', async () => {
    const model = buildDepthNet(TINY, { height: 32, width: 64 }, { seed: 3 });
    const w = 128;
    const h = 64;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => ((i * 7) % 251) ^ (i > (w * h * 3) / 2 ? 255 : 0));
    const sp = computeSuperpixels(rgb, w, h, { regionSize: 8 });
    const enc = await superpixelSdeFeatures(model, rgb, sp, { layers: ['enc_layer2_0_out', 'disp_0'] });
    expect(enc.layers).toEqual([{ name: 'enc_layer2_0_out', channels: TINY.encoder.channels[2] }, { name: 'disp_0', channels: 1 }]);
    const one = await superpixelSdeFeatures(model, rgb, sp, { layers: ['disp_0'] });
    const two = await superpixelSdeFeatures(model, rgb, sp, { layers: ['disp_0'], inputScale: 2 });
    expect(two.dims).toBe(1);
    expect(two.features.every((d) => d > 0 && d < 1)).toBe(true);
    expect(two.features).not.toEqual(one.features); // a finer map, not the same one
    // The rebuilt network has the model's weights: on a flat grey frame, away from the borders, the
    // disparity is the same at both sizes (a network with other weights gives another).
    const grey = new Uint8Array(w * h * 3).fill(128);
    const flat = computeSuperpixels(grey, w, h, { regionSize: 8 });
    const centre = flat.labels[(h / 2) * w + w / 2]!;
    const at = async (m: typeof model, inputScale: number) => (await superpixelSdeFeatures(m, grey, flat, { layers: ['disp_0'], inputScale })).features[centre]!;
    const other = buildDepthNet(TINY, { height: 32, width: 64 }, { seed: 8 });
    expect(Math.abs((await at(model, 2)) - (await at(model, 1)))).toBeLessThan(0.2 * Math.abs((await at(other, 1)) - (await at(model, 1))));
    other.dispose();
    await expect(superpixelSdeFeatures(model, rgb, sp, { inputScale: 1.5 })).rejects.toThrow(/input scale must be a positive integer, got 1.5/);
    model.dispose();
  });

  it('refuses a network without the depth layers (a segmentation net), and a frame of the wrong size, in words', async () => {
    const seg = buildSegNet(TINY, { height: 32, width: 64 });
    const sp = { width: 4, height: 2, labels: new Uint16Array(8), count: 1 };
    await expect(superpixelSdeFeatures(seg, new Uint8Array(24), sp)).rejects.toThrow(/model 'seg_net' has no layer 'disp_0': .* depth network/);
    const depth = buildDepthNet(TINY, { height: 32, width: 64 });
    await expect(superpixelSdeFeatures(depth, new Uint8Array(5), sp)).rejects.toThrow(/4x2 needs 24 bytes, got 5/);
    seg.dispose();
    depth.dispose();
  });
});
