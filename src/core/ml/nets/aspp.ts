/**
 * Atrous spatial pyramid pooling (DeepLab v3): a 1x1 branch, three 3x3 branches dilated by
 * the configured rates, and an image-pooling branch (global average -> 1x1 conv -> repeated
 * back to the feature size), concatenated and projected by a 1x1 conv. Convs carry a bias and
 * a ReLU (no batch norm: the decoders are normalisation-free, as in monodepth2).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { DecoderConfig } from './config';
import { type Sym, apply1, concat, conv, spatialOf, upsample } from './layerBlocks';

/** ASPP on `x`; output has `outChannels` channels and the spatial size of `x`. */
export function aspp(x: Sym, cfg: DecoderConfig, outChannels: number, prefix: string): Sym {
  const c = cfg.asppChannels;
  const [h, w] = spatialOf(x);
  const branches: Sym[] = [conv(x, c, `${prefix}_b0`, { kernel: 1, activation: 'relu' })];
  cfg.asppRates.forEach((rate, i) => {
    branches.push(conv(x, c, `${prefix}_b${i + 1}`, { kernel: 3, dilation: rate, activation: 'relu' }));
  });
  const pooled = apply1(tfl.layers.globalAveragePooling2d({ name: `${prefix}_pool_avg` }), x);
  const pooled4 = apply1(tfl.layers.reshape({ name: `${prefix}_pool_reshape`, targetShape: [1, 1, pooled.shape[1] as number] }), pooled);
  const pooledConv = conv(pooled4, c, `${prefix}_pool_conv`, { kernel: 1, activation: 'relu' });
  branches.push(upsample(pooledConv, h, w, `${prefix}_pool_up`));
  return conv(concat(branches, `${prefix}_concat`), outChannels, `${prefix}_project`, { kernel: 1, activation: 'relu' });
}
