/**
 * `depthseg serve --team`: the team server for one PostgreSQL project (docs/team-server.md).
 * Checks what it is given (the project's engine, --db against the project's database, the
 * listen address, the certificate), opens the project once for everyone and serves it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createService } from '../core/api/service';
import { teamService } from '../core/api/teamService';
import type { LimiterOptions } from '../core/api/loginLimiter';
import { isLoopback } from '../core/api/loopback';
import { accounts } from '../core/api/teamAccounts';
import { UsageError } from '../core/errors';
import { openProjectStore, projectEngine, readPostgresPointer, redactPostgresUrl, type ProjectStore } from '../core/store';
import { plainHttpProblem, startTeamServer, type RunningTeamServer } from '../host/teamServer';

export interface TeamServeFlags {
  readonly project?: string;
  readonly db?: string;
  readonly listen?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly insecureHttp?: boolean;
  readonly rendererDir: string;
  /** Login rate limits (tests give a clock of their own); 5 wrong passwords a minute by default. */
  readonly limits?: LimiterOptions;
}

/** `HOST:PORT` (IPv6 in brackets: [::]:8443); a port alone means 127.0.0.1. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text) ?? (/^\d{1,5}$/.test(text) ? [text, undefined, '127.0.0.1', text] : null);
  const port = m ? Number(m[3]) : NaN;
  const host = m ? (m[1] ?? m[2] ?? '') : '';
  if (!m || !host || !(port >= 0 && port <= 65535)) {
    throw new UsageError(`--listen: '${text}' is not HOST:PORT (e.g. 127.0.0.1:8080, 0.0.0.0:8443, [::]:8443)`);
  }
  return { host, port };
}

export interface StartedTeam {
  readonly server: RunningTeamServer;
  readonly warnings: string[];
  stop(): Promise<void>;
}

export async function startTeam(flags: TeamServeFlags): Promise<StartedTeam> {
  if (!flags.project) throw new UsageError('serve --team needs --project DIR: the project folder (its project.postgres.json, masks and checkpoints)');
  const dir = resolve(flags.project);
  const engine = projectEngine(dir);
  if (engine === undefined) throw new UsageError(`--project: ${dir} is not a DepthSeg project; create one with depthseg init --db postgres://...`);
  if (engine !== 'postgres') {
    throw new UsageError(`--project: ${dir} is an SQLite project, for one person; a team server needs PostgreSQL: depthseg migrate --project ${dir} --db postgres://...`);
  }
  if (flags.db !== undefined) {
    const own = redactPostgresUrl(readPostgresPointer(dir).url);
    if (redactPostgresUrl(flags.db) !== own) throw new UsageError(`--db: ${redactPostgresUrl(flags.db)} is not the database of ${dir} (${own})`);
  }
  const { host, port } = parseListen(flags.listen ?? '127.0.0.1:8080');
  const tlsFiles = { ...(flags.cert ? { cert: resolve(flags.cert) } : {}), ...(flags.key ? { key: resolve(flags.key) } : {}) };
  const problem = plainHttpProblem({ host, ...tlsFiles, insecureHttp: flags.insecureHttp === true });
  if (problem) throw new UsageError(problem);
  for (const [flag, file] of Object.entries(tlsFiles)) if (!existsSync(file)) throw new UsageError(`--${flag}: ${file} does not exist`);

  let server: RunningTeamServer | null = null;
  const service = createService('team', { emit: (event, payload) => server?.emit(event, payload) });
  let store: ProjectStore | null = null;
  try {
    const project = await service.projectOpen({ dir });
    store = await openProjectStore(dir, { create: false });
    const warnings: string[] = [];
    if ((await accounts(store)).length === 0) warnings.push(`no accounts yet: nobody can sign in. Add one: depthseg user add --project ${dir} --name NAME --role engineer`);
    server = await startTeamServer(teamService(service, project), project, store, { host, port, ...tlsFiles, insecureHttp: flags.insecureHttp === true, rendererDir: flags.rendererDir, ...(flags.limits ? { limits: flags.limits } : {}) });
    if (!tlsFiles.cert && flags.insecureHttp && !isLoopback(host)) {
      warnings.push(
        `WARNING: PLAIN HTTP ON ${host}:${server.port} (--insecure-http): passwords and session cookies cross the network UNENCRYPTED; ` +
          'anyone on it can read them and act as your team. Give --cert and --key for HTTPS.',
      );
    }
    const s = store;
    const running = server;
    return {
      server,
      warnings,
      async stop() {
        await running.close();
        await service.close();
        await s.close();
      },
    };
  } catch (e) {
    await service.close();
    await store?.close();
    throw e;
  }
}
