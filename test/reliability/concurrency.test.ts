/**
 * Two processes on one project: the app's host and the CLI. One training run per project,
 * refused with a message that names the run and the process; masks saved from two processes
 * at once without a torn file or a lost save (a stale edit is refused as a conflict); and a
 * command that must wait for another process's write says so when it gives up.
 */
import { sqliteOf } from '../store/tempProject';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/core/data';
import { importLabels } from '../../src/core/project/importLabels';
import { initProject } from '../../src/core/project/initProject';
import { openProject } from '../../src/core/project/openProject';
import { getFrame, getMaskRow, listFrames, listRuns, loadMask, ProjectStoreError, saveMask } from '../../src/core/store';
import { generateSynthDataset } from '../../src/core/synth';
import { runCli } from '../cli/runCli';
import { spawnCli } from '../cli/spawnCli';
import { freshDirs } from '../data/fixtures';
import { ApiClient, connectAsBrowser, serveHost, type ServedHost } from './hostClient';
import { maskPattern } from './scripts/maskPattern';

const temp = freshDirs();
let work = '';
let project = '';
const engine = ['--backend', 'wasm', '--threads', '1'];

beforeAll(async () => {
  work = temp('concurrency');
  await generateSynthDataset({ out: join(work, 'data'), sequences: 4, size: { height: 32, width: 64 }, seed: 21 });
  project = join(work, 'project');
  await (await initProject({ dir: project, dataset: join(work, 'data') })).open.close();
});

