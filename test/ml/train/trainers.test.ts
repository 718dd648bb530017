/**
 * Tiny runs of every training mode on generated street frames: losses fall where the data is
 * fixed, every mode gives the parts of its loss and the right outputs, and no step leaks
 * tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDepthNet, buildPoseNet } from '../../../src/core/ml/nets';
import { outputsByName } from '../../../src/core/ml/train/modelIo';
import { SdeTrainer } from '../../../src/core/ml/train/sdeTrainer';
import { SegTrainer, type MixMode, type SegMode } from '../../../src/core/ml/train/segTrainer';
import { freshDirs } from '../../data/fixtures';
import { startWasm } from '../../engine/setup';
import { NET, sdeConfig, segConfig, SIZE, trainFixture, type TrainFixture } from './trainFixture';

const temp = freshDirs();
let fx: TrainFixture;
beforeAll(async () => {
  await startWasm();
  fx = await trainFixture(temp);
});

const sdeNets = () => ({ depth: buildDepthNet(NET, SIZE, { seed: 3 }), pose: buildPoseNet(NET, SIZE, { seed: 4 }) });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('SDE training', () => {
  it('lowers the photometric loss on a fixed triplet without leaking tensors', async () => {
    const t = new SdeTrainer(sdeConfig({ steps: 14, batchSize: 2, lr: 2e-3, jitter: 0, flip: false }), [fx.clips[6]!], fx.frames);
    const losses: number[] = [];
    let before = 0;
    for (let i = 0; i < 14; i++) {
      if (i === 2) before = tf.memory().numTensors;
      losses.push((await t.trainStep()).loss);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(mean(losses.slice(-3))).toBeLessThan(losses[0]! * 0.95);
    expect(t.step).toBe(14);
    expect(t.done).toBe(true);
    const outs = outputsByName(t.depth, tf.zeros([1, SIZE.height, SIZE.width, 3]), false);
    expect(outs.disp_0!.shape).toEqual([1, 32, 64, 1]);
    expect(outs.disp_3!.shape).toEqual([1, 4, 8, 1]);
    t.dispose();
  });

  it('refuses data without video neighbours with a message naming the frame', async () => {
    const t = new SdeTrainer(sdeConfig({ steps: 1, batchSize: 1 }), [{ ...fx.labelled[0]!, neighbourPaths: undefined }], fx.frames);
    await expect(t.trainStep()).rejects.toThrow(/no neighbouring video frames/);
    t.dispose();
  });
});

describe('segmentation training', () => {
  it('lowers the cross-entropy from scratch on a fixed labelled frame', async () => {
    const t = new SegTrainer(segConfig({ steps: 15, labelledBatch: 2, lr: 0.05, minCropScale: 1, jitter: 0 }), { labelled: fx.labelled, unlabelled: [] }, fx.frames, fx.labels);
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push((await t.trainStep()).loss);
    expect(mean(losses.slice(-3))).toBeLessThan(losses[0]! * 0.7);
    t.dispose();
  });

  const combos: Array<[SegMode, MixMode, string[]]> = [
    ['scratch', 'none', ['ce']],
    ['transfer', 'none', ['ce']],
    ['multitask', 'none', ['ce', 'sde']],
    ['transfer', 'classmix', ['ce', 'mix']],
    ['transfer', 'depthmix', ['ce', 'mix']],
    ['multitask', 'classmix', ['ce', 'mix', 'sde']],
    ['multitask', 'depthmix', ['ce', 'mix', 'sde']],
  ];
  it.each(combos)('%s + %s: trains with loss parts %j, right outputs, no leaks', async (mode, mix, parts) => {
    const sde = sdeNets();
    const t = new SegTrainer(segConfig({ steps: 3, mode, mix, labelledBatch: 1, unlabelledBatch: 2, mixPairs: 1 }), { labelled: fx.labelled, unlabelled: fx.unlabelled, sde }, fx.frames, fx.labels);
    const r1 = await t.trainStep();
    const before = tf.memory().numTensors;
    const r2 = await t.trainStep();
    expect(tf.memory().numTensors).toBe(before);
    for (const r of [r1, r2]) {
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(Object.keys(r.parts).sort()).toEqual([...parts].sort());
    }
    const outs = outputsByName(t.model, tf.zeros([1, SIZE.height, SIZE.width, 3]), false);
    expect(outs.seg!.shape).toEqual([1, 32, 64, 19]);
    if (mode === 'multitask') {
      expect(outs.seg_side!.shape).toEqual([1, 32, 64, 19]);
      expect(outs.disp_0!.shape).toEqual([1, 32, 64, 1]);
      expect(t.pose).toBeDefined();
    }
    expect(Boolean(t.teacher)).toBe(mix !== 'none');
    tf.dispose(Object.values(outs));
    t.dispose();
    sde.depth.dispose();
    sde.pose.dispose();
  });

  it('starts transfer from the SDE weights and multi-task from them on both decoders', () => {
    const sde = sdeNets();
    const kernel = (m: typeof sde.depth, name: string) => m.getLayer(name).getWeights()[0]!.dataSync();
    const transfer = new SegTrainer(segConfig({ steps: 1, mode: 'transfer', transfer: 'encoder+decoder' }), { labelled: fx.labelled, unlabelled: [], sde }, fx.frames, fx.labels);
    const scratch = new SegTrainer(segConfig({ steps: 1, mode: 'scratch', seed: 9 }), { labelled: fx.labelled, unlabelled: [] }, fx.frames, fx.labels);
    const encLayer = sde.depth.layers.find((l) => l.name.startsWith('enc') && l.getWeights().length > 0)!.name;
    const decLayer = sde.depth.layers.find((l) => l.name.startsWith('dec_') && l.getWeights().length > 0)!.name;
    expect(kernel(transfer.model, encLayer)).toEqual(kernel(sde.depth, encLayer));
    expect(kernel(transfer.model, decLayer)).toEqual(kernel(sde.depth, decLayer));
    expect(kernel(scratch.model, encLayer)).not.toEqual(kernel(sde.depth, encLayer));
    const mt = new SegTrainer(segConfig({ steps: 1, mode: 'multitask', transfer: 'encoder+decoder' }), { labelled: fx.labelled, unlabelled: fx.unlabelled, sde }, fx.frames, fx.labels);
    expect(kernel(mt.model, decLayer)).toEqual(kernel(sde.depth, decLayer));
    expect(kernel(mt.model, `seg${decLayer}`)).toEqual(kernel(sde.depth, decLayer));
    [transfer, scratch, mt].forEach((t) => t.dispose());
  });

  it('transfers the encoder only where asked, and forgets the batch-norm running statistics where asked', () => {
    const sde = sdeNets();
    const kernel = (m: typeof sde.depth, name: string) => Array.from(m.getLayer(name).getWeights()[0]!.dataSync());
    const bn = sde.depth.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    // Give the SDE network running statistics of its own (as training leaves them).
    bn.setWeights(bn.getWeights().map((w, i) => (i >= 2 ? tf.fill(w.shape, i === 2 ? 0.7 : 3) : w)));
    const stats = (m: typeof sde.depth) => m.getLayer(bn.name).getWeights().slice(2).map((w) => Array.from(w.dataSync()));
    const encLayer = sde.depth.layers.find((l) => l.name.startsWith('enc') && l.getWeights().length > 0)!.name;
    const decLayer = sde.depth.layers.find((l) => l.name.startsWith('dec_') && l.getWeights().length > 0)!.name;
    const enc = new SegTrainer(segConfig({ steps: 1, mode: 'transfer', transfer: 'encoder' }), { labelled: fx.labelled, unlabelled: [], sde }, fx.frames, fx.labels);
    expect(kernel(enc.model, encLayer)).toEqual(kernel(sde.depth, encLayer));
    expect(kernel(enc.model, decLayer)).not.toEqual(kernel(sde.depth, decLayer));
    expect(stats(enc.model)[0]!.every((v) => Math.abs(v - 0.7) < 1e-6)).toBe(true);
    const mt = new SegTrainer(segConfig({ steps: 1, mode: 'multitask', transfer: 'encoder' }), { labelled: fx.labelled, unlabelled: fx.unlabelled, sde }, fx.frames, fx.labels);
    expect(kernel(mt.model, decLayer)).toEqual(kernel(sde.depth, decLayer)); // the depth branch keeps its SDE weights
    expect(kernel(mt.model, `seg${decLayer}`)).not.toEqual(kernel(sde.depth, decLayer));
    // Its segmentation branch starts as the segmentation network of the same seed: the same prediction as the transfer run.
    expect(kernel(mt.model, `seg${decLayer}`)).toEqual(kernel(enc.model, decLayer));
    const [, h, w] = enc.model.inputs[0]!.shape as number[];
    const x = tf.randomUniform([2, h!, w!, 3], 0, 1, 'float32', 5);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(outputsByName(mt.model, x, false).seg!, outputsByName(enc.model, x, false).seg!))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    x.dispose();
    const reset = new SegTrainer(segConfig({ steps: 1, mode: 'transfer', transfer: 'encoder+decoder', resetBatchNorm: true }), { labelled: fx.labelled, unlabelled: [], sde }, fx.frames, fx.labels);
    expect(kernel(reset.model, encLayer)).toEqual(kernel(sde.depth, encLayer));
    const [mean, variance] = stats(reset.model);
    expect(mean!.every((v) => v === 0)).toBe(true);
    expect(variance!.every((v) => v === 1)).toBe(true);
    [enc, mt, reset].forEach((t) => t.dispose());
  });

  it('makes the teacher a copy after the first step and an average after the second', async () => {
    const sde = sdeNets();
    const t = new SegTrainer(segConfig({ steps: 2, mode: 'transfer', mix: 'depthmix', labelledBatch: 1, unlabelledBatch: 1 }), { labelled: fx.labelled, unlabelled: fx.unlabelled, sde }, fx.frames, fx.labels);
    const w = (m: typeof sde.depth) => Array.from(m.getLayer('seg').getWeights()[0]!.dataSync().slice(0, 8));
    await t.trainStep();
    expect(w(t.teacher!)).toEqual(w(t.model));
    const teacherBefore = w(t.teacher!);
    await t.trainStep();
    const student = w(t.model);
    w(t.teacher!).forEach((v, k) => expect(v).toBeCloseTo(0.5 * teacherBefore[k]! + 0.5 * student[k]!, 5));
    t.dispose();
  });

  it('explains what is missing: labels, unlabelled frames, the SDE model', () => {
    const cfg = (mode: SegMode, mix: MixMode) => segConfig({ steps: 1, mode, mix });
    expect(() => new SegTrainer(cfg('scratch', 'none'), { labelled: [], unlabelled: [] }, fx.frames, fx.labels)).toThrow(/no labelled frames/);
    expect(() => new SegTrainer(cfg('transfer', 'none'), { labelled: fx.labelled, unlabelled: [] }, fx.frames, fx.labels)).toThrow(/needs a trained SDE model/);
    expect(() => new SegTrainer(cfg('scratch', 'classmix'), { labelled: fx.labelled, unlabelled: [] }, fx.frames, fx.labels)).toThrow(/needs unlabelled frames/);
    // The trainers take resolved settings and fill in nothing themselves.
    const base = segConfig({ steps: 1 });
    const data = { labelled: fx.labelled, unlabelled: [] };
    expect(() => new SegTrainer({ ...base, settings: { ...base.settings, mode: 'fancy' as SegMode } }, data, fx.frames, fx.labels)).toThrow(
      /segmentation training: settings are not resolved: mode must be one of scratch, transfer, multitask \(got "fancy"\)/,
    );
    const { momentum: _m, ...noMomentum } = base.settings;
    expect(() => new SegTrainer({ ...base, settings: noMomentum as typeof base.settings }, data, fx.frames, fx.labels)).toThrow(/momentum is missing/);
    const sde = sdeConfig({ steps: 1 });
    const { lr: _lr, ...noLr } = sde.settings;
    expect(() => new SdeTrainer({ ...sde, settings: noLr as typeof sde.settings }, fx.clips, fx.frames)).toThrow(/SDE training: settings are not resolved: lr is missing/);
  });
});
