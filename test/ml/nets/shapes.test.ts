import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DilatedConv2D } from '../../../src/core/ml/nets/dilatedConv';
import { POSE_TRANSLATION_PRIOR } from '../../../src/core/ml/nets/config';
import { PoseOutputScale } from '../../../src/core/ml/nets/poseOutputScale';
import {
  DISP_OUTPUTS,
  LAST_STAGE_DILATION,
  SEG_OUTPUT,
  SEG_SIDE_OUTPUT,
  TINY,
  SMALL,
  REFERENCE,
  buildDepthNet,
  buildEncoder,
  buildMultiTaskNet,
  buildPoseNet,
  buildSegNet,
  copyMatchingWeights,
  DEFAULT_POSE_OUTPUT,
  netPreset,
  poseOutputOf,
} from '../../../src/core/ml/nets';
import { SIZE, maxAbsDiff, outputsOf, testImages, useCpuEngine } from './netSetup';

const B = 2;
const { height: H, width: W } = SIZE;
const models: tfl.LayersModel[] = [];
const keep = <T extends tfl.LayersModel>(m: T): T => (models.push(m), m);

beforeAll(useCpuEngine);
afterAll(() => models.forEach((m) => m.dispose()));

describe('encoder', () => {
  it('gives features at strides 2, 4, 8, 16, 16 with the configured widths', () => {
    const enc = keep(buildEncoder(TINY, SIZE));
    const x = testImages(B);
    const outs = outputsOf(enc, x);
    const c = TINY.encoder.channels;
    expect(outs.map((o) => o.shape)).toEqual([
      [B, H / 2, W / 2, c[0]],
      [B, H / 4, W / 4, c[1]],
      [B, H / 8, W / 8, c[2]],
      [B, H / 16, W / 16, c[3]],
      [B, H / 16, W / 16, c[4]],
    ]);
    tf.dispose([x, ...outs]);
  });

  it('dilates the last stage instead of striding it', () => {
    const enc = keep(buildEncoder(SMALL, SIZE));
    const last = enc.layers.filter((l) => l.name.startsWith('enc_layer4_') && /Conv2D$/.test(l.getClassName()));
    expect(last.length).toBeGreaterThan(0);
    for (const l of last) {
      const cfg = l.getConfig();
      expect(cfg.strides).toEqual([1, 1]);
      if ((cfg.kernelSize as number[])[0] === 3) expect(cfg.dilationRate).toEqual([LAST_STAGE_DILATION, LAST_STAGE_DILATION]);
    }
    const earlier = enc.layers.filter((l) => /^enc_layer[123]_/.test(l.name) && /Conv2D$/.test(l.getClassName()));
    for (const l of earlier) expect(l.getConfig().dilationRate).toEqual([1, 1]);
  });

  it('normalises the input as (x - 0.45) / 0.225 inside the model', () => {
    const enc = keep(buildEncoder(TINY, SIZE));
    const norm = enc.getLayer('enc_norm');
    const y = norm.apply(tf.tensor4d([0, 0.45, 1, 0.225], [1, 1, 4, 1])) as tf.Tensor;
    const v = Array.from(y.dataSync());
    [-2, 0, 0.55 / 0.225, -1].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
    y.dispose();
  });

  it('refuses input sizes that are not multiples of 16, naming the size', () => {
    expect(() => buildEncoder(TINY, { height: 40, width: 64 })).toThrow(/height 40 must be a positive multiple of 16/);
    expect(() => netPreset('huge')).toThrow(/unknown network preset 'huge'/);
  });
});

describe('depth network', () => {
  it('outputs sigmoid disparities in (0, 1) at scales 0..3', () => {
    const net = keep(buildDepthNet(TINY, SIZE));
    expect(net.outputNames).toEqual([...DISP_OUTPUTS]);
    const x = testImages(B);
    const outs = outputsOf(net, x);
    expect(outs.map((o) => o.shape)).toEqual([0, 1, 2, 3].map((s) => [B, H >> s, W >> s, 1]));
    for (const o of outs) {
      const v = o.dataSync();
      expect(Math.min(...v)).toBeGreaterThan(0);
      expect(Math.max(...v)).toBeLessThan(1);
    }
    // The image changes the output (the network is not constant).
    const y0 = outs[0]!.dataSync();
    expect(Math.max(...y0) - Math.min(...y0)).toBeGreaterThan(0);
    tf.dispose([x, ...outs]);
  });

  it('has an ASPP with a 1x1 branch, three dilated 3x3 branches and image pooling', () => {
    const net = keep(buildDepthNet(SMALL, SIZE));
    const dil = (n: string) => net.getLayer(n).getConfig().dilationRate;
    expect(net.getLayer('dec_aspp_b0').getConfig().kernelSize).toEqual([1, 1]);
    expect([dil('dec_aspp_b1'), dil('dec_aspp_b2'), dil('dec_aspp_b3')]).toEqual(SMALL.decoder.asppRates.map((r) => [r, r]));
    expect(net.getLayer('dec_aspp_pool_up').outputShape).toEqual([null, H / 16, W / 16, SMALL.decoder.asppChannels]);
    expect(net.getLayer('dec_aspp_project').outputShape).toEqual([null, H / 16, W / 16, SMALL.decoder.channels[4]]);
  });
});

