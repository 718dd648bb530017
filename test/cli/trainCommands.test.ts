import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importLabels } from '../../src/core/project/importLabels';
import { initProject } from '../../src/core/project/initProject';
import { openProject } from '../../src/core/project/openProject';
import { getRun, latestCheckpoint, listFrames, listRuns } from '../../src/core/store';
import { generateSynthDataset } from '../../src/core/synth';
import { freshDirs } from '../data/fixtures';
import { runCli } from './runCli';
import { spawnCli } from './spawnCli';

const temp = freshDirs();
let project = '';

beforeAll(async () => {
  const work = temp('cli-train');
  const data = join(work, 'synth');
  // 8 sequences: 6 train clips (6 frames to label), 2 val
  await generateSynthDataset({ out: data, sequences: 8, size: { height: 32, width: 64 }, seed: 3 });
  project = join(work, 'proj');
  const { open } = await initProject({ dir: project, dataset: data });
  try {
    // Half the train frames labelled: multi-task and DepthMix need unlabelled ones too.
    const ids = (await listFrames(open.store, { split: 'train', keyframesOnly: true })).slice(0, 3).map((f) => f.id);
    await importLabels(open, { frameIds: ids });
  } finally {
    await open.close();
  }
});

const engine = ['--backend', 'wasm', '--threads', '1'];
const sde = (steps: number, seed: number) => ['train-sde', '--project', project, '--net', 'tiny', '--size', '32x64', '--steps', String(steps), '--batch', '2', '--seed', String(seed), ...engine];

async function runsOf(kind: 'sde' | 'seg') {
  const p = await openProject(project);
  try {
    return await Promise.all((await listRuns(p.store, p.project.id, kind)).map(async (r) => ({ ...r, checkpoint: (await latestCheckpoint(p.store, r.id)) ?? null })));
  } finally {
    await p.close();
  }
}

