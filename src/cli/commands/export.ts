import { resolve } from 'node:path';
import type { MaskStatus } from '../../core/store';
import { UsageError } from '../../core/errors';
import { exportLabels } from '../../core/project/exportLabels';
import { openProject } from '../../core/project/openProject';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';
import { createProgress } from '../progress';

const STATUSES: readonly MaskStatus[] = ['todo', 'in_progress', 'done', 'skipped'];

export const exportCommand: CliCommand = {
  name: 'export',
  usage: `depthseg export --project DIR --out DIR [--status done,in_progress] [--json]

Writes every mask with the given statuses (default: done, and approved by a reviewer where the
project trains only approved masks) as Cityscapes
*_gtFine_labelIds.png and *_gtFine_labelTrainIds.png, and as a Pascal VOC style indexed PNG
*_gtFine_palette.png (trainId per pixel, Cityscapes colours, 255 = ignore), in OUT/gtFine/
under the frame's folder within its dataset: gtFine/{clip}/ for plain frames,
gtFine/{split}/{city}/ for Cityscapes, gtFine/{split}/ for CamVid; with several datasets in the
project each gets its own OUT/{dataset}/gtFine/. Where two masks would write the same file
nothing is written and the error names their frames.`,
  async run(argv) {
    const { flags } = parseArgs(argv, { project: 'string', out: 'string', status: 'string', json: 'boolean' });
    if (!flags.project) throw new UsageError('export needs --project DIR');
    if (!flags.out) throw new UsageError('export needs --out DIR');
    const statuses = (flags.status ?? 'done').split(',').map((s) => s.trim()) as MaskStatus[];
    for (const s of statuses) {
      if (!STATUSES.includes(s)) throw new UsageError(`--status: '${s}' is not one of ${STATUSES.join(', ')}`);
    }
    const p = await openProject(resolve(flags.project));
    try {
      const progress = { bar: null as ReturnType<typeof createProgress> | null };
      const summary = await exportLabels(p, {
        out: resolve(flags.out),
        ...(flags.status !== undefined ? { statuses } : {}),
        onProgress: (done, total) => {
          progress.bar ??= createProgress('export', total, { quiet: flags.json === true });
          progress.bar.update(done);
        },
      });
      progress.bar?.finish();
      printResult(flags.json === true, summary, `exported ${summary.exported} label masks (${summary.files} files) to ${summary.out}`);
    } finally {
      await p.close();
    }
    return 0;
  },
};
