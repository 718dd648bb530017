import { UsageError } from '../../core/errors';
import { COLLAPSE_SHARE } from '../../core/ml/metrics';
import { SEG_SETTINGS } from '../../core/settings';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE } from '../engineFlags';
import { refuseSettingsWithResume, settingFlags, settingsFromFlags, settingsHelp, settingsSynopsis } from '../settingsFlags';
import { integerFlag, outcomeHeadline, RUN_FLAGS, RUN_USAGE, runTrainingCommand } from '../trainRun';

export const trainSegCommand: CliCommand = {
  name: 'train-seg',
  usage: `depthseg train-seg --project DIR ${settingsSynopsis(SEG_SETTINGS)}
                   [--resume RUN] [--checkpoint-every N] [--json]

Segmentation from the frames whose masks are done (painted, or imported with import-labels),
scored on the validation split's own labels (mIoU, per-class IoU), in the project's label
set. Starts from the project's newest finished SDE run unless --sde-run names one (ways 1
and 2); without an SDE model and without --mode/--mix, it trains from scratch and says so. Ctrl-C saves a checkpoint and pauses the run (exit code 130); --resume RUN
continues it exactly, with the settings it stored. A second Ctrl-C quits at once.
${settingsHelp(SEG_SETTINGS)}
${RUN_USAGE}
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, { project: 'string', ...settingFlags(SEG_SETTINGS), ...RUN_FLAGS, ...ENGINE_FLAGS });
    if (!flags.project) throw new UsageError('train-seg needs --project DIR');
    const settings = settingsFromFlags(SEG_SETTINGS, flags);
    const resume = integerFlag('resume', flags.resume as number | undefined, 1);
    refuseSettingsWithResume(SEG_SETTINGS, flags, resume);
    return runTrainingCommand(
      'train-seg',
      { ...flags, project: flags.project },
      { resume, checkpointEvery: integerFlag('checkpoint-every', flags['checkpoint-every'] as number | undefined, 1) },
      async (p, opts) => await (await import('../../core/project/trainSeg')).trainSeg(p, settings, opts),
      (outcome, p) => {
        const c = outcome.run.config;
        const lines = [
          outcomeHeadline(`segmentation (${String(c['mode'])}, ${String(c['mix'])})`, outcome, 'train-seg', p.store.dir),
          ...(typeof c['settingsNote'] === 'string' ? [`note: ${c['settingsNote']}`] : []),
          `trained on ${String(c['labelledFrames'])} labelled frames at ${String(c['height'])}x${String(c['width'])} (${String(c['net'])} net), ${p.project.labelSet.title}`,
        ];
        const m = outcome.metrics;
        const names = p.project.labelSet.classes.map((x) => x.name);
        if (outcome.status === 'done' && typeof m['miou'] === 'number') {
          lines.push(`validation (${String(m['evalFrames'])} frames): mIoU ${(m['miou'] as number).toFixed(1)}%  pixel accuracy ${(m['pixelAccuracy'] as number).toFixed(1)}%`);
          const per = Array.isArray(m['perClassIou']) ? (m['perClassIou'] as (number | null)[]) : [];
          for (const [k, v] of per.entries()) if (typeof v === 'number') lines.push(`  ${(names[k] ?? `class ${k}`).padEnd(14)} ${v.toFixed(1)}`);
        }
        if (m['collapsed'] === true && typeof m['majorityShare'] === 'number') {
          const cls = names[m['majorityClass'] as number] ?? `class ${String(m['majorityClass'])}`;
          lines.push(
            `warning: collapsed: the model predicts ${cls} for ${(100 * m['majorityShare']).toFixed(0)}% of the validation pixels (over ${100 * COLLAPSE_SHARE}%): it has learned the most common class, not the scene; try mode scratch, a lower --lr, or more steps`,
          );
        }
        return lines;
      },
    );
  },
};
