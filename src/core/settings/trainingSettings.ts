/**
 * Every knob of SDE pretraining and segmentation training, declared once (see setting.ts).
 * The trainers in ml/train take these resolved settings and hold no defaults of their own.
 * Why a default is what it is: docs/results/ (the measurements behind each choice).
 */
import type { BoolSetting, ChoiceSetting, IntSetting, NumberSetting, PathSetting, RunRefSetting, Setting, SettingsOf } from './setting';
import { inputSchema, resolvedSchema } from './setting';

export const NET_NAMES = ['tiny', 'small', 'reference'] as const;
export type NetName = (typeof NET_NAMES)[number];
export const SEG_MODES = ['scratch', 'transfer', 'multitask'] as const;
export type SegMode = (typeof SEG_MODES)[number];
export const MIX_MODES = ['none', 'classmix', 'depthmix'] as const;
export type MixMode = (typeof MIX_MODES)[number];
export const TRANSFER_PARTS = ['encoder', 'encoder+decoder'] as const;
export type TransferPart = (typeof TRANSFER_PARTS)[number];

const int = <K extends string>(key: K, s: Omit<IntSetting<K>, 'type' | 'key'>): IntSetting<K> => ({ type: 'int', key, ...s });
const num = <K extends string>(key: K, s: Omit<NumberSetting<K>, 'type' | 'key'>): NumberSetting<K> => ({ type: 'number', key, ...s });
const bool = <K extends string>(key: K, s: Omit<BoolSetting<K>, 'type' | 'key'>): BoolSetting<K> => ({ type: 'bool', key, ...s });
const choice = <K extends string, O extends string>(
  key: K,
  s: Omit<ChoiceSetting<K, O>, 'type' | 'key' | 'default' | 'optionHelp' | 'options'> & { options: readonly [O, ...O[]]; default: NoInfer<O>; optionHelp?: Readonly<Record<NoInfer<O>, string>> },
): ChoiceSetting<K, O> => ({ type: 'choice', key, ...s });

const NET_HELP = { tiny: 'fastest, for tests', small: 'the CPU default', reference: 'the paper-sized network (GPU)' } as const;

const net = (inherits?: 'sdeRun') =>
  choice('net', { flag: 'net', label: 'Network', help: 'network size', advanced: false, options: NET_NAMES, default: 'small', optionHelp: NET_HELP, ...(inherits ? { inherits } : {}) });
const size = (key: 'height' | 'width', def: number, inherits?: 'sdeRun') =>
  int(key, {
    flag: key,
    label: key === 'height' ? 'Height' : 'Width',
    help: `training image ${key} in pixels (a multiple of 16)`,
    advanced: false,
    min: 32,
    max: 2048,
    multipleOf: 16,
    default: def,
    ...(inherits ? { inherits } : {}),
  });
const steps = (def: number) => int('steps', { flag: 'steps', label: 'Steps', help: 'optimiser steps', advanced: false, min: 1, max: 1_000_000, default: def });
const seed = int('seed', { flag: 'seed', label: 'Seed', help: 'initial weights, sampling and augmentation', advanced: true, min: -(2 ** 31), max: 2 ** 31 - 1, default: 1 });
const lrDecayAt = num('lrDecayAt', {
  flag: 'lr-decay-at',
  label: 'LR drop at',
  help: 'share of the run after which the learning rate drops x0.1',
  advanced: true,
  min: 0,
  minExclusive: true,
  max: 1,
  default: 0.75,
});
const jitter = num('jitter', { flag: 'jitter', label: 'Colour jitter', help: 'colour jitter strength (factors in [1 - j, 1 + j])', advanced: true, min: 0, max: 0.9, default: 0.2 });
const ego = num('egoBottomFraction', {
  flag: 'ego',
  label: 'Ego rows',
  help: 'share of bottom rows left out of the loss (the ego vehicle\'s bonnet; 0 = none)',
  advanced: true,
  min: 0,
  max: 0.5,
  default: 0,
});

