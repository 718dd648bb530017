import { resolve } from 'node:path';
import { shutdownEngine } from '../../core/engine/backend';
import { UsageError } from '../../core/errors';
import { evaluateModel } from '../../core/project/evaluateModel';
import { openProject } from '../../core/project/openProject';
import { getSetting } from '../../core/store';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE } from '../engineFlags';
import { loadModelFlag } from '../modelFlag';
import { createProgress } from '../progress';
import { splitFlag } from './predict';

export const evalCommand: CliCommand = {
  name: 'eval',
  usage: `depthseg eval --project DIR --model DIR [--split val] [--json]

mIoU over the 19 Cityscapes classes from one confusion matrix accumulated over the split's
labelled frames, per-class IoU, and depth errors (abs-rel, sq-rel, RMSE, RMSE-log, delta
thresholds after per-image median scaling) where the split has ground-truth depth.
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, { project: 'string', model: 'string', split: 'string', json: 'boolean', ...ENGINE_FLAGS });
    if (!flags.project) throw new UsageError('eval needs --project DIR');
    const split = splitFlag(flags.split) ?? 'val';
    const p = await openProject(resolve(flags.project));
    try {
      const model = await loadModelFlag(flags.model, flags, await getSetting(p.store, 'engine.backend'));
      const progress = { bar: null as ReturnType<typeof createProgress> | null };
      const result = await evaluateModel(p, model, {
        split,
        onProgress: (done, total) => {
          progress.bar ??= createProgress('eval', total, { quiet: flags.json === true });
          progress.bar.update(done);
        },
      });
      progress.bar?.finish();
      const lines = [`${result.frames} ${split} frames`];
      if (result.segmentation) {
        lines.push(`mIoU ${result.segmentation.miou.toFixed(1)}%  pixel accuracy ${result.segmentation.pixelAccuracy.toFixed(1)}%`);
        for (const c of result.segmentation.perClass) if (c.iou !== null) lines.push(`  ${c.name.padEnd(14)} ${c.iou.toFixed(1)}`);
      }
      if (result.depth) {
        const d = result.depth;
        lines.push(`depth (${d.images} images): abs-rel ${d.absRel.toFixed(3)}  sq-rel ${d.sqRel.toFixed(3)}  RMSE ${d.rmse.toFixed(3)}  RMSE-log ${d.rmseLog.toFixed(3)}  a1 ${d.a1.toFixed(3)}`);
      }
      if (!result.segmentation && !result.depth) lines.push('nothing to score: no labels or ground-truth depth in this split for what the model predicts');
      printResult(flags.json === true, result, lines.join('\n'));
    } finally {
      await p.close();
      shutdownEngine();
    }
    return 0;
  },
};
