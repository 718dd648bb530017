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
import { resumeSettings } from '../../src/core/api/trainingSettings';
import { latestModel } from '../../src/core/project/projectModels';
import { segRunSettings } from '../../src/core/project/trainSeg';
import { importLabels } from '../../src/core/project/importLabels';
import { openProject } from '../../src/core/project/openProject';
import { createRun, getRun, listFrames, setRunStatus, type JsonObject } from '../../src/core/store';
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

  beforeAll(async () => {
    projectDir = join(dirs('train-project'), 'proj');
    await service.projectCreate({ dir: projectDir, synthetic: { sequences: 4, height: 32, width: 64, seed: 5 } });
    const p = openProject(projectDir);
    const keys = listFrames(p.store, { split: 'train', keyframesOnly: true });
    await importLabels(p, { frameIds: keys.slice(0, 2).map((f) => f.id) });
    p.close();
  });

  it('checks settings at the boundary and says what is missing before a retrain can start', async () => {
    expect(() => validateCall('trainingStartSeg', { settings: { height: 40 } })).toThrow(/settings\.height: must be a multiple of 16/);
    expect(() => validateCall('trainingStartSde', { settings: { net: 'huge' } })).toThrow(/settings\.net/);
    expect(() => validateCall('selectionSuggest', { budget: 0 })).toThrow(/budget/);
    const d = await service.trainingDefaults({});
    expect(d.sde).toMatchObject({ net: 'small', height: 128, width: 256, steps: 2000 });
    expect(d.seg).toMatchObject({ mode: 'multitask', mix: 'depthmix', sdeRunId: null });
    expect(d.labelledFrames).toBe(2);
    await expect(service.trainingStartSeg({ settings: {} })).rejects.toThrow(/no finished SDE run yet: run the SDE pretraining first/);
    expect(await service.trainingStatus({})).toEqual({ job: null, last: null });
    expect(await service.trainingCancel({})).toEqual({ cancelled: false });
  });

  let pausedRun = 0;
  let pausedAt = 0;

  it('runs SDE pretraining in the background with live progress; a second job is refused; cancel pauses it', async () => {
    const job = await service.trainingStartSde({ settings: { ...tiny, batchSize: 2, steps: 500 } });
    expect(job).toMatchObject({ kind: 'sde', state: 'starting', totalSteps: 500, runId: null });
    expect(job.settings).toMatchObject({ ...tiny, steps: 500, batchSize: 2, lr: 2e-4 });
    await expect(service.trainingStartSde({ settings: tiny })).rejects.toThrow(/SDE pretraining .*is running: wait for it to finish or cancel it first/);
    await expect(service.selectionSuggest({ budget: 1 })).rejects.toThrow(/one job at a time/);

    const live = await eventWhere((e) => e.jobId === job.jobId && e.phase === 'training' && e.step >= 2);
    expect(live).toMatchObject({ state: 'running', backend: 'wasm', totalSteps: 500 });
    expect(live.runId).toBeGreaterThan(0);
    expect(live.loss).toEqual(expect.any(Number));
    expect(live.etaSeconds).toBeGreaterThan(0);
    const runs = await service.trainingRuns({});
    expect(runs.find((r) => r.id === live.runId)).toMatchObject({ status: 'running', active: true, kind: 'sde' });

    expect(await service.trainingCancel({})).toEqual({ cancelled: true });
    expect((await service.trainingStatus({})).job?.state).toBe('stopping');
    await service.jobs.idle();
    const st = await service.trainingStatus({});
    expect(st.job).toBeNull();
    expect(st.last).toMatchObject({ jobId: job.jobId, state: 'paused', runId: live.runId });
    expect(st.last!.step).toBeLessThan(50);
    pausedRun = live.runId!;
    pausedAt = st.last!.step;
    const run = (await service.trainingRuns({})).find((r) => r.id === pausedRun)!;
    expect(run).toMatchObject({ status: 'paused', resumable: true, active: false, step: pausedAt, checkpointStep: pausedAt, totalSteps: 500 });
    expect(run.loss).toEqual(expect.any(Number));
  }, 120_000);

  it('resumes the paused run where it stopped; its loss curve has one point per step', async () => {
    const job = await service.trainingResume({ runId: pausedRun });
    expect(job.settings).toMatchObject({ ...tiny, steps: 500 });
    const moved = await eventWhere((e) => e.jobId === job.jobId && e.phase === 'training' && e.step >= pausedAt + 2);
    expect(moved).toMatchObject({ runId: pausedRun, resumedFrom: pausedAt });
    service.trainingCancel({});
    await service.jobs.idle();
    const last = (await service.trainingStatus({})).last!;
    expect(last).toMatchObject({ state: 'paused', runId: pausedRun, resumedFrom: pausedAt });
    const h = await service.trainingHistory({ runId: pausedRun });
    const loss = h.series.find((s) => s.name === 'loss')!;
    expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: last.step }, (_, i) => i + 1));
    expect(h).toMatchObject({ kind: 'sde', totalSteps: 500 });
    await expect(service.trainingResume({ runId: 999 })).rejects.toThrow(/no training run 999/);
  }, 120_000);

  it('retrains with multi-task DepthMix from the newest SDE run and shows its mIoU; suggests more frames', async () => {
    const sde = await service.trainingStartSde({ settings: { ...tiny, batchSize: 2, steps: 3 } });
    await service.jobs.idle();
    const sdeDone = (await service.trainingStatus({})).last!;
    expect(sdeDone).toMatchObject({ jobId: sde.jobId, state: 'done', step: 3 });
    expect(sdeDone.runId).not.toBe(pausedRun); // other settings: a new run
    await expect(service.trainingResume({ runId: sdeDone.runId! })).rejects.toThrow(/is done: only a paused run can be resumed/);

    const d = await service.trainingDefaults({});
    expect(d.seg).toMatchObject({ sdeRunId: sdeDone.runId, ...tiny });
    const seg = await service.trainingStartSeg({ settings: { steps: 2 } });
    expect(seg.settings).toMatchObject({ mode: 'multitask', mix: 'depthmix', ...tiny, sdeRunId: sdeDone.runId, steps: 2 });
    await service.jobs.idle();
    const done = (await service.trainingStatus({})).last!;
    expect(done).toMatchObject({ kind: 'seg', state: 'done', step: 2, error: null });
    expect(done.metrics!['miou']).toBeGreaterThanOrEqual(0);
    const run = (await service.trainingRuns({})).find((r) => r.id === done.runId)!;
    expect(run).toMatchObject({ kind: 'seg', mode: 'multitask', status: 'done', parentRunId: sdeDone.runId, resumable: false });
    expect(run.metrics['miou']).toBe(done.metrics!['miou']);
    const h = await service.trainingHistory({ runId: done.runId! });
    expect(h.series.map((s) => s.name)).toEqual(expect.arrayContaining(['loss', 'lr', 'val/miou']));
    expect(events.some((e) => e.jobId === seg.jobId && e.phase === 'evaluating')).toBe(true);

    const before = (await service.frameList({})).filter((f) => f.source === 'suggested').length;
    const pick = await service.selectionSuggest({ budget: 1, method: 'ds' });
    expect(pick).toMatchObject({ kind: 'select', state: 'starting', settings: { budget: 1, method: 'ds' } });
    await service.jobs.idle();
    const round = (await service.trainingStatus({})).last!;
    expect(round).toMatchObject({ kind: 'select', state: 'done', selection: { method: 'ds', picks: 1 } });
    expect((await service.frameList({})).filter((f) => f.source === 'suggested').length).toBe(before + 1);
    await expect(service.selectionSuggest({ budget: 1, method: 'ds' })).resolves.toBeTruthy();
    await service.jobs.idle();
    expect((await service.trainingStatus({})).last).toMatchObject({ state: 'failed', error: expect.stringMatching(/no frames left to select/) });
  }, 240_000);

  it('finds the settings that continue a paused run, also one started from the CLI with the defaults left out', async () => {
    const p = openProject(projectDir);
    try {
      const sdeRun = latestModel(p.store, p.project.id, 'sde')!.run;
      // As trainSeg records a run whose net, size and SDE run were left to the defaults: they come last.
      const parsed = segRunSettings.parse({ mode: 'multitask', steps: 7 });
      const c = sdeRun.config as { net: string; height: number; width: number };
      const config = { ...parsed, net: c.net, height: c.height, width: c.width, sdeRunId: sdeRun.id, labelledFrames: 2 };
      const cli = createRun(p.store, { projectId: p.project.id, kind: 'seg', mode: 'multitask', config });
      setRunStatus(p.store, cli.id, 'paused');
      const raw = resumeSettings(p, getRun(p.store, cli.id));
      expect(Object.keys(raw).sort()).toEqual(Object.keys(parsed).sort());
      // A newer paused run with the same settings is the one the core would continue.
      const twin = createRun(p.store, { projectId: p.project.id, kind: 'seg', mode: 'multitask', config });
      setRunStatus(p.store, twin.id, 'paused');
      expect(() => resumeSettings(p, getRun(p.store, cli.id))).toThrow(new RegExp(`run #${twin.id} has the same settings and paused later`));
      expect(Object.keys(resumeSettings(p, getRun(p.store, twin.id)))).toHaveLength(Object.keys(parsed).length);
      // Other labels since the pause: a new run is needed.
      const old = createRun(p.store, { projectId: p.project.id, kind: 'seg', mode: 'multitask', config: { ...config, labelledFrames: 1 } });
      setRunStatus(p.store, old.id, 'paused');
      expect(() => resumeSettings(p, getRun(p.store, old.id))).toThrow(/paused while 1 frames were labelled and 2 are now/);
      // An SDE run recorded before a setting existed cannot be given the same settings again.
      const { poseLrScale: _gone, ...older } = sdeRun.config as Record<string, unknown>;
      const legacy = createRun(p.store, { projectId: p.project.id, kind: 'sde', config: older as JsonObject });
      setRunStatus(p.store, legacy.id, 'paused');
      expect(() => resumeSettings(p, getRun(p.store, legacy.id))).toThrow(/cannot continue from here/);
      for (const id of [cli.id, twin.id, old.id, legacy.id]) setRunStatus(p.store, id, 'cancelled');
    } finally {
      p.close();
    }
  });

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
