import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createService } from '../../core/api/service';
import { UsageError } from '../../core/errors';
import { startHost, type RunningHost } from '../../host/server';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { watchLauncher, type LauncherWatch } from '../launcherWatch';
import { startTeam } from '../teamServe';

export const serveCommand: CliCommand = {
  name: 'serve',
  usage: `depthseg serve [--port N] [--renderer DIR] [--detached]
depthseg serve --team --project DIR [--db URL] [--listen HOST:PORT] [--cert FILE --key FILE] [--insecure-http]

  --port N          port on 127.0.0.1 (default: a free one)
  --renderer DIR    the built UI (default: out/renderer; build it with npm run build)
  --detached        keep serving when the process that started it ends (nohup, setsid);
                    without it, serve stops then, as it does on Ctrl-C or a closed terminal

Prints a link with a one-time token; open it in a browser on this machine. The first browser
that opens it keeps it (its tabs and windows too); other browsers are refused. Ctrl-C stops.

Team server (docs/team-server.md): serves the PostgreSQL project in DIR to the team's browsers;
everyone signs in with an account (depthseg user add), and every call is checked against the
account's role.
  --team            serve a team instead of this machine's one browser
  --project DIR     the project folder (its project.postgres.json, masks/ and checkpoints/)
  --db URL          the project's database, checked against DIR's (optional)
  --listen HOST:PORT  where to listen (default 127.0.0.1:8080; 0.0.0.0:8443 for every interface)
  --cert FILE --key FILE  PEM certificate and key: HTTPS. Without them only a loopback
                    address is served, unless --insecure-http (loudly warned about)`,
  async run(argv) {
    const { flags } = parseArgs(argv, {
      port: 'number',
      renderer: 'string',
      detached: 'boolean',
      team: 'boolean',
      project: 'string',
      db: 'string',
      listen: 'string',
      cert: 'string',
      key: 'string',
      'insecure-http': 'boolean',
    });
    const rendererDir = resolve(flags.renderer ?? 'out/renderer');
    if (!existsSync(rendererDir)) {
      throw new UsageError(`${rendererDir} does not exist: build the UI first with npm run build, or pass --renderer DIR`);
    }
    const teamOnly = (['project', 'db', 'listen', 'cert', 'key', 'insecure-http'] as const).filter((f) => flags[f] !== undefined);
    if (!flags.team && teamOnly.length) throw new UsageError(`--${teamOnly[0]} is for a team server: add --team (docs/team-server.md)`);
    if (flags.team && flags.port !== undefined) throw new UsageError('--port is for the local server; a team server takes --listen HOST:PORT');
    if (flags.team) {
      const team = await startTeam({
        ...(flags.project ? { project: flags.project } : {}),
        ...(flags.db ? { db: flags.db } : {}),
        ...(flags.listen ? { listen: flags.listen } : {}),
        ...(flags.cert ? { cert: flags.cert } : {}),
        ...(flags.key ? { key: flags.key } : {}),
        insecureHttp: flags['insecure-http'] === true,
        rendererDir,
      });
      for (const w of team.warnings) process.stderr.write(`depthseg serve: ${w}\n`);
      process.stdout.write(`DepthSeg Workbench team server at\n  ${team.server.url}\n(Ctrl-C stops)\n`);
      process.stderr.write(`depthseg serve: team server listening on port ${team.server.port}\n`);
      await untilStopped(flags.detached === true, () => team.stop());
      return 0;
    }
    let host: RunningHost | null = null;
    const service = createService('host', { emit: (event, payload) => host?.emit(event, payload) });
    host = await startHost(service, { port: flags.port ?? 0, rendererDir });
    process.stdout.write(`DepthSeg Workbench is served at\n  ${host.url}\n(Ctrl-C stops)\n`);
    await untilStopped(flags.detached === true, async () => {
      // A training job still running is asked to stop: it saves a checkpoint and pauses,
      // and the process ends once its worker has finished.
      await host!.close();
      await service.close();
    });
    return 0;
  },
};

/** Serves until Ctrl-C, SIGTERM, a closed terminal (unless detached) or the end of the process that started it; then `close`. */
async function untilStopped(detached: boolean, close: () => Promise<void>): Promise<void> {
  // A closed terminal sends SIGHUP; nohup ignores it, and --detached leaves that as it is.
  const signals: NodeJS.Signals[] = detached ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let watch: LauncherWatch | null = null;
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      for (const s of signals) process.off(s, stop);
      watch?.stop();
      void close().then(done, (e: unknown) => {
        process.stderr.write(`depthseg serve: stopping failed: ${e instanceof Error ? e.message : String(e)}\n`);
        done();
      });
    };
    for (const s of signals) process.on(s, stop);
    if (!detached) {
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
}
