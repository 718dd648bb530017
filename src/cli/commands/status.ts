import { resolve } from 'node:path';
import { UsageError } from '../../core/errors';
import { openProject } from '../../core/project/openProject';
import { listDatasets, listRuns, projectOverview } from '../../core/store';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';

export const statusCommand: CliCommand = {
  name: 'status',
  usage: `depthseg status --project DIR [--json]`,
  async run(argv) {
    const { flags } = parseArgs(argv, { project: 'string', json: 'boolean' });
    if (!flags.project) throw new UsageError('status needs --project DIR');
    const p = await openProject(resolve(flags.project));
    try {
      const overview = await projectOverview(p.store, p.project.id);
      const datasets = (await listDatasets(p.store, p.project.id)).map((d) => ({ id: d.id, name: d.name, format: d.format, root: d.rootPath }));
      const runs = (await listRuns(p.store, p.project.id)).map((r) => ({ id: r.id, kind: r.kind, mode: r.mode, status: r.status }));
      const m = overview.masks;
      const human = [
        `project ${p.project.name} (${p.store.dir})`,
        ...(p.store.engine === 'postgres' ? [`  database ${p.store.dbPath} (PostgreSQL)`] : []),
        ...datasets.map((d) => `  dataset ${d.name}: ${d.format} at ${d.root}`),
        `  ${overview.clips} clips, ${overview.frames} frames, ${overview.keyframes} frames to label`,
        `  labels: ${m.done} done, ${m.in_progress} in progress, ${m.todo} to do, ${m.skipped} skipped`,
        `  ${overview.suggested} frames suggested in ${overview.selectionRounds} selection rounds`,
        `  ${overview.runs} training runs${runs.length ? `: ${runs.map((r) => `#${r.id} ${r.kind}/${r.mode} ${r.status}`).join(', ')}` : ''}`,
      ].join('\n');
      printResult(flags.json === true, { project: p.project.name, dir: p.store.dir, engine: p.store.engine, database: p.store.dbPath, datasets, overview, runs }, human);
    } finally {
      await p.close();
    }
    return 0;
  },
};