describe('depthseg train-sde / train-seg (spawned)', () => {
  it('trains depth, then multi-task segmentation with DepthMix from it', async () => {
    const a = runCli([...sde(2, 1), '--json']);
    expect(a.code, a.stderr).toBe(0);
    const depth = JSON.parse(a.stdout);
    expect(depth).toMatchObject({ kind: 'sde', status: 'done', step: 2, totalSteps: 2, resumedFrom: null, error: null });
    expect(existsSync(join(depth.modelDir, 'model.json'))).toBe(true);
    expect(depth.metrics.trainFrames).toBe(6 * 28); // every train frame with both neighbours
    expect(depth.metrics.absRel).toBeGreaterThan(0); // scored against the synthetic depth

    const b = runCli(['train-seg', '--project', project, '--mode', 'multitask', '--mix', 'depthmix', '--steps', '2', '--batch', '1', '--unlabelled-batch', '1', ...engine]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/segmentation \(multitask, depthmix\) run #\d+ done: 2 steps; model in .*model/);
    expect(b.stdout).toMatch(/trained on 3 labelled frames at 32x64 \(tiny net\)/);
    expect(b.stdout).toMatch(/validation \(2 frames\): mIoU \d+\.\d% {2}pixel accuracy \d+\.\d%/);
    // Per-class IoU is printed on the 0..100 scale of the mIoU line.
    for (const m of b.stdout.matchAll(/^ {2}\S.{13} (\d+\.\d)$/gm)) expect(Number(m[1])).toBeLessThanOrEqual(100);
    expect(b.stderr).toMatch(/train-seg \[#+\.*\] step \d\/2 \d+% {2}loss \d/); // progress on stderr, not in a terminal: lines

    const [seg] = await runsOf('seg');
    expect(seg).toMatchObject({ kind: 'seg', mode: 'multitask', status: 'done', parentRunId: depth.runId });
    expect(seg!.checkpoint!.step).toBe(2);
  }, 120_000);

  it('Ctrl-C saves a checkpoint and pauses; --resume RUN continues it with its stored settings', async () => {
    const first = spawnCli([...sde(8, 7), '--checkpoint-every', '100']);
    await first.waitForStderr(/train-sde \[.*step 1\/8/); // the first progress line
    first.child.kill('SIGINT');
    const r1 = await first.done;
    expect(r1.code, r1.stderr).toBe(130);
    expect(r1.stderr).toMatch(/stopping after this step and saving a checkpoint/);
    const m = /SDE run #(\d+) paused at step (\d+) \(checkpoint saved\): continue it with depthseg train-sde --project \S+ --resume (\d+)/.exec(r1.stdout);
    expect(m, r1.stdout).not.toBeNull();
    const runId = Number(m![1]);
    const pausedAt = Number(m![2]);
    expect(pausedAt).toBeGreaterThanOrEqual(1);
    expect(pausedAt).toBeLessThan(8);
    const run = (await runsOf('sde')).find((r) => r.id === runId)!;
    expect(run.status).toBe('paused');
    expect(run.checkpoint?.step).toBe(pausedAt);

    expect(Number(m![3])).toBe(runId);
    // Settings beside --resume are refused: the run keeps its own.
    const mixed = runCli([...sde(8, 7), '--resume', String(runId)]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(`--resume continues run #${runId} with the settings it stored; leave out --net, --size, --steps, --batch, --seed`);
    // A new start with the same settings is a new run, and says which paused run it leaves alone.
    const second = runCli(['train-sde', '--project', project, '--resume', String(runId), '--checkpoint-every', '100', ...engine, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ runId, status: 'done', step: 8, resumedFrom: pausedAt });
    const p = await openProject(project);
    try {
      expect((await getRun(p.store, runId)).status).toBe('done');
    } finally {
      await p.close();
    }
  }, 120_000);

  it('a process killed mid-run leaves its run to the next start, which continues from the last checkpoint', async () => {
    const first = spawnCli([...sde(16, 8), '--checkpoint-every', '2']);
    // Evaluating at step 4: the checkpoint of step 2 is in the store, the one of step 4 on its way.
    await first.waitForStderr(/train-sde: evaluating at step 4/);
    first.child.kill('SIGKILL');
    await first.done;
    const run = (await runsOf('sde')).find((r) => r.config['seed'] === 8)!;
    expect(run.status).toBe('running'); // left behind by a process that is gone
    const saved = run.checkpoint!.step;
    expect(saved % 2).toBe(0);
    expect(saved).toBeGreaterThanOrEqual(2);

    const fresh = runCli([...sde(1, 8), '--json']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain(`run #${run.id} (sde) is paused at step ${saved}: this starts a new run; continue that one with --resume ${run.id}`);
    expect(JSON.parse(fresh.stdout).runId).not.toBe(run.id);
    const second = runCli(['train-sde', '--project', project, '--resume', String(run.id), '--checkpoint-every', '2', ...engine, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ runId: run.id, status: 'done', step: 16, resumedFrom: saved });
  }, 120_000);

  it('refuses bad options with a clear message', () => {
    const a = runCli(['train-sde', '--project', project, '--size', '30x64']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--size \(height\) must be at least 32 \(got 30\)/);
    const a2 = runCli(['train-sde', '--project', project, '--size', '40x64']);
    expect(a2.code).toBe(2);
    expect(a2.stderr).toMatch(/--size \(height\) must be a multiple of 16 \(got 40\)/);
    const b = runCli(['train-seg', '--project', project, '--mix', 'cutmix']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--mix must be one of none, classmix, depthmix \(got "cutmix"\)/);
    const c = runCli(['train-seg', '--project', project, '--steps', '-5']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--steps must be at least 1 \(got -5\)/);
    const d = runCli(['train-sde', '--project', project, '--flip', 'maybe']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--flip must be true or false \(got 'maybe'\)/);
  });
});
