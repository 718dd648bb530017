import { UsageError } from '../../core/errors';
import { SDE_SETTINGS } from '../../core/settings';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE } from '../engineFlags';
import { refuseSettingsWithResume, settingFlags, settingsFromFlags, settingsHelp, settingsSynopsis } from '../settingsFlags';
import { integerFlag, outcomeHeadline, RUN_FLAGS, RUN_USAGE, runTrainingCommand } from '../trainRun';

export const trainSdeCommand: CliCommand = {
  name: 'train-sde',
  usage: `depthseg train-sde --project DIR ${settingsSynopsis(SDE_SETTINGS)}
                   [--resume RUN] [--checkpoint-every N] [--json]

Self-supervised depth (way 1) on the train split's video clips: depth and pose
networks learn from the photometric error of neighbouring frames warped into each other.
Scored against ground-truth depth where the dataset has it (synthetic data).
Ctrl-C saves a checkpoint and pauses the run (exit code 130); --resume RUN continues it
exactly, with the settings it stored. A second Ctrl-C quits at once.
${settingsHelp(SDE_SETTINGS)}
${RUN_USAGE}
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, { project: 'string', ...settingFlags(SDE_SETTINGS), ...RUN_FLAGS, ...ENGINE_FLAGS });
    if (!flags.project) throw new UsageError('train-sde needs --project DIR');
    const settings = settingsFromFlags(SDE_SETTINGS, flags);
    const resume = integerFlag('resume', flags.resume as number | undefined, 1);
    refuseSettingsWithResume(SDE_SETTINGS, flags, resume);
    return runTrainingCommand(
      'train-sde',
      { ...flags, project: flags.project },
      { resume, checkpointEvery: integerFlag('checkpoint-every', flags['checkpoint-every'] as number | undefined, 1) },
      async (p, opts) => (await import('../../core/project/trainSde')).trainSde(p, settings, opts),
      (outcome, p) => {
        const lines = [outcomeHeadline('SDE', outcome, 'train-sde', p.store.dir)];
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
