import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GATE_DEPTH_TO_SEG,
  GATE_SEG_TO_DEPTH,
  TINY,
  buildDepthNet,
  buildMultiTaskNet,
  buildPoseNet,
  buildSegNet,
  copyMatchingWeights,
  loadModelFromFolder,
  multiTaskSourceName,
  saveModelToFolder,
} from '../../../src/core/ml/nets';
import { DataError } from '../../../src/core/errors';
import { SIZE, maxAbsDiff, outputsOf, testImages, useCpuEngine } from './netSetup';

const models: tfl.LayersModel[] = [];
const keep = <T extends tfl.LayersModel>(m: T): T => (models.push(m), m);
let dir = '';

beforeAll(async () => {
  await useCpuEngine();
  dir = mkdtempSync(join(tmpdir(), 'depthseg-nets-'));
});
afterAll(() => {
  models.forEach((m) => m.dispose());
  rmSync(dir, { recursive: true, force: true });
});

/** Gives every weight of `model` new deterministic values (so copies are distinguishable from fresh inits). */
function perturb(model: tfl.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    tf.tidy(() => layer.setWeights(layer.weights.map((w, k) => tf.randomUniform(w.shape as number[], 0.05, 0.3, 'float32', seed + k * 7919 + layer.name.length))));
  }
}

function kernelOf(model: tfl.LayersModel, layer: string): Float32Array {
  return model.getLayer(layer).getWeights()[0]!.dataSync() as Float32Array;
}

describe('copyMatchingWeights', () => {
  it('initialises the segmentation net from the depth net: encoder and decoder, not the heads', () => {
    const depth = keep(buildDepthNet(TINY, SIZE));
    const seg = keep(buildSegNet(TINY, SIZE));
    perturb(depth, 1);
    const r = copyMatchingWeights(depth, seg);
    const withWeights = seg.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
    expect(r.copied.length + r.skipped.length).toBe(withWeights.length);
    expect(r.skipped.map((s) => s.layer)).toEqual(['seg']);
    expect(r.skipped[0]!.reason).toMatch(/no layer 'seg'/);
    expect(r.copied).toContain('enc_stem_conv');
    expect(r.copied).toContain('enc_stem_bn');
    expect(r.copied).toContain('dec_aspp_project');
    expect(r.copied.filter((n) => n.startsWith('dec_')).length).toBe(withWeights.filter((n) => n.startsWith('dec_')).length);
    for (const name of ['dec_up0_1', 'dec_aspp_b2', 'enc_layer4_0_b_conv']) {
      expect(Array.from(kernelOf(seg, name))).toEqual(Array.from(kernelOf(depth, name)));
    }
    // Batch-norm moving statistics are weights too and travel with the layer.
    const bn = (m: tfl.LayersModel) => m.getLayer('enc_layer2_0_a_bn').getWeights().map((w) => Array.from(w.dataSync()));
    expect(bn(seg)).toEqual(bn(depth));
    // A copy, not a shared variable: changing the source later leaves the target as it was.
    const copied = Array.from(kernelOf(seg, 'dec_up0_1'));
    perturb(depth, 2);
    expect(Array.from(kernelOf(depth, 'dec_up0_1'))).not.toEqual(copied);
    expect(Array.from(kernelOf(seg, 'dec_up0_1'))).toEqual(copied);
  });

  it('reports layers whose shapes differ and leaves them alone', () => {
    const a = keep(buildSegNet(TINY, SIZE));
    const b = keep(buildSegNet({ ...TINY, numClasses: 5 }, SIZE));
    const before = Array.from(kernelOf(b, 'seg'));
    const r = copyMatchingWeights(a, b);
    expect(r.skipped).toEqual([{ layer: 'seg', reason: expect.stringMatching(/shapes \[.*x5, 5\] != 'seg' \[.*x19, 19\]/) }]);
    expect(Array.from(kernelOf(b, 'seg'))).toEqual(before);
  });
});