/** Self-supervised depth pretraining (way 1: depth and pose networks from video). */
export const SDE_SETTINGS = [
  net(),
  size('height', 128),
  size('width', 256),
  steps(2000),
  int('batchSize', { flag: 'batch', label: 'Batch', help: 'frames per step', advanced: false, min: 1, max: 64, default: 4 }),
  num('lr', { flag: 'lr', label: 'Learning rate', help: 'Adam learning rate', advanced: false, min: 0, minExclusive: true, max: 10, default: 2e-4 }),
  lrDecayAt,
  num('poseLrScale', {
    flag: 'pose-lr-scale',
    label: 'Pose LR x',
    help: 'learning-rate multiplier of the pose network (its outputs are scaled down, so it moves slowly without it)',
    advanced: true,
    min: 0,
    minExclusive: true,
    max: 1000,
    default: 10,
  }),
  seed,
  int('stride', { flag: 'stride', label: 'Frame stride', help: 'train on every n-th clip frame', advanced: true, min: 1, max: 1000, default: 1 }),
  int('frameGap', {
    flag: 'frame-gap',
    label: 'Frame gap',
    help: 'source frames this many frames before and after the target (2-3 at low resolution, where neighbours move less than a pixel)',
    advanced: true,
    min: 1,
    max: 10,
    default: 1,
  }),
  ego,
  jitter,
  bool('flip', { flag: 'flip', label: 'Flip', help: 'random horizontal flips', advanced: true, default: true }),
] as const satisfies readonly Setting[];

export type SdeSettings = SettingsOf<typeof SDE_SETTINGS>;

