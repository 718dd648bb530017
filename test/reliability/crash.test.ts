/**
 * Crash safety: child processes killed with SIGKILL while saving masks, while writing a
 * checkpoint, and while training. Afterwards the project opens, every mask saved before is
 * there with its exact bytes, no half-written checkpoint is ever used, and training resumes
 * from the last checkpoint.
 */
import { sqliteOf } from '../store/tempProject';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, watch, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/core/data';
import { readCheckpointState, recoverCheckpointLeftovers } from '../../src/core/ml/train/checkpoint';
import { initProject } from '../../src/core/project/initProject';
import { openProject } from '../../src/core/project/openProject';
import { trainSde } from '../../src/core/project/trainSde';
import { startWasm } from '../engine/setup';
import { checkpointPath } from '../../src/core/project/projectModels';
import { getMaskRow, listCheckpoints, listFrames, listRuns, loadMask, pruneOrphanMaskFiles, saveMask } from '../../src/core/store';
import { generateSynthDataset } from '../../src/core/synth';
import { spawnCli } from '../cli/spawnCli';
import { freshDirs, writeCityscapesFixture } from '../data/fixtures';
import { maskPattern } from './scripts/maskPattern';

const temp = freshDirs();
const RUN_TS = resolve(__dirname, '../../bin/run-ts.mjs');