describe('multi-task gated exchange', () => {
  it('adds exactly zero at initialisation, so both branches equal the single-task nets with the same weights', () => {
    const seg = keep(buildSegNet(TINY, SIZE));
    const depth = keep(buildDepthNet(TINY, SIZE));
    const mt = keep(buildMultiTaskNet(TINY, SIZE));
    perturb(seg, 11);
    perturb(depth, 12);
    // The depth branch from the depth net, then the seg branch (segdec_* <- dec_*) and head from the seg net.
    copyMatchingWeights(depth, mt);
    const r = copyMatchingWeights(seg, mt, { sourceName: (n) => (n.startsWith('segdec_') || n === 'seg' ? multiTaskSourceName(n) : `-${n}`) });
    expect(r.copied).toContain('segdec_aspp_b0');
    expect(r.copied).toContain('seg');
    // Shared encoder: the seg net's encoder must also be the depth net's for the comparison.
    copyMatchingWeights(depth, seg, { sourceName: (n) => (n.startsWith('enc_') ? n : `-${n}`) });
    copyMatchingWeights(depth, mt, { sourceName: (n) => (n.startsWith('enc_') ? n : `-${n}`) });

    const x = testImages(2);
    const gates = tfl.model({ inputs: mt.inputs, outputs: [mt.getLayer(GATE_DEPTH_TO_SEG).output as tfl.SymbolicTensor, mt.getLayer(GATE_SEG_TO_DEPTH).output as tfl.SymbolicTensor] });
    const g = outputsOf(gates, x);
    for (const t of g) {
      expect(t.shape).toEqual([2, SIZE.height / 4, SIZE.width / 4, TINY.decoder.channels[2]]);
      expect(tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0])).toBe(0);
    }
    // The gate itself is open (random sigmoid), only the multiplied feature conv starts at zero.
    const gateOut = tfl.model({ inputs: mt.inputs, outputs: mt.getLayer(`${GATE_DEPTH_TO_SEG}_gate`).output as tfl.SymbolicTensor });
    const [open] = outputsOf(gateOut, x);
    expect(tf.tidy(() => tf.mean(open!).dataSync()[0])).toBeGreaterThan(0.05);

    const mtOut = outputsOf(mt, x);
    const [segOut] = outputsOf(seg, x);
    const depthOut = outputsOf(depth, x);
    expect(maxAbsDiff(mtOut[4]!, segOut!)).toBeLessThan(1e-5);
    for (let s = 0; s < 4; s++) expect(maxAbsDiff(mtOut[s]!, depthOut[s]!)).toBeLessThan(1e-6);
    // The seg output depends on the weights we copied (not trivially equal).
    expect(tf.tidy(() => tf.moments(segOut!).variance.dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([x, ...g, open!, ...mtOut, segOut!, ...depthOut]);
  });
});

describe('initialisation seed', () => {
  it('gives identical weights for the same seed and different ones for another', () => {
    const all = (m: tfl.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const a = keep(buildMultiTaskNet(TINY, SIZE, { seed: 7 }));
    const b = keep(buildMultiTaskNet(TINY, SIZE, { seed: 7 }));
    const c = keep(buildMultiTaskNet(TINY, SIZE, { seed: 8 }));
    expect(all(b)).toEqual(all(a));
    // Every random kernel differs under another seed (dilated ones included); zero-started ones stay zero.
    const differs = a.layers.filter((l) => l.weights.length > 0 && /Conv2D$/.test(l.getClassName()) && !l.name.endsWith('_feat'));
    expect(differs.some((l) => l.getClassName() === 'DilatedConv2D')).toBe(true);
    for (const l of differs) expect(Array.from(kernelOf(c, l.name)), l.name).not.toEqual(Array.from(kernelOf(a, l.name)));
    expect(() => buildDepthNet(TINY, SIZE, { seed: 1.5 })).toThrow(/seed must be an integer/);
  });
});

describe('model folders', () => {
  it('round-trips every network with identical outputs', async () => {
    const cases: Array<[string, tfl.LayersModel, number]> = [
      ['depth', keep(buildDepthNet(TINY, SIZE)), 3],
      ['pose', keep(buildPoseNet(TINY, SIZE)), 6],
      ['multitask', keep(buildMultiTaskNet(TINY, SIZE)), 3],
    ];
    for (const [name, model, channels] of cases) {
      perturb(model, 21);
      const folder = join(dir, name);
      await saveModelToFolder(model, folder);
      const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
      const loaded = keep(await loadModelFromFolder(folder));
      expect(loaded.outputNames).toEqual(model.outputNames);
      expect(loaded.countParams()).toBe(model.countParams());
      const x = testImages(2, channels);
      const a = outputsOf(model, x);
      const b = outputsOf(loaded, x);
      a.forEach((t, k) => expect(Array.from(b[k]!.dataSync())).toEqual(Array.from(t.dataSync())));
      tf.dispose([x, ...a, ...b]);
    }
  });

  it('names the file for a missing folder, bad JSON and short weights', async () => {
    await expect(loadModelFromFolder(join(dir, 'absent'))).rejects.toThrow(/absent\/model\.json: cannot read the model description/);
    const bad = join(dir, 'bad');
    await saveModelToFolder(keep(buildPoseNet(TINY, SIZE)), bad);
    const weights = readFileSync(join(bad, 'weights.bin'));
    writeFileSync(join(bad, 'weights.bin'), weights.subarray(0, weights.byteLength - 8));
    const err = await loadModelFromFolder(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/weights\.bin: \d+ bytes of weights, the manifest in model\.json describes \d+/);
    writeFileSync(join(bad, 'model.json'), '{"modelTopology": ');
    await expect(loadModelFromFolder(bad)).rejects.toThrow(/bad\/model\.json: not valid JSON/);
    writeFileSync(join(bad, 'model.json'), '{"weightsManifest": []}');
    await expect(loadModelFromFolder(bad)).rejects.toThrow(/no modelTopology object/);
  });
});