/** Segmentation training (ways 1 and 2: transfer, multi-task, ClassMix/DepthMix with a mean teacher). */
export const SEG_SETTINGS = [
  choice('mode', {
    flag: 'mode',
    label: 'Mode',
    help: 'how the SDE network is used',
    advanced: false,
    options: SEG_MODES,
    // Chosen by the quality benchmark over 3 seeds (docs/results/2026-12-03-sde-payoff.md):
    // transfer ties or beats scratch; multitask lost and collapsed on some seeds.
    default: 'transfer',
    optionHelp: {
      scratch: 'random weights, no SDE',
      transfer: 'start from the SDE weights; the default, as on this project\'s CPU benchmark it ties or beats scratch',
      multitask: 'start from the SDE weights and keep training depth beside segmentation; below scratch on this project\'s CPU benchmark',
    },
  }),
  choice('mix', {
    flag: 'mix',
    label: 'Mix',
    help: 'semi-supervised mixing of image pairs with a mean teacher on unlabelled frames',
    advanced: false,
    options: MIX_MODES,
    default: 'none',
    optionHelp: {
      none: 'labelled frames only; the default, as mixing gave no gain on this project\'s CPU benchmark',
      classmix: 'half of the classes of one image over another',
      depthmix: 'each pixel from the image that is closer there; no gain over none on this project\'s CPU benchmark',
    },
  }),
  net('sdeRun'),
  size('height', 128, 'sdeRun'),
  size('width', 256, 'sdeRun'),
  steps(2000),
  int('labelledBatch', { flag: 'batch', label: 'Labelled batch', help: 'labelled frames per step', advanced: true, min: 1, max: 64, default: 2 }),
  int('unlabelledBatch', { flag: 'unlabelled-batch', label: 'Unlabelled batch', help: 'unlabelled frames per step (multi-task and mixing)', advanced: true, min: 1, max: 64, default: 2 }),
  int('mixPairs', { flag: 'mix-pairs', label: 'Mix pairs', help: 'image pairs mixed per step (each gives two mixed images)', advanced: true, min: 1, max: 32, default: 1 }),
  num('lr', { flag: 'lr', label: 'Learning rate', help: 'SGD learning rate of the decoder', advanced: false, min: 0, minExclusive: true, max: 10, default: 1e-2 }),
  choice('transfer', {
    flag: 'transfer',
    label: 'Transfer',
    help: 'what a segmentation network started from the SDE network takes from it (transfer and multitask)',
    advanced: true,
    options: TRANSFER_PARTS,
    // The SDE decoder's full-resolution features sit in the flat part of its ELUs; started from
    // them, segmentation collapsed to one class in every seed (docs/results/2026-12-03-sde-payoff.md).
    default: 'encoder',
    optionHelp: { encoder: 'the encoder only; the segmentation decoder starts from random weights', 'encoder+decoder': 'the encoder and the depth decoder (collapsed to one class in our runs)' },
  }),
  bool('resetBatchNorm', {
    flag: 'reset-bn',
    label: 'Reset BN stats',
    help: "forget the SDE network's batch-norm running statistics (mean 0, variance 1) when starting from it",
    advanced: true,
    default: false,
  }),
  num('encoderLrScale', {
    flag: 'encoder-lr-scale',
    label: 'Encoder LR x',
    help: 'learning-rate multiplier of the encoder (and of the pose network in multi-task)',
    advanced: true,
    min: 0,
    minExclusive: true,
    max: 10,
    default: 0.1,
  }),
  num('momentum', { flag: 'momentum', label: 'Momentum', help: 'SGD momentum', advanced: true, min: 0, max: 0.999, default: 0.9 }),
  num('weightDecay', { flag: 'weight-decay', label: 'Weight decay', help: 'L2 weight decay', advanced: true, min: 0, max: 0.1, default: 5e-4 }),
  num('clipNorm', { flag: 'clip-norm', label: 'Gradient clip', help: 'largest global gradient norm', advanced: true, min: 0, minExclusive: true, max: 1e6, default: 10 }),
  lrDecayAt,
  num('minCropScale', { flag: 'min-crop', label: 'Min crop', help: 'smallest random crop side, as a share of the image', advanced: true, min: 0.1, max: 1, default: 0.5 }),
  jitter,
  num('sdeWeight', { flag: 'sde-weight', label: 'SDE loss weight', help: 'weight of the depth loss in multi-task training', advanced: true, min: 0, max: 100, default: 1 }),
  seed,
  ego,
  {
    type: 'runRef',
    key: 'sdeRunId',
    flag: 'sde-run',
    label: 'SDE run',
    help: 'the SDE run to start from',
    advanced: false,
    default: null,
  } satisfies RunRefSetting<'sdeRunId'>,
  {
    type: 'path',
    key: 'sdeCheckpoint',
    flag: 'sde-checkpoint',
    label: 'SDE checkpoint',
    help: 'an SDE checkpoint folder from another project (holds model/, pose/ and state.json) instead of an SDE run',
    advanced: true,
    cliOnly: true,
    default: null,
  } satisfies PathSetting<'sdeCheckpoint'>,
] as const satisfies readonly Setting[];

export type SegSettings = SettingsOf<typeof SEG_SETTINGS>;

/** What a caller may give (every key optional, unknown keys refused). */
export const sdeSettingsInput = inputSchema(SDE_SETTINGS);
export const segSettingsInput = inputSchema(SEG_SETTINGS);
/** The app's form: the settings that are not CLI-only (a folder of another project is not picked in the app). */
export const SEG_SETTINGS_IN_APP = SEG_SETTINGS.filter((s) => !('cliOnly' in s && s.cliOnly)) as unknown as readonly Exclude<(typeof SEG_SETTINGS)[number], { cliOnly: true }>[];
/** What the app may give for a new segmentation run. */
export const segSettingsAppInput = inputSchema(SEG_SETTINGS_IN_APP);
export const sdeSettingsResolved = resolvedSchema(SDE_SETTINGS);
export const segSettingsResolved = resolvedSchema(SEG_SETTINGS);
export type SdeSettingsInput = Partial<SdeSettings>;
export type SegSettingsInput = Partial<Omit<SegSettings, 'sdeCheckpoint'>>;
