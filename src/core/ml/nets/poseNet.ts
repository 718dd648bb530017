/**
 * Pose network (monodepth2's separate pose ResNet): two RGB frames stacked as 6 channels ->
 * a small ResNet with five stride-2 steps (stem, max pool, three strided stages) -> 1x1
 * squeeze conv, two 3x3 convs, 1x1 conv to 6 channels (zero at the start), spatial mean,
 * times 0.01 for the rotation and 0.1 for the translation, plus a forward-motion prior on the
 * translation (config.ts says why).
 * Output [B, 6]: axis-angle rotation (0..2) and translation (3..5) of the transform between
 * the two frames (the convention of which frame maps to which is the caller's, see geometry).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { type BuildOptions, withInitSeed } from './initSeed';
import { type InputSize, type NetConfig, POSE_ROTATION_SCALE, POSE_TRANSLATION_PRIOR, POSE_TRANSLATION_SCALE, checkInputSize, checkNetConfig } from './config';
import { type PoseOutput, PoseOutputScale } from './poseOutputScale';
import { type Sym, apply1, basicBlock, conv, convBn, normaliseInput } from './layerBlocks';

export const POSE_OUTPUT = 'pose';

/** The output scaling of a new pose network (config.ts says why these values). */
export const DEFAULT_POSE_OUTPUT: Readonly<PoseOutput> = {
  rotationScale: POSE_ROTATION_SCALE,
  translationScale: POSE_TRANSLATION_SCALE,
  translationOffset: [...POSE_TRANSLATION_PRIOR],
};

export interface PoseBuildOptions extends BuildOptions {
  /**
   * The output scaling (default DEFAULT_POSE_OUTPUT). A network rebuilt to take a saved one's
   * weights takes the saved one's (poseOutputOf), or its poses would differ.
   */
  output?: PoseOutput;
}

/**
 * frames [B, H, W, 6] in [0, 1] (H, W multiples of 16; two RGB frames along channels) ->
 * pose [B, 6] (axis-angle, translation); untrained, every pair gets the output's translation
 * offset (by default POSE_TRANSLATION_PRIOR).
 */
export function buildPoseNet(cfg: NetConfig, size: InputSize, opts: PoseBuildOptions = {}): tfl.LayersModel {
  return withInitSeed(opts.seed, () => {
    checkNetConfig(cfg);
    checkInputSize(size, 16, 'pose network');
    const { channels, blocks, headChannels } = cfg.pose;
    const frames = tfl.input({ name: 'frames', shape: [size.height, size.width, 6] });
    const x = normaliseInput(frames, 'pose_norm');
    let f: Sym = convBn(x, channels[0], 'pose_stem', { kernel: 7, stride: 2, relu: true });
    f = apply1(tfl.layers.maxPooling2d({ name: 'pose_pool', poolSize: 3, strides: 2, padding: 'same' }), f);
    for (let s = 0; s < 4; s++) {
      for (let b = 0; b < blocks[s]!; b++) {
        f = basicBlock(f, channels[s + 1]!, `pose_layer${s + 1}_${b}`, b === 0 && s > 0 ? 2 : 1, 1);
      }
    }
    let h = conv(f, headChannels, 'pose_squeeze', { kernel: 1, activation: 'relu' });
    h = conv(h, headChannels, 'pose_head_0', { activation: 'relu' });
    h = conv(h, headChannels, 'pose_head_1', { activation: 'relu' });
    h = conv(h, 6, 'pose_head_out', { kernel: 1, zeroInit: true });
    const mean = apply1(tfl.layers.globalAveragePooling2d({ name: 'pose_mean' }), h);
    const pose = apply1(new PoseOutputScale({ name: POSE_OUTPUT, ...(opts.output ?? DEFAULT_POSE_OUTPUT) }), mean);
    return tfl.model({ name: 'pose_net', inputs: frames, outputs: pose });
  });
}

/** Whether `model` ends in a pose network's output layer (named POSE_OUTPUT). */
export function hasPoseOutput(model: tfl.LayersModel): boolean {
  return model.layers.some((l) => l.name === POSE_OUTPUT);
}

/**
 * The output scaling of a pose network, so that a network rebuilt to take its weights
 * computes the same poses. Pose networks saved before PoseOutputScale ended in a Rescaling
 * layer (every output times one scale, 0.01, no offset): read as such.
 */
export function poseOutputOf(model: tfl.LayersModel): PoseOutput {
  const layer = model.getLayer(POSE_OUTPUT);
  if (layer instanceof PoseOutputScale) {
    return { rotationScale: layer.rotationScale, translationScale: layer.translationScale, translationOffset: [...layer.translationOffset] };
  }
  const config = layer.getConfig();
  if (layer.getClassName() === 'Rescaling' && typeof config.scale === 'number' && (config.offset ?? 0) === 0) {
    return { rotationScale: config.scale, translationScale: config.scale, translationOffset: [0, 0, 0] };
  }
  throw new Error(`pose network ${model.name}: its output layer '${POSE_OUTPUT}' is a ${layer.getClassName()} ${JSON.stringify(config)}, not a pose output scaling`);
}
