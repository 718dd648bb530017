/**
 * The project job kinds in a real worker thread on a real project (SQLite file, generated
 * street frames, tiny nets at 32x64 on wasm): SDE pretraining to the end with its progress,
 * a retrain (multi-task DepthMix) that a cancel pauses with a checkpoint and that the same
 * settings continue from there, a selection round, and bad settings reported as a failure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProjectJobReport, SelectJobResult, TrainJobResult } from '../../src/core/jobs/kinds/projectJobs';
import type { FromWorker, FinishedMessage, ProgressMessage } from '../../src/core/jobs/protocol';
import { startJob, type JobSpec } from '../../src/core/jobs/runner';
import { importLabels } from '../../src/core/project/importLabels';
import { initProject } from '../../src/core/project/initProject';
import { openProject } from '../../src/core/project/openProject';
import type { RunProgress } from '../../src/core/project/runLoop';
import { generateSynthDataset } from '../../src/core/synth/generate';
import { getRun, latestCheckpoint, listFrames, listSelectionRounds, metricHistory } from '../../src/core/store';
import { freshDirs } from '../data/fixtures';

const temp = freshDirs();
let projectDir: string;
const tiny = { net: 'tiny', height: 32, width: 64 };

beforeAll(async () => {
  const data = temp('data');
  await generateSynthDataset({ out: data, sequences: 4, size: { height: 32, width: 64 }, seed: 5 });
  projectDir = temp('proj');
  const { open } = await initProject({ dir: projectDir, dataset: data });
  const keys = await listFrames(open.store, { split: 'train', keyframesOnly: true });
  await importLabels(open, { frameIds: keys.slice(0, 2).map((f) => f.id) });
  await open.close();
});

/** Runs a job on wasm with one thread; `onReport` may cancel it. */
async function run(kind: string, params: Record<string, unknown>, onReport?: (r: ProjectJobReport, job: ReturnType<typeof startJob>) => void) {
  const messages: FromWorker[] = [];
  const spec: JobSpec = { kind, params: { projectDir, ...params }, backend: 'wasm', threads: 1 };
  const job: ReturnType<typeof startJob> = startJob(spec, (m) => {
    messages.push(m);
    if (m.type === 'report') onReport?.(m.data as ProjectJobReport, job);
  });
  const end = await job.done;
  const reports = messages.filter((m) => m.type === 'report').map((m) => (m as { data: ProjectJobReport }).data);
  const runEvents = reports.filter((r) => r.type === 'run').map((r) => r.progress as RunProgress);
  const progress = messages.filter((m): m is ProgressMessage => m.type === 'progress');
  return { end, messages, runEvents, progress };
}

function result<T>(end: FromWorker): T {
  if (end.type !== 'finished') throw new Error(`job ended with ${end.type}: ${end.type === 'failed' ? end.message : ''}`);
  return (end as FinishedMessage).result as T;
}

describe('project jobs in a worker thread', () => {
  let sdeRunId = 0;

  it('train-sde trains to the end, reporting every step and the phases of the run', async () => {
    const r = await run('train-sde', { settings: { ...tiny, batchSize: 2, steps: 6 }, checkpointEvery: 100 });
    const out = result<TrainJobResult>(r.end);
    expect(out).toMatchObject({ kind: 'sde', status: 'done', step: 6, resumedFrom: null, error: null });
    expect(out.metrics).toMatchObject({ absRel: expect.any(Number), rmse: expect.any(Number) });
    sdeRunId = out.runId;
    expect(r.progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const p of r.progress) expect(Number.isFinite(p.loss)).toBe(true);
    const phases = [...new Set(r.runEvents.map((e) => e.phase))];
    expect(phases).toEqual(['training', 'evaluating', 'saving', 'done']);
    const training = r.runEvents.filter((e) => e.phase === 'training');
    expect(training.every((e) => e.runId === out.runId && e.totalSteps === 6)).toBe(true);
    expect(training.at(-1)!.etaSeconds).toBe(0);
    const p = await openProject(projectDir);
    expect((await getRun(p.store, out.runId)).status).toBe('done');
    await p.close();
  }, 120_000);

  it('train-seg pauses on cancel with a checkpoint, and a resume job (the run id) continues it from that step', async () => {
    const settings = { ...tiny, mode: 'multitask', mix: 'depthmix', steps: 400, sdeRunId };
    const first = await run('train-seg', { settings }, (e, job) => {
      if (e.type === 'run' && e.progress.phase === 'training' && e.progress.step === 2) job.cancel();
    });
    const a = result<TrainJobResult>(first.end);
    expect((first.end as FinishedMessage).cancelled).toBe(true);
    expect(a.status).toBe('paused');
    // The cancel arrives while the loop never yields to the event loop: it stops within a few steps.
    expect(a.step).toBeGreaterThanOrEqual(2);
    expect(a.step).toBeLessThan(20);
    expect(first.runEvents.at(-1)).toMatchObject({ phase: 'paused', step: a.step });
    const p = await openProject(projectDir);
    try {
      expect(await getRun(p.store, a.runId)).toMatchObject({ status: 'paused', kind: 'seg', mode: 'multitask', parentRunId: sdeRunId });
      expect((await latestCheckpoint(p.store, a.runId))!.step).toBe(a.step);

      const second = await run('train-seg', { resume: a.runId }, (e, job) => {
        if (e.type === 'run' && e.progress.phase === 'training' && e.progress.step === a.step + 2) job.cancel();
      });
      const b = result<TrainJobResult>(second.end);
      expect(b).toMatchObject({ runId: a.runId, status: 'paused', resumedFrom: a.step });
      expect(second.runEvents[0]).toMatchObject({ phase: 'loading', step: a.step, resumingFrom: a.step, message: `resuming from step ${a.step}` });
      expect(second.runEvents.find((e) => e.phase === 'training')!.step).toBe(a.step + 1);
      expect(b.step).toBeGreaterThan(a.step);
      // One loss per step, with no gap or repeat across the pause.
      const steps = (await metricHistory(p.store, a.runId, 'loss')).map((m) => m.step);
      expect(steps).toEqual(Array.from({ length: b.step }, (_, i) => i + 1));
      expect((await getRun(p.store, a.runId)).status).toBe('paused');
    } finally {
      await p.close();
    }
  }, 180_000);

  it('select-round proposes frames and stores the round; bad settings fail with the reason', async () => {
    // 3 train keyframes, 2 of them labelled: one left to propose.
    const r = await run('select-round', { budget: 2, method: 'ds' });
    const out = result<SelectJobResult>(r.end);
    expect(out).toMatchObject({ method: 'ds', basis: 'diversity', frames: 3, selectedBefore: 2 });
    expect(out.picks).toHaveLength(1);
    expect(r.messages.some((m) => m.type === 'report' && (m.data as ProjectJobReport).type === 'selection')).toBe(true);
    const p = await openProject(projectDir);
    expect((await listSelectionRounds(p.store, p.project.id)).map((x) => x.id)).toContain(out.roundId);
    await p.close();

    const bad = await run('train-sde', { settings: { ...tiny, steps: 0 } });
    expect(bad.end.type).toBe('failed');
    expect(bad.end.type === 'failed' && bad.end.message).toMatch(/SDE training settings: steps/);
    const noProject = await run('train-seg', { projectDir: temp('empty'), settings: {} });
    expect(noProject.end.type === 'failed' && noProject.end.message).toMatch(/is not a DepthSeg project/);
  }, 180_000);
});
