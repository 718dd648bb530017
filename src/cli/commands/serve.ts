import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createService } from '../../core/api/service';
import { UsageError } from '../../core/errors';
import { startHost, type RunningHost } from '../../host/server';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { watchLauncher, type LauncherWatch } from '../launcherWatch';

export const serveCommand: CliCommand = {
  name: 'serve',
  usage: `depthseg serve [--port N] [--renderer DIR] [--detached]

  --port N          port on 127.0.0.1 (default: a free one)
  --renderer DIR    the built UI (default: out/renderer; build it with npm run build)
  --detached        keep serving when the process that started it ends (nohup, setsid);
                    without it, serve stops then, as it does on Ctrl-C or a closed terminal

Prints a link with a one-time token; open it in a browser on this machine. The first browser
that opens it keeps it (its tabs and windows too); other browsers are refused. Ctrl-C stops.`,
  async run(argv) {
    const { flags } = parseArgs(argv, { port: 'number', renderer: 'string', detached: 'boolean' });
    const rendererDir = resolve(flags.renderer ?? 'out/renderer');
    if (!existsSync(rendererDir)) {
      throw new UsageError(`${rendererDir} does not exist: build the UI first with npm run build, or pass --renderer DIR`);
    }
    let host: RunningHost | null = null;
    const service = createService('host', { emit: (event, payload) => host?.emit(event, payload) });
    host = await startHost(service, { port: flags.port ?? 0, rendererDir });
    process.stdout.write(`DepthSeg Workbench is served at\n  ${host.url}\n(Ctrl-C stops)\n`);
    // A closed terminal sends SIGHUP; nohup ignores it, and --detached leaves that as it is.
    const signals: NodeJS.Signals[] = flags.detached ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
    let watch: LauncherWatch | null = null;
    await new Promise<void>((done) => {
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        for (const s of signals) process.off(s, stop);
        watch?.stop();
        // A training job still running is asked to stop: it saves a checkpoint and pauses,
        // and the process ends once its worker has finished.
        void host!.close().then(async () => {
          await service.close();
          done();
        });
      };
      for (const s of signals) process.on(s, stop);
      if (!flags.detached) {
        // Started by npx (or a script, an IDE) that was then killed: stop instead of holding
        // the port and the project with nobody left to press Ctrl-C.
        void watchLauncher((ended) => {
          // Its output may have gone with it (a closed pipe): never crash on saying so.
          for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
          process.stderr.write(`depthseg serve: the process that started it (${ended.name}, pid ${ended.pid}) has ended; stopping\n`);
          stop();
        }).then((w) => {
          watch = w;
          if (stopping) w.stop();
          if (w.problem) process.stderr.write(`depthseg serve: cannot watch the process that started it (${w.problem}); stop it with Ctrl-C\n`);
        });
      }
    });
    return 0;
  },
};