/** A TypeScript script as a child process; `lines` yields its stdout line by line. */
function child(script: string, args: string[]): { proc: ChildProcess; lines: AsyncIterator<string>; exited: Promise<string | null> } {
  const proc = spawn(process.execPath, [RUN_TS, resolve(__dirname, 'scripts', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<string | null>((ok) => proc.on('exit', (_code, signal) => ok(signal)));
  return { proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator](), exited };
}

/** Small deterministic generator for the kill points. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('killed while saving masks', () => {
  it('keeps every mask saved before, byte for byte, and the project opens', { timeout: 120_000 }, async () => {
    const work = temp('crash-masks');
    const data = join(work, 'data');
    await writeCityscapesFixture(data);
    const projectDir = join(work, 'project');
    const { open } = await initProject({ dir: projectDir, dataset: data });
    const frames = await listFrames(open.store);
    const busy = frames.slice(0, 6); // the child saves these over and over
    const still = frames.slice(6, 10); // saved once here, never touched again
    for (const f of still) await saveMask(open.store, f.id, maskPattern(f.id, 1, f.width, f.height), 'before');
    const stillFiles = await Promise.all(still.map(async (f) => readFileSync(join(projectDir, (await getMaskRow(open.store, f.id))!.maskPath!))));
    const stillRows = await Promise.all(still.map(async (f) => await getMaskRow(open.store, f.id)));
    await open.close();

    const r = rng(8);
    const reported = new Map<number, number>();
    let kills = 0;
    for (let round = 0; round < 3; round++) {
      const c = child('saveLoop.ts', [projectDir, ...busy.map((f) => String(f.id))]);
      const killAfter = 5 + Math.floor(r() * 25);
      for (let n = 0; n < killAfter; n++) {
        const line = (await c.lines.next()).value as string;
        const [, id, version] = line.split(' ');
        reported.set(Number(id), Number(version));
      }
      c.proc.kill('SIGKILL');
      expect(await c.exited).toBe('SIGKILL');
      kills++;

      // The project opens; every frame's mask is the exact one saved for its version.
      const p = await openProject(projectDir);
      try {
        expect(sqliteOf(p.store).pragma('integrity_check', { simple: true })).toBe('ok');
        for (const f of busy) {
          const saved = await loadMask(p.store, f.id);
          const last = reported.get(f.id);
          if (last === undefined) continue;
          // A save that committed just before the kill may not have printed its line yet.
          expect(saved!.row.version).toBeGreaterThanOrEqual(last);
          expect(saved!.row.version).toBeLessThanOrEqual(last + 1);
          const want = maskPattern(f.id, saved!.row.version, f.width, f.height);
          expect(Buffer.from(saved!.mask.data).equals(Buffer.from(want.data))).toBe(true);
          const file = readFileSync(join(projectDir, saved!.row.maskPath!));
          expect(file.equals(await encodePng({ ...want, channels: 1 }))).toBe(true);
        }
        for (const [i, f] of still.entries()) {
          expect(await getMaskRow(p.store, f.id)).toEqual(stillRows[i]);
          expect(readFileSync(join(projectDir, stillRows[i]!.maskPath!)).equals(stillFiles[i]!)).toBe(true);
        }
        // Leftovers of the interrupted save (a temp file, or a new version never committed) go; every saved mask stays.
        const pruned = await pruneOrphanMaskFiles(p.store);
        for (const name of pruned) expect(name).toMatch(/^(\..*\.tmp|frame-\d+-v\d+\.png)$/);
        for (const f of [...busy, ...still]) {
          const row = await getMaskRow(p.store, f.id);
          if (row?.maskPath) expect(existsSync(join(projectDir, row.maskPath))).toBe(true);
        }
      } finally {
        await p.close();
      }
    }
    expect(kills).toBe(3);
  });
});

describe('killed while writing a checkpoint', () => {
  it('leaves the previous checkpoint whole under its name; the half-written one is only a temp folder, tidied later', { timeout: 60_000 }, async () => {
    const work = temp('crash-ckpt');
    const dir = join(work, 'checkpoints', 'run-1', 'step-0000001');

    // Replacing an existing checkpoint: killed half way.
    const c = child('checkpointHang.ts', [dir]);
    expect((await c.lines.next()).value).toBe('complete 1');
    expect((await c.lines.next()).value).toBe('mid-write');
    const pid = c.proc.pid!;
    c.proc.kill('SIGKILL');
    await c.exited;
    const partial = join(work, 'checkpoints', 'run-1', `.step-0000001.${pid}.partial`);
    expect(existsSync(join(partial, 'model', 'model.json'))).toBe(true); // written half way...
    expect(existsSync(join(partial, 'state.json'))).toBe(false); // ...and never finished
    expect(readCheckpointState(dir).step).toBe(1); // the name still holds the whole previous one
    expect(recoverCheckpointLeftovers(join(work, 'checkpoints', 'run-1'))).toEqual([`removed .step-0000001.${pid}.partial`]);
    expect(readdirSync(join(work, 'checkpoints', 'run-1'))).toEqual(['step-0000001']);

    // A first checkpoint: killed half way, nothing appears under its name.
    const fresh = join(work, 'checkpoints', 'run-2', 'step-0000002');
    const d = child('checkpointHang.ts', [fresh, 'fresh']);
    expect((await d.lines.next()).value).toBe('mid-write');
    d.proc.kill('SIGKILL');
    await d.exited;
    expect(existsSync(fresh)).toBe(false);
    expect(() => readCheckpointState(fresh)).toThrow(/cannot read the checkpoint state/);
    recoverCheckpointLeftovers(join(work, 'checkpoints', 'run-2'));
    expect(readdirSync(join(work, 'checkpoints', 'run-2'))).toEqual([]);

    // Killed between the two renames of a replacement: the previous version is put back.
    renameSync(dir, join(work, 'checkpoints', 'run-1', `.step-0000001.${pid}.old`));
    expect(recoverCheckpointLeftovers(join(work, 'checkpoints', 'run-1'))).toEqual([`restored step-0000001 from .step-0000001.${pid}.old`]);
    expect(readCheckpointState(dir).step).toBe(1);
  });
});

describe('killed while training', () => {
  let project = '';
  beforeAll(async () => {
    const work = temp('crash-train');
    await generateSynthDataset({ out: join(work, 'data'), sequences: 4, size: { height: 32, width: 64 }, seed: 11 });
    project = join(work, 'project');
    await (await initProject({ dir: project, dataset: join(work, 'data') })).open.close();
  });

  it('train-sde killed during a checkpoint write resumes from its last recorded checkpoint, never from a half-written one', { timeout: 180_000 }, async () => {
    const args = ['train-sde', '--project', project, '--net', 'tiny', '--size', '32x64', '--steps', '8', '--batch', '1', '--checkpoint-every', '1', '--backend', 'wasm', '--threads', '1'];
    const first = spawnCli(args);
    // Kill as soon as the third checkpoint starts to be written (its temp folder appears).
    const ckptRoot = join(project, 'checkpoints');
    mkdirSync(ckptRoot, { recursive: true });
    const partials = new Set<string>();
    const watcher = watch(ckptRoot, { recursive: true }, (_event, name) => {
      const m = /(\.step-\d+\.\d+\.partial)/.exec(String(name ?? ''));
      if (m && !partials.has(m[1]!)) {
        partials.add(m[1]!);
        if (partials.size === 3) first.child.kill('SIGKILL');
      }
    });
    const r1 = await first.done;
    watcher.close();
    expect(r1.code, r1.stderr).toBe(137);

    const p = await openProject(project);
    let saved: number;
    let runId: number;
    try {
      expect(sqliteOf(p.store).pragma('integrity_check', { simple: true })).toBe('ok');
      const [run] = await listRuns(p.store, p.project.id, 'sde');
      expect(run!.status).toBe('running'); // left by a process that is gone
      runId = run!.id;
      const ckpts = await listCheckpoints(p.store, run!.id);
      expect(ckpts.length).toBeGreaterThanOrEqual(1);
      // Every recorded checkpoint is whole.
      for (const c of ckpts) {
        expect(readCheckpointState(join(project, c.path)).step).toBe(c.step);
        expect(existsSync(join(project, c.path, 'model', 'model.json'))).toBe(true);
        expect(existsSync(join(project, c.path, 'pose', 'model.json'))).toBe(true);
      }
      saved = ckpts.at(-1)!.step;
    } finally {
      await p.close();
    }
    // What a kill in the middle of writing the next checkpoint leaves: a temp folder with part of it.
    const runDir = join(project, 'checkpoints', `run-${runId}`);
    const half = join(project, checkpointPath(runId, saved + 1)).replace(/step-(\d+)$/, '.step-$1.999999.partial');
    mkdirSync(join(half, 'model'), { recursive: true });
    writeFileSync(join(half, 'model', 'model.json'), '{"half":');
    const leftBehind = readdirSync(runDir).filter((n) => n.endsWith('.partial'));
    console.log(`crash while training: killed at the 3rd checkpoint write, last recorded checkpoint step ${saved}, temp folders left: ${leftBehind.join(', ')}`);

    // It continues by its id, with the settings it stored.
    const second = spawnCli(['train-sde', '--project', project, '--resume', String(runId), '--checkpoint-every', '1', '--backend', 'wasm', '--threads', '1', '--json']);
    const r2 = await second.done;
    expect(r2.code, r2.stderr).toBe(0);
    const out = JSON.parse(r2.stdout) as { runId: number; status: string; step: number; resumedFrom: number | null };
    expect(out).toMatchObject({ runId, status: 'done', step: 8, resumedFrom: saved });
    expect(readdirSync(runDir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a recorded checkpoint damaged on disk is not trained on: the run resumes from the one before, saying so', { timeout: 120_000 }, async () => {
    await startWasm();
    const p = await openProject(project);
    try {
      const settings = { net: 'tiny' as const, height: 32, width: 64, batchSize: 1, steps: 4, seed: 5 };
      const stop = new AbortController();
      const first = await trainSde(p, settings, { checkpointEvery: 1, signal: stop.signal, onProgress: (e) => e.phase === 'training' && e.step === 3 && stop.abort() });
      expect(first.status).toBe('paused');
      const ckpts = await listCheckpoints(p.store, first.run.id);
      expect(ckpts.map((c) => c.step)).toEqual([2, 3]);
      // The newest one's state torn (a disk fault; the app never leaves it so).
      const state = join(project, ckpts[1]!.path, 'state.json');
      writeFileSync(state, readFileSync(state).subarray(0, 5));
      const messages: string[] = [];
      const second = await trainSde(p, {}, { resume: first.run.id, checkpointEvery: 1, onProgress: (e) => e.message && messages.push(e.message) });
      expect(second).toMatchObject({ status: 'done', step: 4, resumedFrom: 2 });
      expect(second.run.id).toBe(first.run.id);
      expect(messages.join('\n')).toMatch(/the checkpoint of step 3 cannot be read \(.*state\.json: cannot read the checkpoint state.*\); trying the one before/);
    } finally {
      await p.close();
    }
  });
});
