/**
 * The API's training calls on a real project (synthetic street data, tiny nets at 32x64, jobs
 * in worker threads on wasm): clear refusals (no SDE model yet, a second job, a run that is not
 * paused), live progress events, cancel pauses and resume continues the same run, the run list
 * and curves from the store, retrain with the defaults from the SDE run, and "suggest N more".
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateCall, type TrainingJobInfo } from '../../src/core/api/contract';
import { createService } from '../../src/core/api/service';
import { thin } from '../../src/core/api/trainingService';
import { latestModel } from '../../src/core/project/projectModels';
import { importLabels } from '../../src/core/project/importLabels';
import { openProject } from '../../src/core/project/openProject';
import { defaultsOf, SEG_SETTINGS } from '../../src/core/settings';
import { createRun, listFrames, setMaskStatus, setRunStatus, type JsonObject } from '../../src/core/store';
import { freshDirs } from '../data/fixtures';

const dirs = freshDirs();
const tiny = { net: 'tiny' as const, height: 32, width: 64 };

describe('training through the API', () => {
  const events: TrainingJobInfo[] = [];
  const waiters: { test: (e: TrainingJobInfo) => boolean; ok: (e: TrainingJobInfo) => void }[] = [];
  const service = createService('host', {
    version: '1.0.0',
    recentFile: join(dirs('train-config'), 'recent.json'),
    emit: (event, payload) => {
      if (event !== 'training.progress') return;
      const e = payload as TrainingJobInfo;
      events.push(e);
      for (const w of [...waiters]) {
        if (w.test(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.ok(e);
        }
      }
    },
    jobs: { backend: 'wasm', threads: 1 },
  });
  const eventWhere = (test: (e: TrainingJobInfo) => boolean): Promise<TrainingJobInfo> =>
    new Promise((ok) => {
      const seen = events.find(test);
      if (seen) ok(seen);
      else waiters.push({ test, ok });
    });
  let projectDir = '';
  let pid = 0;

  beforeAll(async () => {
    projectDir = join(dirs('train-project'), 'proj');
    pid = (await service.projectCreate({ dir: projectDir, synthetic: { sequences: 4, height: 32, width: 64, seed: 5 } })).projectId;
    const p = await openProject(projectDir);
    const keys = await listFrames(p.store, { split: 'train', keyframesOnly: true });
    await importLabels(p, { frameIds: keys.slice(0, 2).map((f) => f.id) });
    await p.close();
  });

  it('checks settings at the boundary and says what is missing before a retrain can start', async () => {
    expect(() => validateCall('trainingStartSeg', { projectId: pid, settings: { height: 40 } })).toThrow(/settings\.height: must be a multiple of 16/);
    expect(() => validateCall('trainingStartSde', { projectId: pid, settings: { net: 'huge' } })).toThrow(/settings\.net: must be one of tiny, small, reference/);
    expect(() => validateCall('trainingStartSde', { projectId: pid, settings: { steps: -5 } })).toThrow(/settings\.steps: must be at least 1/);
    expect(() => validateCall('trainingStartSeg', { projectId: pid, settings: { sdeCheckpoint: '/elsewhere' } })).toThrow(/settings: Unrecognized key/);
    expect(() => validateCall('trainingStartSde', { projectId: pid, settings: {}, restart: true })).toThrow(/Unrecognized key/);
    expect(() => validateCall('selectionSuggest', { projectId: pid, budget: 0 })).toThrow(/budget/);
    const d = await service.trainingDefaults({ projectId: pid });
    // The defaults are the declared ones, complete; with no SDE model yet, Retrain trains from scratch and says why.
    const { sdeCheckpoint: _c, ...segDefaults } = defaultsOf(SEG_SETTINGS);
    expect(segDefaults.mode).toBe('transfer');
    expect(d.seg).toEqual({ ...segDefaults, mode: 'scratch', sdeRunId: null });
    expect(d.segNote).toMatch(/no SDE model yet, so the default transfer became scratch/);
    expect(d.sdeUnavailable).toBeNull();
    expect(d.sde).toMatchObject({ net: 'small', height: 128, width: 256, steps: 2000, lr: 2e-4, poseLrScale: 10, frameGap: 1 });
    expect(d.labelledFrames).toBe(2);
    await expect(service.trainingStartSeg({ projectId: pid, settings: { mode: 'transfer' } })).rejects.toThrow(/no finished SDE run yet: run the SDE pretraining first/);
    expect(await service.trainingStatus({ projectId: pid })).toEqual({ job: null, last: null });
    expect(await service.trainingCancel({ projectId: pid })).toEqual({ cancelled: false });
  });

  let pausedRun = 0;
  let pausedAt = 0;

  it('runs SDE pretraining in the background with live progress; a second job is refused; cancel pauses it', async () => {
    const job = await service.trainingStartSde({ projectId: pid, settings: { ...tiny, batchSize: 2, steps: 500 } });
    expect(job).toMatchObject({ kind: 'sde', state: 'starting', totalSteps: 500, runId: null });
    expect(job.settings).toMatchObject({ ...tiny, steps: 500, batchSize: 2, lr: 2e-4 });
    await expect(service.trainingStartSde({ projectId: pid, settings: tiny })).rejects.toThrow(/SDE pretraining .*is running: wait for it to finish or cancel it first/);
    await expect(service.selectionSuggest({ projectId: pid, budget: 1 })).rejects.toThrow(/one job at a time/);

    const live = await eventWhere((e) => e.jobId === job.jobId && e.phase === 'training' && e.step >= 2);
    expect(live).toMatchObject({ state: 'running', backend: 'wasm', totalSteps: 500 });
    expect(live.runId).toBeGreaterThan(0);
    expect(live.loss).toEqual(expect.any(Number));
    expect(live.etaSeconds).toBeGreaterThan(0);
    const runs = await service.trainingRuns({ projectId: pid });
    expect(runs.find((r) => r.id === live.runId)).toMatchObject({ status: 'running', active: true, kind: 'sde' });

    expect(await service.trainingCancel({ projectId: pid })).toEqual({ cancelled: true });
    expect((await service.trainingStatus({ projectId: pid })).job?.state).toBe('stopping');
    await service.jobs.idle();
    const st = await service.trainingStatus({ projectId: pid });
    expect(st.job).toBeNull();
    expect(st.last).toMatchObject({ jobId: job.jobId, state: 'paused', runId: live.runId });
    expect(st.last!.step).toBeLessThan(50);
    pausedRun = live.runId!;
    pausedAt = st.last!.step;
    const run = (await service.trainingRuns({ projectId: pid })).find((r) => r.id === pausedRun)!;
    expect(run).toMatchObject({ status: 'paused', resumable: true, active: false, step: pausedAt, checkpointStep: pausedAt, totalSteps: 500 });
    expect(run.loss).toEqual(expect.any(Number));
  }, 120_000);

  it('resumes the paused run by its id where it stopped, with the settings it stored; its loss curve has one point per step', async () => {
    const job = await service.trainingResume({ projectId: pid, runId: pausedRun });
    expect(job.settings).toMatchObject({ ...tiny, steps: 500, batchSize: 2 });
    const moved = await eventWhere((e) => e.jobId === job.jobId && e.phase === 'training' && e.step >= pausedAt + 2);
    expect(moved).toMatchObject({ runId: pausedRun, resumedFrom: pausedAt });
    service.trainingCancel({ projectId: pid });
    await service.jobs.idle();
    const last = (await service.trainingStatus({ projectId: pid })).last!;
    expect(last).toMatchObject({ state: 'paused', runId: pausedRun, resumedFrom: pausedAt });
    const h = await service.trainingHistory({ projectId: pid, runId: pausedRun });
    const loss = h.series.find((s) => s.name === 'loss')!;
    expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: last.step }, (_, i) => i + 1));
    expect(h).toMatchObject({ kind: 'sde', totalSteps: 500 });
    await expect(service.trainingResume({ projectId: pid, runId: 999 })).rejects.toThrow(/no training run 999/);
  }, 120_000);

  it('a new start with the same settings is a new run: the paused one waits for its own resume', async () => {
    const again = await service.trainingStartSde({ projectId: pid, settings: { ...tiny, batchSize: 2, steps: 1 } });
    await service.jobs.idle();
    const last = (await service.trainingStatus({ projectId: pid })).last!;
    expect(last).toMatchObject({ jobId: again.jobId, state: 'done' });
    expect(last.runId).not.toBe(pausedRun);
    expect((await service.trainingRuns({ projectId: pid })).find((r) => r.id === pausedRun)).toMatchObject({ status: 'paused', resumable: true });
  }, 120_000);

  it('retrains with the defaults (transfer from the newest SDE run) and shows its mIoU; suggests more frames', async () => {
    const sde = await service.trainingStartSde({ projectId: pid, settings: { ...tiny, batchSize: 2, steps: 3 } });
    await service.jobs.idle();
    const sdeDone = (await service.trainingStatus({ projectId: pid })).last!;
    expect(sdeDone).toMatchObject({ jobId: sde.jobId, state: 'done', step: 3 });
    expect(sdeDone.runId).not.toBe(pausedRun); // other settings: a new run
    await expect(service.trainingResume({ projectId: pid, runId: sdeDone.runId! })).rejects.toThrow(/is done: only a paused run can be resumed/);

    const d = await service.trainingDefaults({ projectId: pid });
    expect(d.seg).toMatchObject({ sdeRunId: sdeDone.runId, mode: 'transfer', ...tiny });
    expect(d.segNote).toBeNull();
    // "Retrain" in the app, cancelled after its first step, then resumed by its id: it continues.
    const seg = await service.trainingStartSeg({ projectId: pid, settings: { steps: 4, labelledBatch: 1, unlabelledBatch: 1 } });
    expect(seg.settings).toMatchObject({ mode: 'transfer', mix: 'none', ...tiny, sdeRunId: sdeDone.runId, steps: 4 });
    const first = await eventWhere((e) => e.jobId === seg.jobId && e.phase === 'training' && e.step >= 1);
    await service.trainingCancel({ projectId: pid });
    await service.jobs.idle();
    const paused = (await service.trainingStatus({ projectId: pid })).last!;
    expect(paused).toMatchObject({ kind: 'seg', state: 'paused', runId: first.runId });
    const resumed = await service.trainingResume({ projectId: pid, runId: first.runId! });
    expect(resumed.settings).toMatchObject({ mode: 'transfer', mix: 'none', steps: 4, sdeRunId: sdeDone.runId });
    await service.jobs.idle();
    const done = (await service.trainingStatus({ projectId: pid })).last!;
    expect(done).toMatchObject({ kind: 'seg', state: 'done', step: 4, error: null, runId: first.runId, resumedFrom: paused.step });
    expect(done.metrics!['miou']).toBeGreaterThanOrEqual(0);
    expect(await service.trainingCancel({ projectId: pid })).toEqual({ cancelled: false });
    const run = (await service.trainingRuns({ projectId: pid })).find((r) => r.id === done.runId)!;
    expect(run).toMatchObject({ kind: 'seg', mode: 'transfer', status: 'done', parentRunId: sdeDone.runId, resumable: false });
    expect(run.metrics['miou']).toBe(done.metrics!['miou']);
    const h = await service.trainingHistory({ projectId: pid, runId: done.runId! });
    expect(h.series.map((s) => s.name)).toEqual(expect.arrayContaining(['loss', 'lr', 'val/miou']));
    expect(events.some((e) => e.jobId === resumed.jobId && e.phase === 'evaluating')).toBe(true);

    const before = (await service.frameList({ projectId: pid })).filter((f) => f.source === 'suggested').length;
    const pick = await service.selectionSuggest({ projectId: pid, budget: 1, method: 'ds' });
    expect(pick).toMatchObject({ kind: 'select', state: 'starting', settings: { budget: 1, method: 'ds' } });
    await service.jobs.idle();
    const round = (await service.trainingStatus({ projectId: pid })).last!;
    expect(round).toMatchObject({ kind: 'select', state: 'done', selection: { method: 'ds', picks: 1 } });
    expect((await service.frameList({ projectId: pid })).filter((f) => f.source === 'suggested').length).toBe(before + 1);
    await expect(service.selectionSuggest({ projectId: pid, budget: 1, method: 'ds' })).resolves.toBeTruthy();
    await service.jobs.idle();
    expect((await service.trainingStatus({ projectId: pid })).last).toMatchObject({ state: 'failed', error: expect.stringMatching(/no frames left to select/) });
  }, 240_000);

  it('resumes by id a run stored by an older version (fewer settings): the missing ones are the declared defaults; refuses one whose frames changed', async () => {
    const p = await openProject(projectDir);
    let legacyId = 0;
    let changedId = 0;
    try {
      const sdeRun = (await latestModel(p.store, p.project.id, 'sde'))!.run;
      // As an SDE run was stored before lrDecayAt, jitter, flip and poseLrScale were settings.
      const { lrDecayAt: _a, jitter: _b, flip: _c, poseLrScale: _d, ...older } = sdeRun.config as Record<string, unknown>;
      const legacy = await createRun(p.store, { projectId: p.project.id, kind: 'sde', config: { ...older, steps: 1 } as JsonObject });
      await setRunStatus(p.store, legacy.id, 'paused');
      legacyId = legacy.id;
      // A segmentation run that started on frames, one of which is no longer done.
      const frames = await listFrames(p.store, { split: 'train', keyframesOnly: true });
      const changed = await createRun(p.store, { projectId: p.project.id, kind: 'seg', mode: 'scratch', config: { mode: 'scratch', mix: 'none', ...tiny, steps: 1, labelledFrames: 2 } });
      await setRunStatus(p.store, changed.id, 'paused');
      changedId = changed.id;
      await setMaskStatus(p.store, frames[0]!.id, 'skipped');
    } finally {
      await p.close();
    }
    await expect(service.trainingResume({ projectId: pid, runId: changedId })).rejects.toThrow(
      `run #${changedId} started on 2 labelled frames and 1 are labelled now: it cannot continue on other labels; start a new run`,
    );
    const job = await service.trainingResume({ projectId: pid, runId: legacyId });
    await service.jobs.idle();
    expect((await service.trainingStatus({ projectId: pid })).last).toMatchObject({ jobId: job.jobId, state: 'done', runId: legacyId, step: 1 });
  }, 120_000);

  it('thins long curves into means of consecutive points, keeping the last step', () => {
    const pts = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, value: i }));
    expect(thin(pts, 20)).toBe(pts);
    expect(thin(pts, 4)).toEqual([
      { step: 3, value: 1 },
      { step: 6, value: 4 },
      { step: 9, value: 7 },
      { step: 10, value: 9 },
    ]);
  });
});
