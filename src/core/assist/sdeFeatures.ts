/**
 * SDE features of a frame's superpixels, for the live assist: the depth network's (trained on
 * the user's own video, without labels) decoder feature maps and its disparity, each averaged
 * over every superpixel of the frame (superpixelPooling.ts).
 *
 * Layers (see src/core/ml/nets/depthDecoder.ts): `dec_up2_1` (stride 4: the decoder's coarser,
 * wider-context level), `dec_up0_1` (stride 1, the last decoder convolution, the one the
 * selection features pool too) and `disp_0` (the disparity itself). A network missing one of
 * them is refused in words.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { UsageError } from '../errors';
import { copyMatchingWeights } from '../ml/nets/copyWeights';
import { PRESETS } from '../ml/nets/config';
import { DECODER_PREFIX, buildDepthNet } from '../ml/nets/depthDecoder';
import { type SuperpixelFeatures, type SuperpixelLabels, poolPerSuperpixel } from './superpixelPooling';

export const ASSIST_SDE_LAYERS: readonly string[] = [`${DECODER_PREFIX}_up2_1`, `${DECODER_PREFIX}_up0_1`, 'disp_0'];

/** Which maps to read and at what input size (the benchmark compares them; the app uses the defaults). */
export interface SdeFeatureOptions {
  /** Layer names, each giving one [B, H, W, C] map (default ASSIST_SDE_LAYERS). */
  readonly layers?: readonly string[];
  /**
   * The frame is run at this multiple of the network's own input size (default 1): the net is
   * fully convolutional, so a rebuilt copy with the same weights gives finer maps.
   */
  readonly inputScale?: number;
}

/** Feature views of a depth network by layers and scale (the same weights or a copy; never disposed, as disposing one would dispose the network's). */
const views = new WeakMap<tfl.LayersModel, Map<string, tfl.LayersModel>>();

/** The depth network rebuilt at `scale` times its input size with its weights (by matching a preset's shapes). */
function atScale(model: tfl.LayersModel, scale: number): tfl.LayersModel {
  if (scale === 1) return model;
  if (!Number.isInteger(scale) || scale < 1) throw new UsageError(`SDE features: the input scale must be a positive integer, got ${scale}`);
  const shape = model.inputs[0]!.shape;
  const size = { height: shape[1]! * scale, width: shape[2]! * scale };
  const own = model.weights.map((w) => w.shape.join('x')).join();
  for (const cfg of Object.values(PRESETS)) {
    const built = buildDepthNet(cfg, { height: shape[1]!, width: shape[2]! });
    const same = built.weights.map((w) => w.shape.join('x')).join() === own;
    built.dispose();
    if (!same) continue;
    const big = buildDepthNet(cfg, size);
    copyMatchingWeights(model, big);
    return big;
  }
  throw new UsageError(`model '${model.name}' matches no network preset: it cannot be run at ${scale}x its input size`);
}

function featureView(model: tfl.LayersModel, layers: readonly string[], scale: number): tfl.LayersModel {
  const key = `${layers.join()}@${scale}`;
  let byKey = views.get(model);
  if (!byKey) views.set(model, (byKey = new Map()));
  let view = byKey.get(key);
  if (view) return view;
  const net = atScale(model, scale);
  const outputs = layers.map((name) => {
    let layer: tfl.layers.Layer;
    try {
      layer = net.getLayer(name);
    } catch {
      throw new UsageError(`model '${model.name}' has no layer '${name}': the assist's SDE features need a depth network built by buildDepthNet`);
    }
    const out = layer.output;
    if (Array.isArray(out) || out.shape.length !== 4) throw new UsageError(`layer '${name}' of model '${model.name}' does not give one [B, H, W, C] feature map`);
    return out;
  });
  view = tfl.model({ inputs: net.inputs, outputs });
  byKey.set(key, view);
  return view;
}

/**
 * The SDE features of each superpixel of a frame: `rgb` is the frame at its own size (3 bytes
 * a pixel, the superpixels' size), `model` a depth network (its input size is used).
 */
export async function superpixelSdeFeatures(model: tfl.LayersModel, rgb: Uint8Array, sp: SuperpixelLabels, opts: SdeFeatureOptions = {}): Promise<SuperpixelFeatures> {
  const names = opts.layers ?? ASSIST_SDE_LAYERS;
  const view = featureView(model, names, opts.inputScale ?? 1);
  return poolPerSuperpixel('SDE features', view, rgb, sp, (outputs) => outputs.map((map, i) => ({ name: names[i]!, map })));
}
