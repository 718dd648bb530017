import { CAMVID_CLASSES } from '../../core/data/camvid';
import { TRAIN_CLASSES } from '../../core/data/cityscapesClasses';
import { UsageError } from '../../core/errors';
import type { MixMode, SegMode } from '../../core/ml/train/segTrainer';
import type { SegRunSettings } from '../../core/project/trainSeg';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE } from '../engineFlags';
import {
  integerFlag,
  outcomeHeadline,
  positiveFlag,
  runTrainingCommand,
  trainingSizeFlag,
} from '../trainRun';
import { netFlag } from './trainSde';

// Spelled out here so that --help does not load tfjs; the settings schema checks them again.
const SEG_MODES = ['scratch', 'transfer', 'multitask'] as const satisfies readonly SegMode[];
const MIX_MODES = ['none', 'classmix', 'depthmix'] as const satisfies readonly MixMode[];

function choice<T extends string>(name: string, value: string | undefined, options: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!options.includes(value as T)) throw new UsageError(`--${name} must be one of ${options.join(', ')} (got '${value}')`);
  return value as T;
}

export const trainSegCommand: CliCommand = {
  name: 'train-seg',
  usage: `depthseg train-seg --project DIR [--mode scratch|transfer|multitask] [--mix none|classmix|depthmix]
                   [--net tiny|small|reference] [--size HxW] [--steps N] [--batch N] [--unlabelled-batch N]
                   [--mix-pairs N] [--lr X] [--seed N] [--sde-run ID] [--ego F] [--checkpoint-every N]
                   [--restart] [--json]

Segmentation from the frames whose masks are done (painted, or imported with import-labels),
scored on the validation split's own labels (mIoU, per-class IoU). Starts from the project's
newest finished SDE run (method.md, ways 1 and 2).
Ctrl-C saves a checkpoint and pauses the run; the same command again continues it exactly
(exit code 130 when paused). A second Ctrl-C quits at once.
  --mode M              scratch | transfer (from the SDE weights) | multitask (default: keeps
                        training depth beside segmentation)
  --mix M               none | classmix | depthmix (default), with a mean teacher on unlabelled frames
  --net P               network size (default: the SDE run's)
  --size HxW            training size, multiples of 16 (default: the SDE run's)
  --steps N             optimiser steps (default 2000)
  --batch N             labelled frames per step (default 2)
  --unlabelled-batch N  unlabelled frames per step (default 2)
  --mix-pairs N         image pairs mixed per step (default 1)
  --lr X                SGD learning rate of the decoder (encoder x0.1; default 1e-2)
  --seed N              initial weights and sampling (default 1)
  --sde-run ID          the SDE run to start from (default: the newest finished one)
  --ego F               share of bottom rows left out of the loss (default 0)
  --checkpoint-every N  steps between checkpoints (default a tenth of the run, at least 25)
  --restart             start a new run even where a paused one with these settings exists
  --json                print the outcome as one JSON object
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, {
      project: 'string',
      mode: 'string',
      mix: 'string',
      net: 'string',
      size: 'string',
      steps: 'number',
      batch: 'number',
      'unlabelled-batch': 'number',
      'mix-pairs': 'number',
      lr: 'number',
      seed: 'number',
      'sde-run': 'number',
      ego: 'number',
      'checkpoint-every': 'number',
      restart: 'boolean',
      json: 'boolean',
      ...ENGINE_FLAGS,
    });
    if (!flags.project) throw new UsageError('train-seg needs --project DIR');
    const size = trainingSizeFlag(flags.size);
    const mode = choice<SegMode>('mode', flags.mode, SEG_MODES);
    const mix = choice<MixMode>('mix', flags.mix, MIX_MODES);
    const settings: Partial<SegRunSettings> = {
      ...(mode ? { mode } : {}),
      ...(mix ? { mix } : {}),
      ...(flags.net !== undefined ? { net: netFlag(flags.net)! } : {}),
      ...(size ?? {}),
      ...(flags.steps !== undefined ? { steps: integerFlag('steps', flags.steps, 1)! } : {}),
      ...(flags.batch !== undefined ? { labelledBatch: integerFlag('batch', flags.batch, 1)! } : {}),
      ...(flags['unlabelled-batch'] !== undefined ? { unlabelledBatch: integerFlag('unlabelled-batch', flags['unlabelled-batch'], 1)! } : {}),
      ...(flags['mix-pairs'] !== undefined ? { mixPairs: integerFlag('mix-pairs', flags['mix-pairs'], 1)! } : {}),
      ...(flags.lr !== undefined ? { lr: positiveFlag('lr', flags.lr)! } : {}),
      ...(flags.seed !== undefined ? { seed: integerFlag('seed', flags.seed, -(2 ** 31))! } : {}),
      ...(flags['sde-run'] !== undefined ? { sdeRunId: integerFlag('sde-run', flags['sde-run'], 1)! } : {}),
      ...(flags.ego !== undefined ? { egoBottomFraction: flags.ego } : {}),
    };
    const checkpointEvery = integerFlag('checkpoint-every', flags['checkpoint-every'], 1);
    return runTrainingCommand(
      'train-seg',
      { ...flags, project: flags.project },
      checkpointEvery,
      async (p, opts) => (await import('../../core/project/trainSeg')).trainSeg(p, settings, opts),
      (outcome) => {
        const c = outcome.run.config;
        const lines = [
          outcomeHeadline(`segmentation (${String(c['mode'])}, ${String(c['mix'])})`, outcome, 'the same command'),
          `trained on ${String(c['labelledFrames'])} labelled frames at ${String(c['height'])}x${String(c['width'])} (${String(c['net'])} net)`,
        ];
        const m = outcome.metrics;
        if (outcome.status === 'done' && typeof m['miou'] === 'number') {
          lines.push(`validation (${String(m['evalFrames'])} frames): mIoU ${(m['miou'] as number).toFixed(1)}%  pixel accuracy ${(m['pixelAccuracy'] as number).toFixed(1)}%`);
          const per = Array.isArray(m['perClassIou']) ? (m['perClassIou'] as (number | null)[]) : [];
          const names = per.length === CAMVID_CLASSES.length ? CAMVID_CLASSES.map((x) => x.name) : TRAIN_CLASSES.map((x) => x.name);
          for (const [k, v] of per.entries()) if (typeof v === 'number') lines.push(`  ${(names[k] ?? `class ${k}`).padEnd(14)} ${v.toFixed(1)}`);
        }
        return lines;
      },
    );
  },
};
