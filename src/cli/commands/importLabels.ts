import { resolve } from 'node:path';
import { UsageError } from '../../core/errors';
import { importLabels } from '../../core/project/importLabels';
import { openProject } from '../../core/project/openProject';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';
import { createProgress } from '../progress';

export const importLabelsCommand: CliCommand = {
  name: 'import-labels',
  usage: `depthseg import-labels --project DIR [--overwrite] [--json]

  --overwrite   replace masks that already exist (default: keep annotators' work)`,
  async run(argv) {
    const { flags } = parseArgs(argv, { project: 'string', overwrite: 'boolean', json: 'boolean' });
    if (!flags.project) throw new UsageError('import-labels needs --project DIR');
    const p = await openProject(resolve(flags.project));
    try {
      const progress = { bar: null as ReturnType<typeof createProgress> | null };
      const summary = await importLabels(p, {
        overwrite: flags.overwrite === true,
        onProgress: (done, total) => {
          progress.bar ??= createProgress('import-labels', total, { quiet: flags.json === true });
          progress.bar.update(done);
        },
      });
      progress.bar?.finish();
      printResult(flags.json === true, summary, `imported ${summary.imported} labels, kept ${summary.kept} existing masks`);
    } finally {
      await p.close();
    }
    return 0;
  },
};
