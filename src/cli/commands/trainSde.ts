import { UsageError } from '../../core/errors';
import { PRESETS } from '../../core/ml/nets/config';
import type { SdeRunSettings } from '../../core/project/trainSde';
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

export function netFlag(value: string | undefined): keyof typeof PRESETS | undefined {
  if (value === undefined) return undefined;
  if (!Object.hasOwn(PRESETS, value)) throw new UsageError(`--net must be one of ${Object.keys(PRESETS).join(', ')} (got '${value}')`);
  return value as keyof typeof PRESETS;
}

export const trainSdeCommand: CliCommand = {
  name: 'train-sde',
  usage: `depthseg train-sde --project DIR [--net tiny|small|reference] [--size HxW] [--steps N] [--batch N]
                   [--lr X] [--seed N] [--stride N] [--frame-gap N] [--ego F] [--checkpoint-every N] [--restart] [--json]

Self-supervised depth (method.md, way 1) on the train split's video clips: depth and pose
networks learn from the photometric error of neighbouring frames warped into each other.
Scored against ground-truth depth where the dataset has it (synthetic data).
Ctrl-C saves a checkpoint and pauses the run; the same command again continues it exactly
(exit code 130 when paused). A second Ctrl-C quits at once.
  --net P               network size (default small)
  --size HxW            training size, multiples of 16 (default 128x256)
  --steps N             optimiser steps (default 2000)
  --batch N             frames per step (default 4)
  --lr X                Adam learning rate (default 2e-4)
  --seed N              initial weights and sampling (default 1)
  --stride N            train on every N-th clip frame (default 1)
  --frame-gap N         source frames N before and after the target (default 1; 2-3 at low
                        resolution, where neighbouring frames move less than a pixel)
  --ego F               share of bottom rows left out of the loss (ego vehicle; default 0)
  --checkpoint-every N  steps between checkpoints (default a tenth of the run, at least 25)
  --restart             start a new run even where a paused one with these settings exists
  --json                print the outcome as one JSON object
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, {
      project: 'string',
      net: 'string',
      size: 'string',
      steps: 'number',
      batch: 'number',
      lr: 'number',
      seed: 'number',
      stride: 'number',
      'frame-gap': 'number',
      ego: 'number',
      'checkpoint-every': 'number',
      restart: 'boolean',
      json: 'boolean',
      ...ENGINE_FLAGS,
    });
    if (!flags.project) throw new UsageError('train-sde needs --project DIR');
    const size = trainingSizeFlag(flags.size);
    const settings: Partial<SdeRunSettings> = {
      ...(flags.net !== undefined ? { net: netFlag(flags.net)! } : {}),
      ...(size ?? {}),
      ...(flags.steps !== undefined ? { steps: integerFlag('steps', flags.steps, 1)! } : {}),
      ...(flags.batch !== undefined ? { batchSize: integerFlag('batch', flags.batch, 1)! } : {}),
      ...(flags.lr !== undefined ? { lr: positiveFlag('lr', flags.lr)! } : {}),
      ...(flags.seed !== undefined ? { seed: integerFlag('seed', flags.seed, -(2 ** 31))! } : {}),
      ...(flags.stride !== undefined ? { stride: integerFlag('stride', flags.stride, 1)! } : {}),
      ...(flags['frame-gap'] !== undefined ? { frameGap: integerFlag('frame-gap', flags['frame-gap'], 1)! } : {}),
      ...(flags.ego !== undefined ? { egoBottomFraction: flags.ego } : {}),
    };
    const checkpointEvery = integerFlag('checkpoint-every', flags['checkpoint-every'], 1);
    return runTrainingCommand(
      'train-sde',
      { ...flags, project: flags.project },
      checkpointEvery,
      async (p, opts) => (await import('../../core/project/trainSde')).trainSde(p, settings, opts),
      (outcome) => {
        const lines = [outcomeHeadline('SDE', outcome, 'the same command')];
        const m = outcome.metrics;
        if (outcome.status === 'done' && typeof m['absRel'] === 'number') {
          const f = (k: string) => (typeof m[k] === 'number' ? (m[k] as number).toFixed(3) : '-');
          lines.push(`depth on ${String(m['evalFrames'])} val frames: abs-rel ${f('absRel')}  sq-rel ${f('sqRel')}  RMSE ${f('rmse')}  RMSE-log ${f('rmseLog')}  a1 ${f('a1')}`);
        }
        return lines;
      },
    );
  },
};
