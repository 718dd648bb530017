import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createService } from '../../core/api/service';
import { UsageError } from '../../core/errors';
import { startHost, type RunningHost } from '../../host/server';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';

export const serveCommand: CliCommand = {
  name: 'serve',
  usage: `depthseg serve [--port N] [--renderer DIR]

  --port N          port on 127.0.0.1 (default: a free one)
  --renderer DIR    the built UI (default: out/renderer; build it with npm run build)

Prints a link with a one-time token; open it in a browser on this machine. Ctrl-C stops.`,
  async run(argv) {
    const { flags } = parseArgs(argv, { port: 'number', renderer: 'string' });
    const rendererDir = resolve(flags.renderer ?? 'out/renderer');
    if (!existsSync(rendererDir)) {
      throw new UsageError(`${rendererDir} does not exist: build the UI first with npm run build, or pass --renderer DIR`);
    }
    let host: RunningHost | null = null;
    const service = createService('host', { emit: (event, payload) => host?.emit(event, payload) });
    host = await startHost(service, { port: flags.port ?? 0, rendererDir });
    process.stdout.write(`DepthSeg Workbench is served at\n  ${host.url}\n(Ctrl-C stops)\n`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // A training job still running is asked to stop: it saves a checkpoint and pauses,
        // and the process ends once its worker has finished.
        void host!.close().then(() => {
          service.close();
          done();
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