/** Polls `get` until `ok` holds (the other process moves on its own time). */
async function until<T>(get: () => Promise<T> | T, ok: (v: T) => boolean, what: string, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await get();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('one training run per project, across the app host and the CLI', () => {
  let host: ServedHost;
  let api: ApiClient;
  let projectId = 0;
  beforeAll(async () => {
    host = await serveHost(work, { DEPTHSEG_BACKEND: 'wasm', DEPTHSEG_THREADS: '1' });
    api = new ApiClient(await connectAsBrowser(host));
    const opened = await api.call('projectOpen', { dir: project });
    expect(opened.ok).toBe(true);
    projectId = (opened.result as { projectId: number }).projectId;
  }, 90_000);
  afterAll(async () => {
    api?.close();
    await host?.stop();
  });

  it('the CLI is refused while the app trains, and the app while the CLI trains, each naming the run and the process', { timeout: 240_000 }, async () => {
    // The app trains (a worker thread of the host process).
    const started = await api.call('trainingStartSde', { projectId, settings: { net: 'tiny', height: 32, width: 64, steps: 5000, batchSize: 1 } });
    expect(started.ok, started.error?.message).toBe(true);
    const status = await until(
      async () => (await api.call('trainingStatus', { projectId })).result,
      (s) => s.job?.state === 'running' && s.job.runId !== null && s.job.step >= 1,
      'the app job to run',
    );
    const appRun = status.job.runId as number;

    const cli = runCli(['train-sde', '--project', project, '--net', 'tiny', '--size', '32x64', '--steps', '3', '--batch', '1', ...engine]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toMatch(
      new RegExp(`\ndepthseg train-sde: .*project\\.sqlite: training run #${appRun} \\(sde, step \\d+/5000\\) is running in this project in another process \\(pid ${host.child.pid}\\): one training run per project; wait for it to finish or stop it there first\\n`),
    );
    let p = await openProject(project);
    expect((await listRuns(p.store, p.project.id)).map((r) => [r.id, r.status])).toEqual([[appRun, 'running']]); // nothing half-created
    await p.close();

    expect((await api.call('trainingCancel', { projectId })).ok).toBe(true);
    await until(async () => (await api.call('trainingStatus', { projectId })).result, (s) => s.job === null && s.last?.state === 'paused', 'the app job to pause');

    // Now the CLI trains: it continues the run the app paused, by its id; the app is refused.
    const running = spawnCli(['train-sde', '--project', project, '--resume', String(appRun), '--checkpoint-every', '100000', ...engine]);
    await running.waitForStderr(/train-sde \[.*step \d+\/5000/);
    const refused = await api.call('trainingStartSde', { projectId, settings: { net: 'tiny', height: 32, width: 64, steps: 7, batchSize: 1 } });
    expect(refused.ok).toBe(false);
    expect(refused.error!.message).toMatch(new RegExp(`training run #\\d+ \\(sde\\) is running in this project in another process \\(pid ${running.child.pid}\\): wait for it or stop it there first`));
    running.child.kill('SIGINT');
    const r = await running.done;
    expect(r.code, r.stderr).toBe(130);

    p = await openProject(project);
    try {
      expect(sqliteOf(p.store).pragma('integrity_check', { simple: true })).toBe('ok');
      // The CLI continued the run the app had paused; it is paused again.
      expect((await listRuns(p.store, p.project.id)).map((x) => [x.id, x.status])).toEqual([[appRun, 'paused']]);
      expect(r.stderr).toMatch(/train-sde: resuming from step \d+/);
    } finally {
      await p.close();
    }
  });
});

describe('masks saved from two processes at once', () => {
  it('never tears a file or loses a save; an edit based on an older version is refused as a conflict', { timeout: 120_000 }, async () => {
    const p = await openProject(project);
    const frames = (await listFrames(p.store, { split: 'train' })).slice(0, 4);
    const other = spawn(process.execPath, [resolve(__dirname, '../../bin/run-ts.mjs'), resolve(__dirname, 'scripts/saveLoop.ts'), project, ...frames.map((f) => String(f.id))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: other.stdout! })[Symbol.asyncIterator]();
    const exited = new Promise((ok) => other.on('exit', ok));
    try {
      await lines.next(); // the other process is saving
      let theirs = 0;
      let theirConflicts = 0;
      void (async () => {
        for (let l = await lines.next(); !l.done; l = await lines.next()) {
          if (String(l.value).startsWith('saved')) theirs++;
          else theirConflicts++;
        }
      })();
      let mine = 0;
      let conflicts = 0;
      for (let i = 0; i < 60; i++) {
        const f = frames[i % frames.length]!;
        const version = (await getMaskRow(p.store, f.id))?.version ?? 0;
        try {
          await saveMask(p.store, f.id, maskPattern(f.id, version + 1, f.width, f.height), 'here', { expectedVersion: version });
          mine++;
        } catch (e) {
          expect(e).toBeInstanceOf(ProjectStoreError);
          expect((e as ProjectStoreError).reason).toBe('conflict');
          expect((e as Error).message).toMatch(/was saved elsewhere meanwhile .*reload it before saving/);
          conflicts++;
        }
      }
      console.log(`two writers: here ${mine} saved, ${conflicts} refused as conflicts; the other process ${theirs} saved, ${theirConflicts} conflicts`);
      expect(mine).toBeGreaterThan(0);
      expect(theirs).toBeGreaterThan(0);
      expect(other.exitCode).toBeNull(); // the other writer is still going
    } finally {
      other.kill('SIGTERM');
      await exited;
    }
    expect(sqliteOf(p.store).pragma('integrity_check', { simple: true })).toBe('ok');
    for (const f of frames) {
      const saved = (await loadMask(p.store, f.id))!;
      const want = maskPattern(f.id, saved.row.version, f.width, f.height);
      expect(Buffer.from(saved.mask.data).equals(Buffer.from(want.data))).toBe(true);
      expect(readFileSync(join(project, saved.row.maskPath!)).equals(await encodePng({ ...want, channels: 1 }))).toBe(true);
      expect((await getFrame(p.store, f.id)).id).toBe(f.id);
    }
    await p.close();
  });
});

describe('waiting for another process', () => {
  it('a command that cannot get the write lock within the busy timeout says the project is in use', { timeout: 60_000 }, async () => {
    const holder = spawn(
      process.execPath,
      ['-e', `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE'); console.log('holding'); setInterval(() => {}, 1000);`, join(project, 'project.sqlite')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: holder.stdout! })[Symbol.asyncIterator]();
    const exited = new Promise((ok) => holder.on('exit', ok));
    try {
      expect((await lines.next()).value).toBe('holding');
      const r = runCli(['import-labels', '--project', project]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^depthseg import-labels: .*project\.sqlite: the project is in use by another process; try again \(SQLITE_BUSY/);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    // Nothing was half-imported; the same command works once the other process is gone.
    const p = await openProject(project);
    try {
      let before = 0;
      for (const f of await listFrames(p.store, { withGroundTruth: true })) if ((await getMaskRow(p.store, f.id))?.maskPath) before++;
      const s = await importLabels(p, {});
      expect(s.imported + s.kept).toBe(s.candidates);
      expect(before).toBeLessThanOrEqual(s.candidates);
    } finally {
      await p.close();
    }
  });
});
