import { resolve } from 'node:path';
import { initEngine, shutdownEngine } from '../../core/engine/backend';
import { openProject } from '../../core/project/openProject';
import { getSetting } from '../../core/store';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE, engineOptions } from '../engineFlags';

export const engineCommand: CliCommand = {
  name: 'engine',
  usage: `depthseg engine [--backend B] [--threads N] [--project DIR] [--json]

Starts the training engine as a training command would and says which backend it chose, why,
and with how many threads.
${ENGINE_USAGE}
  --project DIR    use the project's engine.backend setting where --backend is not given`,
  async run(argv) {
    const { flags } = parseArgs(argv, { ...ENGINE_FLAGS, project: 'string', json: 'boolean' });
    let setting: unknown;
    if (flags.project) {
      const p = await openProject(resolve(flags.project));
      setting = await getSetting(p.store, 'engine.backend');
      await p.close();
    }
    const info = await initEngine({ ...engineOptions(flags, setting), log: () => undefined });
    shutdownEngine();
    printResult(flags.json === true, info, `backend ${info.backend} with ${info.threads} thread(s): ${info.reason}`);
    return 0;
  },
};
