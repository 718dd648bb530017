/**
 * The training job queue (jobRepo.ts) on both engines, with separate connections standing in
 * for workers on other machines: concurrent claims never hand one job to two workers (SKIP
 * LOCKED on PostgreSQL), one job runs per project, a job whose heartbeat went silent is taken
 * over and its old holder is told, attempts run out with the reason kept, and a cancel ends a
 * queued job at once and flags a running one. And a run a worker on another machine drives is
 * never judged dead here by its pid.
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { reclaimStaleRuns } from '../../src/core/project/runLoop';
import { CITYSCAPES_LABEL_SET } from '../../src/core/labels';
import {
  claimJob,
  createProject,
  createRun,
  endJob,
  enqueueJob,
  getJob,
  getRun,
  heartbeatJob,
  listJobs,
  openProjectStore,
  recentWorkers,
  releaseJob,
  requestJobCancel,
  seeWorker,
  setJobRun,
  setRunProgress,
  setRunStatus,
  type ProjectStore,
} from '../../src/core/store';
import { storeEngines } from './storeEngines';
import { tempFolder } from './tempProject';

const folder = tempFolder('jobs');
const engines = storeEngines();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(engines)('the training job queue on $name', (engine) => {
  async function withWorkers(n: number, fn: (main: ProjectStore, workers: ProjectStore[]) => Promise<void>): Promise<void> {
    const dir = folder.projectDir();
    const main = await engine.create(dir);
    const workers = await Promise.all(Array.from({ length: n }, () => openProjectStore(dir, { create: false })));
    try {
      await fn(main, workers);
    } finally {
      for (const w of workers) await w.close();
      await main.close();
    }
  }

  // Only PostgreSQL serves workers (SQLite connections of one thread cannot wait for each other's locks).
  it.runIf(engine.name === 'postgres')('workers claiming at once never take the same job, and one job runs per project', async () => {
    await withWorkers(4, async (main, workers) => {
      const projects = [];
      for (let i = 0; i < 6; i++) projects.push(await createProject(main, { name: `p${i}`, labelSet: CITYSCAPES_LABEL_SET }));
      // Two jobs per project: only one of each may run at a time.
      for (const p of projects) for (let k = 0; k < 2; k++) await enqueueJob(main, { projectId: p.id, kind: 'seg', settings: { steps: 3 } });
      const claimed = await Promise.all(
        workers.map(async (w, i) => {
          const got = [];
          for (let round = 0; round < 4; round++) {
            const j = await claimJob(w, `w${i}`, 30);
            if (j) got.push(j);
          }
          return got;
        }),
      );
      const ids = claimed.flat().map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      // One per project: the second job of each waits for the first.
      expect(ids.length).toBe(projects.length);
      const byProject = new Map<number, number>();
      for (const j of claimed.flat()) byProject.set(j.projectId, (byProject.get(j.projectId) ?? 0) + 1);
      expect([...byProject.values()].every((n) => n === 1)).toBe(true);
      for (const [i, got] of claimed.entries()) for (const j of got) expect((await getJob(main, j.id)).worker).toBe(`w${i}`);

      // Once a project's job ends, its next one is claimable.
      const first = claimed.flat()[0]!;
      const holder = `w${claimed.findIndex((g) => g.includes(first))}`;
      expect(await endJob(main, first.id, holder, 'done')).toBe(true);
      const next = await claimJob(workers[0]!, 'w0', 30);
      expect(next?.projectId).toBe(first.projectId);
      expect(next?.id).not.toBe(first.id);
    });
  });

  it('a job whose heartbeat went silent is taken over; its old worker is told and can no longer end it', async () => {
    await withWorkers(2, async (main, [w1, w2]) => {
      const p = await createProject(main, { name: 'p', labelSet: CITYSCAPES_LABEL_SET });
      const job = await enqueueJob(main, { projectId: p.id, kind: 'seg' });
      const a = await claimJob(w1!, 'one', 30);
      expect(a).toMatchObject({ id: job.id, state: 'running', worker: 'one', attempts: 1 });
      expect(await heartbeatJob(w1!, job.id, 'one')).toEqual({ held: true, cancelRequested: false });
      // Fresh heartbeat: nothing to take.
      expect(await claimJob(w2!, 'two', 30)).toBeUndefined();
      await sleep(500);
      // Silent for longer than 0.3 s: a worker that waits 0.3 s takes it, as attempt 2.
      const b = await claimJob(w2!, 'two', 0.3);
      expect(b).toMatchObject({ id: job.id, state: 'running', worker: 'two', attempts: 2 });
      expect(await heartbeatJob(w1!, job.id, 'one')).toEqual({ held: false, cancelRequested: false });
      expect(await endJob(w1!, job.id, 'one', 'done')).toBe(false);
      // Stopping cleanly gives the claim back without spending an attempt.
      expect(await releaseJob(w2!, job.id, 'two')).toBe(true);
      expect(await getJob(main, job.id)).toMatchObject({ state: 'queued', attempts: 1, heartbeatAt: null });
    });
  });

  it('a job whose workers keep dying fails after its attempts, saying why; its run pauses for a later resume', async () => {
    await withWorkers(1, async (main, [w]) => {
      const p = await createProject(main, { name: 'p', labelSet: CITYSCAPES_LABEL_SET });
      const run = await createRun(main, { projectId: p.id, kind: 'seg', config: { steps: 3 } });
      const job = await enqueueJob(main, { projectId: p.id, kind: 'seg', maxAttempts: 1 });
      expect(await claimJob(w!, 'gpu-box:41', 30)).toMatchObject({ id: job.id });
      await setJobRun(w!, job.id, run.id);
      await setRunStatus(w!, run.id, 'running');
      await sleep(500);
      expect(await claimJob(w!, 'cpu-box:7', 0.3)).toBeUndefined();
      const failed = await getJob(main, job.id);
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatch(/its worker stopped answering 1 time\(s\) \(gpu-box:41 last\)/);
      expect(failed.finishedAt).not.toBeNull();
      expect((await getRun(main, run.id)).status).toBe('paused');
    });
  });

  it("a run driven on another machine is never taken back from here by its pid; one of this machine's dead process is", async () => {
    await withWorkers(0, async (main) => {
      const p = await createProject(main, { name: 'p', labelSet: CITYSCAPES_LABEL_SET });
      const elsewhere = await createRun(main, { projectId: p.id, kind: 'seg' });
      await setRunStatus(main, elsewhere.id, 'running');
      // A pid no process here has: on its own machine that worker may well be alive.
      await setRunProgress(main, elsewhere.id, { pid: 2 ** 22 + 17, host: 'gpu-box-elsewhere', step: 3 });
      expect(await reclaimStaleRuns(main, p.id)).toEqual([]);
      expect((await getRun(main, elsewhere.id)).status).toBe('running');
      await setRunProgress(main, elsewhere.id, { pid: 2 ** 22 + 17, host: hostname(), step: 3 });
      expect(await reclaimStaleRuns(main, p.id)).toEqual([elsewhere.id]);
      expect((await getRun(main, elsewhere.id)).status).toBe('paused');
    });
  });

  it('cancel ends a queued job at once and flags a running one for its worker; workers seen are listed', async () => {
    await withWorkers(1, async (main, [w]) => {
      const p = await createProject(main, { name: 'p', labelSet: CITYSCAPES_LABEL_SET });
      const queued = await enqueueJob(main, { projectId: p.id, kind: 'sde' });
      expect(await requestJobCancel(main, queued.id, 30)).toMatchObject({ state: 'cancelled', cancelRequested: true });
      const running = await enqueueJob(main, { projectId: p.id, kind: 'seg' });
      expect(await claimJob(w!, 'one', 30)).toMatchObject({ id: running.id });
      expect(await requestJobCancel(main, running.id, 30)).toMatchObject({ state: 'running', cancelRequested: true });
      expect(await heartbeatJob(w!, running.id, 'one')).toEqual({ held: true, cancelRequested: true });
      expect(await endJob(w!, running.id, 'one', 'cancelled')).toBe(true);
      expect((await listJobs(main, p.id)).map((j) => j.state)).toEqual(['cancelled', 'cancelled']);

      expect(await recentWorkers(main, 30)).toEqual([]);
      await seeWorker(w!, { name: 'one', host: 'gpu-box', engine: 'node-gpu' });
      expect(await recentWorkers(main, 30)).toEqual([{ name: 'one', host: 'gpu-box', engine: 'node-gpu', lastSeen: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }]);
      await sleep(500);
      expect(await recentWorkers(main, 0.3)).toEqual([]);
    });
  });
});
