/**
 * A throw-away PostgreSQL server for the tests: initdb and pg_ctl in a temp folder, on a free
 * port of 127.0.0.1; each test takes a database of its own (createDatabase). Free of Vitest,
 * so Playwright specs start one too (startPostgresCluster); Vitest files use usePostgres()
 * (postgresCluster.ts). Run as root (CI), the server runs as the postgres user, as PostgreSQL
 * demands. Where PostgreSQL is not installed the PostgreSQL cases skip with a message, except
 * under CI=true, where they fail: CI installs it (.ci/run) and must run them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const SUPERUSER = 'depthseg';

/** The folder holding initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else PATH; undefined where neither has them. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? join(path, '..') : undefined;
}

/** Why the PostgreSQL cases cannot run here, or undefined when they can. Under CI=true a missing server is an error. */
export function postgresMissing(): string | undefined {
  if (postgresBinDir()) return undefined;
  const why = 'PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH; Debian: apt-get install postgresql)';
  if (process.env.CI === 'true') throw new Error(`${why}: CI must run the PostgreSQL store tests (.ci/run installs it)`);
  return why;
}

export interface PostgresCluster {
  readonly port: number;
  /** The URL of database `name` as the cluster's superuser. */
  url(name: string): string;
  /** A new empty database; its URL. */
  createDatabase(): Promise<string>;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL program, as the postgres user when this process is root. */
function pgRun(bin: string, args: string[]): void {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error?.message}`);
}

/**
 * `durable`: keep PostgreSQL's own defaults (fsync, synchronous commit, full-page writes), for
 * a benchmark that compares with SQLite's fsynced commits; tests turn them off for speed.
 */
export async function startPostgresCluster(opts: { durable?: boolean } = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresMissing() ?? 'PostgreSQL is not installed');
  const root = mkdtempSync(join(tmpdir(), 'depthseg-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  const data = join(root, 'data');
  const port = await freePort();
  pgRun(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', SUPERUSER, '--encoding=UTF8', '--no-sync', '--no-instructions']);
  try {
    pgRun(join(bin, 'pg_ctl'), [
      '-D', data, '-l', join(root, 'server.log'), '-w', '-t', '60',
      '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1${opts.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'}`,
      'start',
    ]);
  } catch (e) {
    const log = existsSync(join(root, 'server.log')) ? readFileSync(join(root, 'server.log'), 'utf8') : '';
    rmSync(root, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  let n = 0;
  const url = (name: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
  return {
    port,
    url,
    async createDatabase() {
      const name = `t${process.pid}_${++n}`;
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    stop() {
      try {
        pgRun(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
