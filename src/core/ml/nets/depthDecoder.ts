/**
 * U-Net depth decoder (monodepth2 layout) whose first block is an ASPP, and the SDE depth
 * network (encoder + this decoder). Levels run from 4 (stride 16) to 0 (stride 1); level k
 * has cfg.decoder.channels[k] channels:
 *   level 4: ASPP(enc stride-16 dilated features), concat the stage-3 features (also stride 16), conv
 *   level 3..1: conv, x2 nearest upsampling, concat the encoder features of that stride, conv
 *   level 0: conv, x2 upsampling, conv (no skip at full resolution)
 * Convs are 3x3 with ELU. A 3x3 conv + sigmoid on levels 3, 2, 1, 0 gives the disparity at
 * scales 3..0 (strides 8, 4, 2, 1), as in monodepth2.
 * The decoder is split at the stride-4 level so the multi-task model can exchange features there.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { type BuildOptions, withInitSeed } from './initSeed';
import { type InputSize, type NetConfig, checkNetConfig } from './config';
import { type EncoderFeatures, encoderFeatures, imageInput } from './encoder';
import { aspp } from './aspp';
import { type Sym, concat, conv, upsample } from './layerBlocks';

/** Layer-name prefix of the decoder in the depth and segmentation networks. */
export const DECODER_PREFIX = 'dec';
/** Output names of the depth network: disparity at scales 0..3 (strides 1, 2, 4, 8). */
export const DISP_OUTPUTS = ['disp_0', 'disp_1', 'disp_2', 'disp_3'] as const;

function level(x: Sym, k: number, cfg: NetConfig, prefix: string, skip: Sym | null): Sym {
  const c = cfg.decoder.channels[k]!;
  let y = conv(x, c, `${prefix}_up${k}_0`, { activation: 'elu' });
  y = upsample(y, 2, 2, `${prefix}_up${k}_resize`);
  if (skip) y = concat([y, skip], `${prefix}_up${k}_concat`);
  return conv(y, c, `${prefix}_up${k}_1`, { activation: 'elu' });
}

/** Levels 4, 3, 2: the decoder features at stride 8 and stride 4. */
export function decoderToStride4(feats: EncoderFeatures, cfg: NetConfig, prefix: string): { s8: Sym; s4: Sym } {
  const c4 = cfg.decoder.channels[4];
  const a = aspp(feats[4], cfg.decoder, c4, `${prefix}_aspp`);
  const s16 = conv(concat([a, feats[3]], `${prefix}_up4_concat`), c4, `${prefix}_up4_1`, { activation: 'elu' });
  const s8 = level(s16, 3, cfg, prefix, feats[2]);
  const s4 = level(s8, 2, cfg, prefix, feats[1]);
  return { s8, s4 };
}

/** Levels 1, 0 from the stride-4 features: the decoder features at stride 2 and stride 1. */
export function decoderFromStride4(s4: Sym, feats: EncoderFeatures, cfg: NetConfig, prefix: string): { s2: Sym; s1: Sym } {
  const s2 = level(s4, 1, cfg, prefix, feats[0]);
  const s1 = level(s2, 0, cfg, prefix, null);
  return { s2, s1 };
}

/** Sigmoid disparity at `scale` (0 = full resolution), output name `disp_<scale>`. */
export function dispHead(x: Sym, scale: number): Sym {
  return conv(x, 1, `disp_${scale}`, { activation: 'sigmoid' });
}

/**
 * The SDE depth network: image [B, H, W, 3] in [0, 1] (H, W multiples of 16) ->
 * disp_0 [B, H, W, 1], disp_1 [B, H/2, W/2, 1], disp_2 [B, H/4, W/4, 1], disp_3 [B, H/8, W/8, 1],
 * each in (0, 1). Depth = 1 / (min_disp + (max_disp - min_disp) * disp).
 */
export function buildDepthNet(cfg: NetConfig, size: InputSize, opts: BuildOptions = {}): tfl.LayersModel {
  return withInitSeed(opts.seed, () => {
    checkNetConfig(cfg);
    const image = imageInput(size, 'depth network');
    const feats = encoderFeatures(image, cfg);
    const { s8, s4 } = decoderToStride4(feats, cfg, DECODER_PREFIX);
    const { s2, s1 } = decoderFromStride4(s4, feats, cfg, DECODER_PREFIX);
    return tfl.model({ name: 'depth_net', inputs: image, outputs: [dispHead(s1, 0), dispHead(s2, 1), dispHead(s4, 2), dispHead(s8, 3)] });
  });
}
