/**
 * Network sizes. Every network of the method (encoder, depth decoder with ASPP, pose network,
 * segmentation decoder, multi-task model) is built from one `NetConfig`, so the same code runs
 * a small model on a laptop CPU and the reference-size model on a GPU. Only widths, depths and
 * ASPP rates change between presets, never the architecture.
 */
import { UsageError } from '../../errors';

export type Five = readonly [number, number, number, number, number];
export type Four = readonly [number, number, number, number];

export interface EncoderConfig {
  /** Channels of the features at strides 2 (stem), 4, 8, 16 and 16 (dilated last stage). */
  channels: Five;
  /** Basic residual blocks in each of the four stages (ResNet-18: 2 each). */
  blocks: Four;
  /** Kernel size of the stride-2 stem convolution (ResNet: 7). */
  stemKernel: number;
}

export interface DecoderConfig {
  /** Channels of the decoder levels 0..4 (level k works at stride 2^k, level 4 at stride 16). */
  channels: Five;
  /** Channels of each ASPP branch. */
  asppChannels: number;
  /** Dilation rates of the three 3x3 ASPP branches (reference 6/12/18 at output stride 16). */
  asppRates: readonly [number, number, number];
}

export interface PoseConfig {
  /** Channels of the stem and the four strided stages (strides 2, 4, 8, 16, 32). */
  channels: Five;
  blocks: Four;
  /** Channels of the pose head's convolutions. */
  headChannels: number;
}

export interface NetConfig {
  name: string;
  encoder: EncoderConfig;
  decoder: DecoderConfig;
  pose: PoseConfig;
  /** Segmentation classes (Cityscapes train ids: 19). */
  numClasses: number;
}

/** Input normalisation inside every model: (x - mean) / std with x in [0, 1]. */
export const INPUT_MEAN = 0.45;
export const INPUT_STD = 0.225;
/** The pose rotation (axis-angle) is the head's mean activation times this (method.md: 0.01). */
export const POSE_ROTATION_SCALE = 0.01;
/**
 * The pose translation is the head's mean activation times this: 10 times method.md's 0.01,
 * at which short runs never learned the forward motion. Why: docs/results/2026-11-25-pose-network.md.
 */
export const POSE_TRANSLATION_SCALE = 0.1;
/**
 * The translation the pose network starts from (its head starts at zero): the later frame's
 * camera 0.05 units ahead (z forward), as in video from a car driving forward; the network
 * learns away from it (reversing, standing). Why: docs/results/2026-11-25-pose-network.md.
 */
export const POSE_TRANSLATION_PRIOR: readonly [number, number, number] = [0, 0, -0.05];

/** Trains on a 2-core CPU at 128x256: one basic block per stage, narrow decoder. */
export const SMALL: NetConfig = {
  name: 'small',
  encoder: { channels: [16, 24, 48, 96, 128], blocks: [1, 1, 1, 1], stemKernel: 7 },
  decoder: { channels: [16, 32, 32, 64, 64], asppChannels: 64, asppRates: [2, 4, 6] },
  pose: { channels: [16, 16, 32, 64, 96], blocks: [1, 1, 1, 1], headChannels: 64 },
  numClasses: 19,
};

/** ResNet-18-style encoder with the method's decoder widths; for a GPU at 512x1024. */
export const REFERENCE: NetConfig = {
  name: 'reference',
  encoder: { channels: [64, 64, 128, 256, 512], blocks: [2, 2, 2, 2], stemKernel: 7 },
  decoder: { channels: [64, 128, 128, 256, 256], asppChannels: 256, asppRates: [6, 12, 18] },
  pose: { channels: [64, 64, 128, 256, 512], blocks: [2, 2, 2, 2], headChannels: 256 },
  numClasses: 19,
};

/** For tests and CI smoke runs (32x64 inputs, seconds on the cpu backend). */
export const TINY: NetConfig = {
  name: 'tiny',
  encoder: { channels: [4, 8, 8, 16, 16], blocks: [1, 1, 1, 1], stemKernel: 3 },
  decoder: { channels: [4, 8, 8, 8, 8], asppChannels: 8, asppRates: [1, 2, 3] },
  pose: { channels: [4, 8, 8, 16, 16], blocks: [1, 1, 1, 1], headChannels: 8 },
  numClasses: 19,
};

export const PRESETS = { tiny: TINY, small: SMALL, reference: REFERENCE } as const;
export type PresetName = keyof typeof PRESETS;

export function netPreset(name: string): NetConfig {
  if (!Object.hasOwn(PRESETS, name)) {
    throw new UsageError(`unknown network preset '${name}'; use one of ${Object.keys(PRESETS).join(', ')}`);
  }
  return PRESETS[name as PresetName];
}

/** Input size of a built model: height and width in pixels. */
export interface InputSize {
  height: number;
  width: number;
}

/** Throws unless height and width are positive multiples of `multiple` (16 for the encoder). */
export function checkInputSize(size: InputSize, multiple: number, what: string): void {
  for (const [k, v] of Object.entries(size)) {
    if (!Number.isInteger(v) || v <= 0 || v % multiple !== 0) {
      throw new UsageError(`${what}: input ${k} ${v} must be a positive multiple of ${multiple}`);
    }
  }
}

/** Throws on widths, depths or rates that cannot build a network. */
export function checkNetConfig(cfg: NetConfig): void {
  const positive = (xs: readonly number[], what: string) => {
    for (const x of xs) {
      if (!Number.isInteger(x) || x <= 0) throw new UsageError(`network config '${cfg.name}': ${what} must be positive integers, got [${xs.join(', ')}]`);
    }
  };
  positive(cfg.encoder.channels, 'encoder.channels');
  positive(cfg.encoder.blocks, 'encoder.blocks');
  positive([cfg.encoder.stemKernel], 'encoder.stemKernel');
  positive(cfg.decoder.channels, 'decoder.channels');
  positive([cfg.decoder.asppChannels], 'decoder.asppChannels');
  positive(cfg.decoder.asppRates, 'decoder.asppRates');
  positive(cfg.pose.channels, 'pose.channels');
  positive(cfg.pose.blocks, 'pose.blocks');
  positive([cfg.pose.headChannels, cfg.numClasses], 'pose.headChannels and numClasses');
}
