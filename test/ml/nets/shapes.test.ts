import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
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
  netPreset,
} from '../../../src/core/ml/nets';
import { SIZE, outputsOf, testImages, useCpuEngine } from './netSetup';

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
    const last = enc.layers.filter((l) => l.name.startsWith('enc_layer4_') && l.getClassName() === 'Conv2D');
    expect(last.length).toBeGreaterThan(0);
    for (const l of last) {
      const cfg = l.getConfig();
      expect(cfg.strides).toEqual([1, 1]);
      if ((cfg.kernelSize as number[])[0] === 3) expect(cfg.dilationRate).toEqual([LAST_STAGE_DILATION, LAST_STAGE_DILATION]);
    }
    const earlier = enc.layers.filter((l) => /^enc_layer[123]_/.test(l.name) && l.getClassName() === 'Conv2D');
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
  it('gives a small 6-DoF vector per frame pair', () => {
    const net = keep(buildPoseNet(TINY, SIZE));
    const x = testImages(B, 6);
    const [y] = outputsOf(net, x);
    expect(y!.shape).toEqual([B, 6]);
    const v = Array.from(y!.dataSync());
    expect(v.every(Number.isFinite)).toBe(true);
    expect(Math.max(...v.map(Math.abs))).toBeLessThan(0.1);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0);
    tf.dispose([x, y!]);
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
