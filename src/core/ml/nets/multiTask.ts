/**
 * PAD-Net-style multi-task network: one encoder shared by a depth decoder (layer prefix
 * `dec`, as in the depth network) and a segmentation decoder (prefix `segdec`). At the
 * stride-4 level each branch adds the other's features through a gated convolution,
 *   x_own + conv3x3_feat(x_other) * sigmoid(conv3x3_gate(x_other)),
 * then both finish their levels. A side 1x1 classifier on the segmentation branch's
 * stride-4 features (after the exchange), upsampled x4 bilinearly, is a second seg output.
 * disp_2 (stride 4) likewise reads the depth branch after the exchange.
 *
 * Gate initialisation: the multiplied feature conv (`*_feat`) has a zero kernel and bias, so
 * each gated term is exactly 0 at the start and the multi-task model then computes the same
 * depth and segmentation as the separate networks with the same weights; the sigmoid gate
 * conv (`*_gate`) starts random, so the feature conv gets a gradient from the first step.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { type BuildOptions, withInitSeed } from './initSeed';
import { type InputSize, type NetConfig, checkNetConfig } from './config';
import { encoderFeatures, imageInput } from './encoder';
import { DECODER_PREFIX, decoderFromStride4, decoderToStride4, dispHead } from './depthDecoder';
import { SEG_OUTPUT, classifier } from './segDecoder';
import { type Sym, apply1, channelsOf, conv, upsample } from './layerBlocks';

export const SEG_DECODER_PREFIX = 'segdec';
/** Output name of the side classifier's logits (full resolution). */
export const SEG_SIDE_OUTPUT = 'seg_side';
/** Layer names of the gated exchanges' products (the term added to each branch). */
export const GATE_DEPTH_TO_SEG = 'mt_depth2seg';
export const GATE_SEG_TO_DEPTH = 'mt_seg2depth';

/** conv3x3(x) * sigmoid(conv3x3(x)) with `channels` outputs; layers `${name}_feat`, `${name}_gate`, `${name}` (the product). */
export function gatedConv(x: Sym, channels: number, name: string): Sym {
  const feat = conv(x, channels, `${name}_feat`, { zeroInit: true });
  const gate = conv(x, channels, `${name}_gate`, { activation: 'sigmoid' });
  return apply1(tfl.layers.multiply({ name }), [feat, gate]);
}

/**
 * image [B, H, W, 3] in [0, 1] (H, W multiples of 16) ->
 * disp_0 [B, H, W, 1], disp_1 [B, H/2, W/2, 1], disp_2 [B, H/4, W/4, 1], disp_3 [B, H/8, W/8, 1] (sigmoid),
 * seg [B, H, W, numClasses] and seg_side [B, H, W, numClasses] (logits).
 */
export function buildMultiTaskNet(cfg: NetConfig, size: InputSize, opts: BuildOptions = {}): tfl.LayersModel {
  return withInitSeed(opts.seed, () => {
    checkNetConfig(cfg);
    const image = imageInput(size, 'multi-task network');
    const feats = encoderFeatures(image, cfg);
    const depth = decoderToStride4(feats, cfg, DECODER_PREFIX);
    const seg = decoderToStride4(feats, cfg, SEG_DECODER_PREFIX);
    const d4 = apply1(tfl.layers.add({ name: 'mt_depth_s4' }), [depth.s4, gatedConv(seg.s4, channelsOf(depth.s4), GATE_SEG_TO_DEPTH)]);
    const s4 = apply1(tfl.layers.add({ name: 'mt_seg_s4' }), [seg.s4, gatedConv(depth.s4, channelsOf(seg.s4), GATE_DEPTH_TO_SEG)]);
    const side = upsample(classifier(s4, cfg.numClasses, `${SEG_SIDE_OUTPUT}_cls`), 4, 4, SEG_SIDE_OUTPUT, 'bilinear');
    const dLow = decoderFromStride4(d4, feats, cfg, DECODER_PREFIX);
    const sLow = decoderFromStride4(s4, feats, cfg, SEG_DECODER_PREFIX);
    return tfl.model({
      name: 'multitask_net',
      inputs: image,
      outputs: [dispHead(dLow.s1, 0), dispHead(dLow.s2, 1), dispHead(d4, 2), dispHead(depth.s8, 3), classifier(sLow.s1, cfg.numClasses, SEG_OUTPUT), side],
    });
  });
}

/**
 * Name of the layer of a depth or segmentation network that initialises layer `name` of the
 * multi-task network: the seg decoder's `segdec_*` from the single-task decoder's `dec_*`,
 * everything else by its own name. Use with copyMatchingWeights(sde or seg net, multi-task net).
 */
export function multiTaskSourceName(name: string): string {
  return name.startsWith(`${SEG_DECODER_PREFIX}_`) ? `${DECODER_PREFIX}_${name.slice(SEG_DECODER_PREFIX.length + 1)}` : name;
}
