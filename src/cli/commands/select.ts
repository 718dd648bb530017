import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors';
import { netPreset } from '../../core/ml/nets/config';
import { openProject } from '../../core/project/openProject';
import { latestModel } from '../../core/project/projectModels';
import type { SelectionPhase } from '../../core/project/selectFrames';
import { METHOD_UNCERTAINTY_WEIGHT, parseSelectionMethod, parseUncertaintyWeight } from '../../core/selection/combinedSelection';
import { getSetting } from '../../core/store';
import { parseArgs, positiveInt } from '../args';
import { printResult, type CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE, engineOptions } from '../engineFlags';
import { createProgress, type ProgressReporter } from '../progress';

export const DEFAULT_STUDENT_STEPS = 500;

function modelFolderFlag(name: string, dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  const folder = resolve(dir);
  if (!existsSync(join(folder, 'model.json'))) throw new UsageError(`--${name} ${folder}: no model.json here`);
  return folder;
}

const PHASE_LABEL: Record<SelectionPhase, string> = {
  features: 'SDE features',
  student: 'student',
  uncertainty: 'uncertainty',
  entropy: 'entropy',
  select: 'picking',
};

export const selectCommand: CliCommand = {
  name: 'select',
  usage: `depthseg select --project DIR --budget N [--method ds_us|ds|us|random|entropy] [--sde-model DIR]
                [--seg-model DIR] [--student-steps N] [--student-net tiny|small|reference]
                [--weight W] [--seed N] [--json]

Proposes N more frames to label from the train split (docs/method.md, way 3) and queues them.
Frames already labelled and frames picked by earlier rounds count as selected; skipped ones
are never proposed. Each round is stored with its picks and their scores.
  --budget N         how many frames to add in this round
  --method M         ds_us (default): diversity + weight x depth uncertainty; ds: diversity
                     only; us: uncertainty only; random; entropy: segmentation entropy.
                     us and ds_us pick by diversity alone while nothing is selected.
  --sde-model DIR    SDE depth model (default: the project's latest finished SDE run)
  --seg-model DIR    segmentation model for entropy (default: the project's latest)
  --student-steps N  training steps of the uncertainty student (default ${DEFAULT_STUDENT_STEPS})
  --student-net P    size of the student (default small)
  --weight W         ds_us: weight of the uncertainty: a number, or balanced (the default:
                     both terms spread alike over the frames, whatever the feature width);
                     the paper's fixed weight is ${METHOD_UNCERTAINTY_WEIGHT}
  --seed N           seeds the first pick, random picks and the student (default 0)
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, {
      project: 'string',
      budget: 'number',
      method: 'string',
      'sde-model': 'string',
      'seg-model': 'string',
      'student-steps': 'number',
      'student-net': 'string',
      weight: 'string',
      seed: 'number',
      json: 'boolean',
      ...ENGINE_FLAGS,
    });
    if (!flags.project) throw new UsageError('select needs --project DIR');
    if (flags.budget === undefined) throw new UsageError('select needs --budget N (how many frames to propose)');
    const budget = positiveInt('budget', flags.budget, 1);
    const method = parseSelectionMethod(flags.method ?? 'ds_us', '--method');
    const studentSteps = positiveInt('student-steps', flags['student-steps'], DEFAULT_STUDENT_STEPS);
    const studentNet = netPreset(flags['student-net'] ?? 'small');
    const seed = flags.seed ?? 0;
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer (got ${seed})`);
    const weight = flags.weight !== undefined ? parseUncertaintyWeight(flags.weight, '--weight') : undefined;
    const segModelDir = modelFolderFlag('seg-model', flags['seg-model']);
    const p = await openProject(resolve(flags.project));
    const quiet = flags.json === true;
    let sdeModelDir: string | undefined;
    try {
      sdeModelDir = modelFolderFlag('sde-model', flags['sde-model']) ?? (await latestModel(p.store, p.project.id, 'sde'))?.modelDir;
      if (!sdeModelDir && (method === 'ds' || method === 'us' || method === 'ds_us')) {
        throw new UsageError(`--method ${method} needs an SDE depth model, and this project has no finished SDE run: train one first or name a model folder with --sde-model DIR`);
      }
    } catch (e) {
      await p.close();
      throw e;
    }
    let bar: { phase: SelectionPhase; reporter: ProgressReporter } | null = null;
    // tfjs loads only once the arguments are known to be good.
    const { initEngine, shutdownEngine } = await import('../../core/engine/backend');
    const { runSelectionRound } = await import('../../core/project/selectFrames');
    try {
      await initEngine(engineOptions(flags, await getSetting(p.store, 'engine.backend')));
      const summary = await runSelectionRound(p, {
        budget,
        method,
        ...(sdeModelDir ? { sdeModelDir } : {}),
        ...(segModelDir ? { segModelDir } : {}),
        seed,
        studentSteps,
        studentNet,
        ...(weight !== undefined ? { weight } : {}),
        onProgress: (x) => {
          if (bar?.phase !== x.phase) {
            bar?.reporter.finish();
            bar = { phase: x.phase, reporter: createProgress(`select: ${PHASE_LABEL[x.phase]}`, x.total, { quiet }) };
          }
          bar.reporter.update(x.done, x.loss !== undefined ? { loss: x.loss } : undefined);
        },
      });
      (bar as { reporter: ProgressReporter } | null)?.reporter.finish();
      const fmt = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));
      const lines = [
        `round #${summary.roundId} (${summary.method}, by ${summary.basis}): ${summary.picks.length} frames proposed from ${summary.frames} (${summary.selectedBefore} already selected)`,
        ...(summary.student ? [`student trained on ${summary.student.trainedOn} frames for ${summary.student.steps} steps, final loss ${fmt(summary.student.finalLoss, 4)}`] : []),
        ...(summary.weight !== null ? [`score = distance + ${fmt(summary.weight, 2)} x uncertainty (weight ${weight === undefined || weight === 'balanced' ? 'balanced: both terms spread alike' : 'fixed'})`] : []),
        ...(summary.sdeModelDir ? [`SDE model ${summary.sdeModelDir} (features: ${summary.featuresComputed} computed, the rest cached)`] : []),
        '  rank  score     distance  uncertainty  frame',
        ...summary.picks.map(
          (x) => `  ${String(x.rank + 1).padStart(4)}  ${fmt(x.score, 3).padStart(8)}  ${fmt(x.diversity, 3).padStart(8)}  ${fmt(x.uncertainty, 5).padStart(11)}  ${x.imagePath}`,
        ),
      ];
      printResult(quiet, summary, lines.join('\n'));
    } finally {
      await p.close();
      shutdownEngine();
    }
    return 0;
  },
};