describe('segmentation network', () => {
  it('outputs full-resolution logits for every class', () => {
    const net = keep(buildSegNet(TINY, SIZE));
    expect(net.outputNames).toEqual([SEG_OUTPUT]);
    const x = testImages(1);
    const [y] = outputsOf(net, x);
    expect(y!.shape).toEqual([1, H, W, TINY.numClasses]);
    tf.dispose([x, y!]);
  });
});

describe('multi-task network', () => {
  it('outputs the four disparities, the segmentation and the side segmentation', () => {
    const net = keep(buildMultiTaskNet(TINY, SIZE));
    expect(net.outputNames).toEqual([...DISP_OUTPUTS, SEG_OUTPUT, SEG_SIDE_OUTPUT]);
    const x = testImages(B);
    const outs = outputsOf(net, x);
    expect(outs.map((o) => o.shape)).toEqual([
      ...[0, 1, 2, 3].map((s) => [B, H >> s, W >> s, 1]),
      [B, H, W, TINY.numClasses],
      [B, H, W, TINY.numClasses],
    ]);
    // The side classifier reads the stride-4 layer.
    expect(net.getLayer('seg_side_cls').outputShape).toEqual([null, H / 4, W / 4, TINY.numClasses]);
    tf.dispose([x, ...outs]);
  });
});

describe('pose network', () => {
  it('starts every frame pair at no rotation and the forward-motion prior', () => {
    const net = keep(buildPoseNet(TINY, SIZE));
    const x = testImages(B, 6);
    const [y] = outputsOf(net, x);
    expect(y!.shape).toEqual([B, 6]);
    expect(Array.from(y!.dataSync())).toEqual([0, 0, 0, ...POSE_TRANSLATION_PRIOR, 0, 0, 0, ...POSE_TRANSLATION_PRIOR].map(Math.fround));
    expect(POSE_TRANSLATION_PRIOR[2]).toBeLessThan(0); // z forward: the later camera is ahead
    tf.dispose([x, y!]);
  });

  it("scales the head's rotation by 0.01 and its translation by 0.1, then adds the prior", () => {
    const layer = new PoseOutputScale({ name: 'pose_scale_test', rotationScale: 0.01, translationScale: 0.1, translationOffset: [1, 2, 3] });
    const y = layer.apply(tf.tensor2d([1, 2, 3, 4, 5, 6, -10, 0, 10, -20, 0, 20], [2, 6])) as tf.Tensor;
    const v = Array.from(y.dataSync());
    [0.01, 0.02, 0.03, 1.4, 2.5, 3.6, -0.1, 0, 0.1, -1, 2, 5].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
    expect(layer.getConfig()).toMatchObject({ rotationScale: 0.01, translationScale: 0.1, translationOffset: [1, 2, 3] });
    y.dispose();
  });
});

