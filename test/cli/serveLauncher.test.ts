/**
 * `depthseg serve` ends with the process that started it: a launcher (npx's stand-in) starts
 * the real command, on its own stdout and stderr as npx does, and is killed with SIGKILL,
 * which it cannot pass on. The orphaned serve must stop as on Ctrl-C and free its port.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launcherChain, procReader, psReader } from '../../src/cli/launcherWatch';
import { openProject } from '../../src/core/project/openProject';
import { listCheckpoints, listRuns } from '../../src/core/store';
import { freshDirs } from '../data/fixtures';
import { ApiClient, connectAsBrowser } from '../reliability/hostClient';

const SCRIPT = resolve(__dirname, 'scripts/serveLauncher.mjs');
const temp = freshDirs();
/** Generous bounds for a loaded machine; the tests poll and never assert how fast. */
const START_MS = 90_000;
const STOP_MS = 60_000;

interface Launched {
  readonly launcher: ChildProcess;
  readonly port: number;
  readonly token: string;
  /** What the launcher started: `depthseg serve`, or the shell that runs it. */
  readonly launchedPid: number;
  /** Every process below the launcher once serve was up (to clean up after a failure). */
  readonly descendants: number[];
  stderr(): string;
  /** Resolves once the launcher has exited and every process that shared its output has too. */
  readonly allClosed: Promise<void>;
  /** The folder the test may put projects in. */
  readonly work: string;
}

const launched: Launched[] = [];

