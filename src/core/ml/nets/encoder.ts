/**
 * ResNet-style encoder with output stride 16: stride-2 stem conv (features at stride 2),
 * 3x3/2 max pool, stage 1 at stride 4, stage 2 at 8, stage 3 at 16, and stage 4 at stride 16
 * too, its 3x3 convolutions dilated by 2 instead of strided (a DeepLab-style dilated last
 * stage keeps resolution for the decoder). Input images in [0, 1] are normalised inside.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { type BuildOptions, withInitSeed } from './initSeed';
import { type InputSize, type NetConfig, checkInputSize, checkNetConfig } from './config';
import { type Sym, apply1, basicBlock, convBn, normaliseInput } from './layerBlocks';

/** Dilation of the last encoder stage (stride 1 there, so the output stride stays 16). */
export const LAST_STAGE_DILATION = 2;

/** Features at strides 2, 4, 8, 16, 16 (index k: level k of the decoder, level 4 the deepest). */
export type EncoderFeatures = [Sym, Sym, Sym, Sym, Sym];

/** Layer-name prefix of the encoder in every network that contains one. */
export const ENCODER_PREFIX = 'enc';

/** Builds the encoder layers on `image` (NHWC, 3 channels, values in [0, 1]). */
export function encoderFeatures(image: Sym, cfg: NetConfig, prefix = ENCODER_PREFIX): EncoderFeatures {
  const { channels, blocks, stemKernel } = cfg.encoder;
  const x = normaliseInput(image, `${prefix}_norm`);
  const f0 = convBn(x, channels[0], `${prefix}_stem`, { kernel: stemKernel, stride: 2, relu: true });
  let f = apply1(tfl.layers.maxPooling2d({ name: `${prefix}_pool`, poolSize: 3, strides: 2, padding: 'same' }), f0);
  const stages: Array<{ stride: number; dilation: number }> = [
    { stride: 1, dilation: 1 },
    { stride: 2, dilation: 1 },
    { stride: 2, dilation: 1 },
    { stride: 1, dilation: LAST_STAGE_DILATION },
  ];
  const outs: Sym[] = [f0];
  stages.forEach(({ stride, dilation }, s) => {
    for (let b = 0; b < blocks[s]!; b++) {
      f = basicBlock(f, channels[s + 1]!, `${prefix}_layer${s + 1}_${b}`, b === 0 ? stride : 1, dilation);
    }
    outs.push(f);
  });
  return outs as EncoderFeatures;
}

/** The image input of a network: [batch, height, width, 3], named 'image'. */
export function imageInput(size: InputSize, what: string): Sym {
  checkInputSize(size, 16, what);
  return tfl.input({ name: 'image', shape: [size.height, size.width, 3] });
}

/**
 * The encoder alone as a model. Outputs (for input [B, H, W, 3]):
 * [B, H/2, W/2, c0], [B, H/4, W/4, c1], [B, H/8, W/8, c2], [B, H/16, W/16, c3], [B, H/16, W/16, c4]
 * with c = cfg.encoder.channels.
 */
export function buildEncoder(cfg: NetConfig, size: InputSize, opts: BuildOptions = {}): tfl.LayersModel {
  return withInitSeed(opts.seed, () => {
    checkNetConfig(cfg);
    const image = imageInput(size, 'encoder');
    return tfl.model({ name: 'encoder', inputs: image, outputs: encoderFeatures(image, cfg) });
  });
}
