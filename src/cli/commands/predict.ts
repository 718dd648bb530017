import { resolve } from 'node:path';
import { shutdownEngine } from '../../core/engine/backend';
import { UsageError } from '../../core/errors';
import { openProject } from '../../core/project/openProject';
import { predictFrames } from '../../core/project/predictFrames';
import { getSetting, type Split } from '../../core/store';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE } from '../engineFlags';
import { loadModelFlag } from '../modelFlag';
import { createProgress } from '../progress';

export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export function splitFlag(value: string | undefined): Split | undefined {
  if (value === undefined) return undefined;
  if (!SPLITS.includes(value as Split)) throw new UsageError(`--split must be one of ${SPLITS.join(', ')} (got '${value}')`);
  return value as Split;
}

export const predictCommand: CliCommand = {
  name: 'predict',
  usage: `depthseg predict --project DIR --model DIR --out DIR [--split S] [--all-frames] [--json]

Writes, per frame at the model's input size: {frame}_classIds.png (class ids of the project's label set) and
{frame}_seg.png (the label set's colours) where the model segments; {frame}_disp.png (16-bit,
disparity x 65535) and {frame}_disp_color.png where it predicts depth. {frame} keeps the
frame's folder within its dataset: OUT/{clip}/{name} for plain frames, OUT/{split}/{city}/{name}
for Cityscapes, OUT/{split}/{name} for CamVid; with several datasets in the project each gets
its own OUT/{dataset}/. Where two frames would write the same file nothing is written and the
error names them.
  --split S        train|val|test (default: every split)
  --all-frames     every video frame, not only the frames to label
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, { project: 'string', model: 'string', out: 'string', split: 'string', 'all-frames': 'boolean', json: 'boolean', ...ENGINE_FLAGS });
    if (!flags.project) throw new UsageError('predict needs --project DIR');
    if (!flags.out) throw new UsageError('predict needs --out DIR');
    const split = splitFlag(flags.split);
    const p = await openProject(resolve(flags.project));
    try {
      const model = await loadModelFlag(flags.model, flags, await getSetting(p.store, 'engine.backend'));
      const progress = { bar: null as ReturnType<typeof createProgress> | null };
      const summary = await predictFrames(p, model, {
        out: resolve(flags.out),
        ...(split ? { split } : {}),
        allFrames: flags['all-frames'] === true,
        onProgress: (done, total) => {
          progress.bar ??= createProgress('predict', total, { quiet: flags.json === true });
          progress.bar.update(done);
        },
      });
      progress.bar?.finish();
      printResult(flags.json === true, summary, `wrote ${summary.files} files (${summary.outputs.join(', ')}) for ${summary.frames} frames to ${summary.out}`);
    } finally {
      await p.close();
      shutdownEngine();
    }
    return 0;
  },
};