/** Processes below `root`, from ps (Linux and macOS alike). */
function descendantsOf(root: number): number[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((r) => r.length === 2);
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, parent] of rows) {
      if (parent === pid) {
        out.push(child!);
        walk(child!);
      }
    }
  };
  walk(root);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms: number, log: () => string): Promise<void> {
  for (let waited = 0; ; waited += 100) {
    if (await check()) return;
    if (waited >= ms) throw new Error(`gave up waiting for ${what}; serve's stderr:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function launch(shape: 'direct' | 'shell', flags: string[] = [], env: Record<string, string> = {}): Promise<Launched> {
  const work = temp('serve-launcher');
  const renderer = join(work, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  const launcher = spawn(process.execPath, [SCRIPT, shape, renderer, ...flags], {
    env: { ...process.env, XDG_CONFIG_HOME: join(work, 'config'), FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  launcher.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  launcher.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  // 'close' waits for the pipes: they stay open while serve (or its shell) holds them.
  const allClosed = new Promise<void>((ok) => launcher.once('close', () => ok()));
  await until(() => /http:\/\/127\.0\.0\.1:\d+\//.test(out) || launcher.exitCode !== null, 'depthseg serve to print its link', START_MS, () => `${out}\n${err}`);
  const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1]);
  const launchedPid = Number(/launched (\d+)/.exec(out)?.[1]);
  const token = /#token=(\S+)/.exec(out)?.[1] ?? '';
  expect(port, `${out}\n${err}`).toBeGreaterThan(0);
  const l: Launched = { launcher, port, token, launchedPid, descendants: descendantsOf(launcher.pid!), stderr: () => err, allClosed, work };
  launched.push(l);
  return l;
}

afterEach(() => {
  // Whatever a failed test left running: only the processes these tests started, by id.
  for (const l of launched.splice(0)) {
    for (const pid of [l.launcher.pid!, ...l.descendants]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
});

async function expectStopped(l: Launched): Promise<void> {
  await until(async () => !(await portOpen(l.port)), `port ${l.port} to be freed`, STOP_MS, l.stderr);
  const closed = await Promise.race([l.allClosed.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), STOP_MS))]);
  expect(closed, `serve (or its shell) still holds the launcher's output; stderr:\n${l.stderr()}`).toBe(true);
}

describe('depthseg serve ends with the process that started it', () => {
  it('stops when its launcher is killed and the shell between them stays (npx: npm exec → sh → node)', { timeout: 180_000 }, async () => {
    const l = await launch('shell');
    expect(await portOpen(l.port)).toBe(true);
    l.launcher.kill('SIGKILL');
    await expectStopped(l);
    expect(l.stderr()).toContain(`depthseg serve: the process that started it (node, pid ${l.launcher.pid}) has ended; stopping\n`);
  });

  it('stops when its parent is killed', { timeout: 180_000 }, async () => {
    const l = await launch('direct');
    expect(await portOpen(l.port)).toBe(true);
    l.launcher.kill('SIGKILL');
    await expectStopped(l);
    expect(l.stderr()).toContain(`depthseg serve: the process that started it (node, pid ${l.launcher.pid}) has ended; stopping\n`);
  });

  it('a training job running then is asked to stop: it saves a checkpoint and its run is paused', { timeout: 240_000 }, async () => {
    const l = await launch('direct', [], { DEPTHSEG_BACKEND: 'wasm', DEPTHSEG_THREADS: '1' });
    const api = new ApiClient(await connectAsBrowser(l));
    const dir = join(l.work, 'project');
    const created = await api.call('projectCreate', { dir, synthetic: { sequences: 4, height: 32, width: 64, seed: 21 } });
    expect(created.ok, created.error?.message).toBe(true);
    const projectId = (created.result as { projectId: number }).projectId;
    const started = await api.call('trainingStartSde', { projectId, settings: { net: 'tiny', height: 32, width: 64, steps: 5000, batchSize: 1 } });
    expect(started.ok, started.error?.message).toBe(true);
    await until(
      async () => {
        const job = (await api.call('trainingStatus', { projectId })).result?.job;
        return job?.state === 'running' && job.runId !== null && job.step >= 1;
      },
      'the job to train',
      STOP_MS,
      l.stderr,
    );
    l.launcher.kill('SIGKILL');
    await expectStopped(l);
    api.close();
    const p = await openProject(dir);
    try {
      const runs = await listRuns(p.store, p.project.id);
      expect(runs.map((r) => r.status)).toEqual(['paused']);
      expect((await listCheckpoints(p.store, runs[0]!.id)).length).toBeGreaterThanOrEqual(1);
    } finally {
      await p.close();
    }
  });

  it('with --detached keeps serving after its parent is gone, until it is told to stop', { timeout: 180_000 }, async () => {
    const l = await launch('direct', ['--detached']);
    l.launcher.kill('SIGKILL');
    await new Promise<void>((ok) => l.launcher.once('exit', () => ok()));
    // Several of the watch's checks go by (once a second); it is still there, and answering.
    await new Promise((r) => setTimeout(r, 4000));
    expect(await portOpen(l.port)).toBe(true);
    expect(alive(l.launchedPid)).toBe(true);
    process.kill(l.launchedPid, 'SIGTERM');
    await expectStopped(l);
    expect(l.stderr()).not.toMatch(/has ended/);
  });

  it('stops on SIGHUP (its terminal closed) as on Ctrl-C, while its parent lives', { timeout: 180_000 }, async () => {
    const l = await launch('direct');
    process.kill(l.launchedPid, 'SIGHUP');
    await until(async () => !(await portOpen(l.port)), `port ${l.port} to be freed`, STOP_MS, l.stderr);
    // The launcher reaps it: gone, not a zombie.
    await until(() => !alive(l.launchedPid), 'serve to exit', STOP_MS, l.stderr);
    expect(l.launcher.exitCode).toBeNull();
    expect(l.stderr()).toBe('');
  });
});

describe('reading the chain of processes that started this one', () => {
  it('goes from the parent up, and ps (macOS) reads what /proc (Linux) reads', async () => {
    const viaPs = await launcherChain(psReader);
    expect(viaPs[0]?.pid).toBe(process.ppid);
    if (!existsSync('/proc/self/stat')) return console.log('no /proc here: only the ps reader was checked');
    const viaProc = await launcherChain(procReader);
    const shape = (c: typeof viaPs) => c.map(({ pid, ppid, pgid, name }) => ({ pid, ppid, pgid, name }));
    expect(shape(viaPs)).toEqual(shape(viaProc));
    for (let i = 1; i < viaProc.length; i++) expect(viaProc[i]!.pid).toBe(viaProc[i - 1]!.ppid);
    const me = (await procReader([process.pid])).get(process.pid)!;
    expect(viaProc.slice(0, -1).every((p) => p.pgid === me.pgid)).toBe(true);
    // A process that has ended is absent, for both.
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.once('exit', r));
    expect((await procReader([gone.pid!])).has(gone.pid!)).toBe(false);
    expect((await psReader([gone.pid!])).has(gone.pid!)).toBe(false);
  });
});
