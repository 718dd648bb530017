/**
 * Segmentation network: the encoder and a copy of the depth decoder's architecture (same
 * layer names, so it can be initialised from the SDE depth network with copyMatchingWeights)
 * with a 1x1 classifier at full resolution instead of the disparity heads.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { type BuildOptions, withInitSeed } from './initSeed';
import { type InputSize, type NetConfig, checkNetConfig } from './config';
import { encoderFeatures, imageInput } from './encoder';
import { DECODER_PREFIX, decoderFromStride4, decoderToStride4 } from './depthDecoder';
import { type Sym, conv } from './layerBlocks';

/** Output (and classifier layer) name of the segmentation logits. */
export const SEG_OUTPUT = 'seg';

/** Standard deviation of the classifier's initial weights: logits start near 0 (loss ln C). */
export const CLASSIFIER_INIT_STD = 0.01;

/**
 * 1x1 classifier to `numClasses` logits, layer name `name`. Small initial weights: features
 * transferred from the SDE decoder can be large, and a He-initialised head then starts with
 * confident random logits (a loss of ~6.5 instead of ln 19 = 2.9) that slow training down.
 */
export function classifier(x: Sym, numClasses: number, name: string): Sym {
  return conv(x, numClasses, name, { kernel: 1, smallInitStd: CLASSIFIER_INIT_STD });
}

/**
 * image [B, H, W, 3] in [0, 1] (H, W multiples of 16) -> seg [B, H, W, numClasses] logits.
 */
export function buildSegNet(cfg: NetConfig, size: InputSize, opts: BuildOptions = {}): tfl.LayersModel {
  return withInitSeed(opts.seed, () => {
    checkNetConfig(cfg);
    const image = imageInput(size, 'segmentation network');
    const feats = encoderFeatures(image, cfg);
    const { s4 } = decoderToStride4(feats, cfg, DECODER_PREFIX);
    const { s1 } = decoderFromStride4(s4, feats, cfg, DECODER_PREFIX);
    return tfl.model({ name: 'seg_net', inputs: image, outputs: classifier(s1, cfg.numClasses, SEG_OUTPUT) });
  });
}
