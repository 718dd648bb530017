import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLabel, readRgb, readU16 } from '../../src/core/data/imageIo';
import { evaluateModel } from '../../src/core/project/evaluateModel';
import { predictFrames } from '../../src/core/project/predictFrames';
import { initProject } from '../../src/core/project/initProject';
import { useCpuEngine } from '../ml/nets/netSetup';
import { FIXTURE_SIZE, freshDirs, writeCityscapesFixture } from '../data/fixtures';

const temp = freshDirs();
beforeAll(useCpuEngine);

/** A 1x1-conv "network" whose output is the same everywhere: `bias` per channel. */
function constantModel(name: string, bias: number[], activation: 'linear' | 'sigmoid'): tfl.LayersModel {
  const input = tfl.input({ shape: [FIXTURE_SIZE.height, FIXTURE_SIZE.width, 3] });
  const layer = tfl.layers.conv2d({ filters: bias.length, kernelSize: 1, activation, name });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  layer.setWeights([tf.zeros([1, 1, 3, bias.length]), tf.tensor1d(bias)]);
  return model;
}

describe('evaluating a model on a project split', () => {
  it('accumulates one confusion matrix over the split: a constant "road" model scores by hand', async () => {
    const data = temp('eval-ds');
    await writeCityscapesFixture(data);
    const { open } = await initProject({ dir: temp('eval-proj'), dataset: data });
    // val label: four 4-pixel-wide stripes of road, sidewalk, car, ignore (8 rows)
    // road: TP 32, FP 64 (sidewalk and car pixels) -> IoU 1/3; sidewalk and car IoU 0
    const bias = new Array(19).fill(0);
    bias[0] = 5;
    const result = await evaluateModel(open, constantModel('seg', bias, 'linear'), { split: 'val' });
    await open.close();
    expect(result.frames).toBe(1);
    expect(result.segmentation!.miou).toBeCloseTo(100 / 9, 6);
    expect(result.segmentation!.pixelAccuracy).toBeCloseTo(100 / 3, 6);
    const perClass = Object.fromEntries(result.segmentation!.perClass.map((c) => [c.name, c.iou]));
    expect(perClass['road']).toBeCloseTo(100 / 3, 6);
    expect(perClass['sidewalk']).toBe(0);
    expect(perClass['car']).toBe(0);
    expect(perClass['sky']).toBeNull();
    expect(result.depth).toBeNull();
  });

  it('scores depth against ground truth after median scaling', async () => {
    const data = temp('eval-ds');
    await writeCityscapesFixture(data);
    const { open } = await initProject({ dir: temp('eval-proj'), dataset: data });
    // the train snippet's keyframe has constant ground-truth depth; a constant disparity
    // scaled by the median matches it exactly
    const result = await evaluateModel(open, constantModel('disp_0', [0], 'sigmoid'), { split: 'train' });
    await open.close();
    expect(result.segmentation).toBeNull();
    expect(result.depth!.images).toBe(1);
    expect(result.depth!.absRel).toBeCloseTo(0, 6);
    expect(result.depth!.a1).toBe(1);
  });
});

describe('writing predictions', () => {
  it('writes raw and colourised segmentation and disparity PNGs per frame', async () => {
    const data = temp('pred-ds');
    await writeCityscapesFixture(data);
    const { open } = await initProject({ dir: temp('pred-proj'), dataset: data });
    const input = tfl.input({ shape: [FIXTURE_SIZE.height, FIXTURE_SIZE.width, 3] });
    const segLayer = tfl.layers.conv2d({ filters: 19, kernelSize: 1, name: 'seg' });
    const dispLayer = tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid', name: 'disp_0' });
    const model = tfl.model({ inputs: input, outputs: [segLayer.apply(input), dispLayer.apply(input)] as tfl.SymbolicTensor[] });
    const bias = new Array(19).fill(0);
    bias[13] = 3;
    segLayer.setWeights([tf.zeros([1, 1, 3, 19]), tf.tensor1d(bias)]);
    dispLayer.setWeights([tf.zeros([1, 1, 3, 1]), tf.tensor1d([0])]);
    const out = temp('pred-out');
    const summary = await predictFrames(open, model, { out, split: 'val' });
    await open.close();
    expect(summary).toMatchObject({ frames: 1, files: 4, outputs: ['classIds', 'seg', 'disp', 'disp_color'] });
    // Cityscapes: {split}/{city}/{name}, as the dataset holds the frame
    const stem = join(out, 'val', 'tc', 'tc_000002_000040');
    expect(new Set((await readLabel(`${stem}_classIds.png`)).data)).toEqual(new Set([13]));
    expect(Array.from((await readRgb(`${stem}_seg.png`)).data.subarray(0, 3))).toEqual([0, 0, 142]);
    expect(new Set((await readU16(`${stem}_disp.png`)).data)).toEqual(new Set([32768])); // sigmoid(0) x 65535
  });
});