describe('pose output scaling carried with the weights', () => {
  /** The scaling of pose networks saved before PoseOutputScale: every output x0.01, no prior. */
  const EARLIER = { rotationScale: 0.01, translationScale: 0.01, translationOffset: [0, 0, 0] };

  it('rebuilds a pose network with its own scaling, so its weights give the same poses', () => {
    const src = keep(buildPoseNet(TINY, SIZE, { seed: 2, output: EARLIER }));
    const head = src.getLayer('pose_head_out');
    head.setWeights(head.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 7 + i)));
    expect(poseOutputOf(src)).toEqual(EARLIER);
    expect(poseOutputOf(keep(buildPoseNet(TINY, SIZE)))).toEqual(DEFAULT_POSE_OUTPUT);

    const x = testImages(B, 6);
    const [want] = outputsOf(src, x);
    const same = keep(buildPoseNet(TINY, SIZE, { seed: 9, output: poseOutputOf(src) }));
    copyMatchingWeights(src, same);
    const [got] = outputsOf(same, x);
    expect(maxAbsDiff(got!, want!)).toBeLessThan(1e-6);
    // the same weights under this version's scaling move the camera elsewhere
    const rescaled = keep(buildPoseNet(TINY, SIZE, { seed: 9 }));
    copyMatchingWeights(src, rescaled);
    const [other] = outputsOf(rescaled, x);
    expect(maxAbsDiff(other!, want!)).toBeGreaterThan(0.01);
    tf.dispose([x, want!, got!, other!]);
  });

  it("reads an earlier version's Rescaling output layer, and refuses layers that are no pose scaling", () => {
    const ending = (layer: tfl.layers.Layer) => {
      const input = tfl.input({ shape: [6] });
      return keep(tfl.model({ name: 'old_pose', inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor }));
    };
    expect(poseOutputOf(ending(tfl.layers.rescaling({ name: 'pose', scale: 0.01, offset: 0 })))).toEqual(EARLIER);
    expect(() => poseOutputOf(ending(tfl.layers.rescaling({ name: 'pose', scale: 0.01, offset: 1 })))).toThrow(/old_pose: its output layer 'pose' is a Rescaling .*not a pose output scaling/);
    expect(() => poseOutputOf(ending(tfl.layers.dense({ name: 'pose', units: 6 })))).toThrow(/is a Dense/);
  });
});

describe('presets', () => {
  it('small and reference differ only in size', () => {
    expect(SMALL.encoder.blocks).toEqual([1, 1, 1, 1]);
    expect(REFERENCE.encoder.channels.slice(1)).toEqual([64, 128, 256, 512]);
    expect(REFERENCE.decoder.channels).toEqual([64, 128, 128, 256, 256]);
    expect(REFERENCE.decoder.asppRates).toEqual([6, 12, 18]);
  });
});

describe('DilatedConv2D', () => {
  it('computes what a tfjs-layers Conv2D with the same weights and dilation computes', () => {
    const x = testImages(1, 5, { height: 16, width: 16 });
    const ours = new DilatedConv2D({ name: 'ours', filters: 4, kernelSize: 3, dilationRate: 2, activation: 'relu' });
    const theirs = tfl.layers.conv2d({ name: 'theirs', filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu' });
    const a = ours.apply(x) as tf.Tensor;
    const b0 = theirs.apply(x) as tf.Tensor;
    tf.dispose(b0);
    tf.tidy(() => theirs.setWeights([ours.getWeights()[0]!, tf.linspace(-0.2, 0.2, 4)]));
    tf.tidy(() => ours.setWeights([ours.getWeights()[0]!, tf.linspace(-0.2, 0.2, 4)]));
    const a2 = ours.apply(x) as tf.Tensor;
    const b = theirs.apply(x) as tf.Tensor;
    expect(maxAbsDiff(a2, b)).toBeLessThan(1e-5);
    expect(ours.getConfig().dilationRate).toEqual([2, 2]);
    tf.dispose([x, a, a2, b]);
  });

  it('has the gradient of a dilated convolution (checked on the linear map kernel -> output)', () => {
    const layer = new DilatedConv2D({ name: 'lin', filters: 3, kernelSize: 3, dilationRate: 2, useBias: false });
    const x = testImages(2, 4, { height: 16, width: 32 });
    const w = tf.randomUniform([2, 16, 32, 3], -1, 1, 'float32', 5);
    layer.apply(x);
    const kernelVar = layer.getWeights()[0]! as tf.Variable;
    const loss = (k: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, k as tf.Tensor4D, 1, 'same', 'NHWC', 2), w));
    // L is linear in the kernel, so L(k) = <dL/dk, k> exactly when the gradient is right.
    const g = tf.grad(loss)(kernelVar);
    const l = loss(kernelVar).dataSync()[0]!;
    const viaGrad = tf.sum(tf.mul(g, kernelVar)).dataSync()[0]!;
    expect(Math.abs(viaGrad - l)).toBeLessThan(1e-4 * Math.max(1, Math.abs(l)));
    // And through the layer itself (its kernel is a variable).
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, w)) as tf.Scalar, [kernelVar]);
    expect(maxAbsDiff(grads[kernelVar.name]!, g)).toBeLessThan(1e-4);
    tf.dispose([x, w, g, grads[kernelVar.name]!]);
  });
});
