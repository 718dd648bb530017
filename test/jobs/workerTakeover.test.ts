/**
 * Training on other machines (issue 20, points 4 and 5), end to end on a real PostgreSQL
 * server the test starts and real `depthseg worker` processes: the app's Retrain on a team
 * project queues a job and says no worker is there; worker 1 takes it and trains, the app
 * shows it running on that worker; worker 1 is killed with SIGKILL mid-training; worker 2
 * takes the job over once its heartbeat is stale, continues the run from its newest
 * checkpoint (so at most the steps since that checkpoint are lost), and finishes it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainingJobInfo } from '../../src/core/api/contract';
import { createService } from '../../src/core/api/service';
import { importLabels } from '../../src/core/project/importLabels';
import { initProject } from '../../src/core/project/initProject';
import { generateSynthDataset } from '../../src/core/synth';
import { runQueueWorker } from '../../src/core/jobs/queueWorker';
import type { OpenProject } from '../../src/core/project/openProject';
import { resolveSegSettings } from '../../src/core/project/trainSeg';
import { enqueueJob, getJob, getRun, latestCheckpoint, listFrames, listJobs, metricHistory, openProjectStore, requestJobCancel, type JsonObject } from '../../src/core/store';
import { spawnCli } from '../cli/spawnCli';
import { freshDirs } from '../data/fixtures';
import { postgresMissing, usePostgres } from '../store/postgresCluster';

const temp = freshDirs();
const missing = postgresMissing();
const EVERY = 3;
const STEPS = 12;
/** Steps of a run that is always stopped long before its end. */
const STEPS_LONG = 400;

/** A new segmentation run's settings as the app resolves them (tiny, scratch). */
async function segSettings(open: OpenProject) {
  return (await resolveSegSettings(open, { mode: 'scratch', mix: 'none', net: 'tiny', height: 32, width: 64, steps: STEPS_LONG })).settings as unknown as JsonObject;
}

let data: Promise<string> | undefined;
/** The synthetic street data both cases use, generated once. */
function syntheticData(): Promise<string> {
  data ??= (async () => {
    const out = join(temp('worker-data'), 'synth');
    await generateSynthDataset({ out, sequences: 4, size: { height: 32, width: 64 }, seed: 9 });
    return out;
  })();
  return data;
}

describe.skipIf(missing !== undefined)(`a worker killed mid-training${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const server = usePostgres();

  it('loses at most the steps since its last checkpoint, and the job finishes on another worker', async () => {
    const url = await server.cluster().createDatabase();
    const dir = join(temp('worker-project'), 'proj');
    const { open } = await initProject({ dir, dataset: await syntheticData(), db: url });
    const keys = await listFrames(open.store, { split: 'train', keyframesOnly: true });
    await importLabels(open, { frameIds: keys.slice(0, 2).map((f) => f.id) });
    await open.close();

    const events: TrainingJobInfo[] = [];
    const service = createService('host', {
      version: '1.0.0',
      recentFile: join(temp('worker-config'), 'recent.json'),
      emit: (event, payload) => {
        if (event === 'training.progress') events.push(payload as TrainingJobInfo);
      },
      jobs: { checkpointEvery: EVERY, staleAfterS: 2 },
    });
    const engine = ['--backend', 'wasm', '--threads', '1', '--heartbeat', '0.5', '--poll', '0.3'];
    try {
      const { projectId } = await service.projectOpen({ dir });
      // A queued job cancelled before any worker took it.
      await service.trainingStartSde({ projectId, settings: { net: 'tiny', height: 32, width: 64, steps: 2 } });
      expect(await service.trainingCancel({ projectId })).toEqual({ cancelled: true });
      expect((await service.trainingStatus({ projectId })).last).toMatchObject({ jobId: 'job-1', kind: 'sde', state: 'cancelled', message: 'cancelled before a worker took it' });

      const queued = await service.trainingStartSeg({ projectId, settings: { mode: 'scratch', mix: 'none', net: 'tiny', height: 32, width: 64, steps: STEPS, labelledBatch: 2 } });
      expect(queued).toMatchObject({ state: 'queued', worker: null, runId: null, totalSteps: STEPS });
      expect(queued.message).toContain(`waiting for a worker: start \`depthseg worker --project ${dir}\``);
      await expect(service.trainingStartSde({ projectId, settings: {} })).rejects.toThrow(/retraining \(job #2\) is queued, waiting for a worker/);

      const one = spawnCli(['worker', '--project', dir, '--name', 'one', ...engine], { timeoutMs: 120_000 });
      await one.waitForStderr(new RegExp(`saving a checkpoint at step ${2 * EVERY}\\b`));
      const running = (await service.trainingStatus({ projectId })).job;
      expect(running).toMatchObject({ state: 'running', worker: 'one', runId: 1, backend: 'wasm' });
      expect(running?.message).toBe('training on worker one');
      one.child.kill('SIGKILL');
      const killed = await one.done;
      expect(killed.code).toBe(128 + 9);
      expect(killed.stderr).toMatch(/took job #2 \(segmentation\)/);

      // What the team sees after the kill: the run still "running", the job held by a silent worker.
      const store = await openProjectStore(dir, { create: false });
      try {
        const saved = (await latestCheckpoint(store, 1))!.step;
        // The newest checkpoint worker one began; the kill may have come while it was being written (then the one before is the newest whole one).
        const begun = Math.max(...[...killed.stderr.matchAll(/saving a checkpoint at step (\d+)/g)].map((m) => Number(m[1])));
        expect([begun, begun - EVERY]).toContain(saved);
        expect(saved % EVERY).toBe(0);
        expect(saved).toBeLessThan(STEPS);
        expect((await getRun(store, 1)).status).toBe('running');

        // Once its heartbeat is older than the timeout, the app says the worker stopped answering.
        let silent = (await service.trainingStatus({ projectId })).job;
        for (let t = 0; t < 60 && !silent?.message?.startsWith('worker one stopped answering'); t++) {
          await new Promise((r) => setTimeout(r, 100));
          silent = (await service.trainingStatus({ projectId })).job;
        }
        expect(silent).toMatchObject({ state: 'running', worker: 'one', backend: null });
        expect(silent?.message).toBe('worker one stopped answering; another worker takes the job over from its last checkpoint');

        const two = spawnCli(['worker', '--project', dir, '--name', 'two', '--once', '--stale-after', '2', ...engine], { timeoutMs: 120_000 });
        const done = await two.done;
        expect(done.code, done.stderr).toBe(0);
        expect(done.stderr).toMatch(/took job #2 \(segmentation\), attempt 2 of 3: its previous worker stopped answering/);
        expect(done.stderr).toMatch(/continuing run #1 from its newest checkpoint/);
        // The run continued from the newest checkpoint worker one wrote: at most EVERY steps (those since it) were lost.
        const resumed = /resuming from step (\d+)/.exec(done.stderr);
        expect(Number(resumed?.[1])).toBe(saved);
        expect(done.stderr).toContain(`job #2 (segmentation) done (run #1, step ${STEPS})`);

        const run = await getRun(store, 1);
        expect(run).toMatchObject({ status: 'done', kind: 'seg' });
        const loss = await metricHistory(store, 1, 'loss');
        expect(loss.map((m) => m.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
        expect((await metricHistory(store, 1, 'val/miou')).at(-1)?.step).toBe(STEPS);
        expect((await latestCheckpoint(store, 1))?.step).toBe(STEPS);
        const [cancelled, job] = await listJobs(store, 1);
        expect(cancelled).toMatchObject({ state: 'cancelled', worker: null, attempts: 0 });
        expect(job).toMatchObject({ state: 'done', worker: 'two', attempts: 2, runId: 1, error: null });
      } finally {
        await store.close();
      }

      // The app follows the job once a second: its end arrives as an event too.
      for (let t = 0; t < 50 && !events.some((e) => e.state === 'done'); t++) await new Promise((r) => setTimeout(r, 100));
      const after = await service.trainingStatus({ projectId });
      expect(after.job).toBeNull();
      expect(after.last).toMatchObject({ state: 'done', worker: 'two', runId: 1, step: STEPS, message: 'done on worker two' });
      expect(after.last?.metrics?.['miou']).toEqual(expect.any(Number));
      // The app followed the job live with its usual events: queued, running on one, done on two.
      expect(events.map((e) => e.state)).toEqual(expect.arrayContaining(['queued', 'running', 'done']));
      expect(events.some((e) => e.state === 'running' && e.worker === 'one' && e.step > 0)).toBe(true);
    } finally {
      await service.close();
    }
  }, 180_000);

  it('a worker stopped with Ctrl-C gives the job back from a checkpoint; a cancel from the app pauses the run at its worker', async () => {
    const url = await server.cluster().createDatabase();
    const dir = join(temp('worker-stop'), 'proj');
    const { open } = await initProject({ dir, dataset: await syntheticData(), db: url });
    try {
      const keys = await listFrames(open.store, { split: 'train', keyframesOnly: true });
      await importLabels(open, { frameIds: keys.slice(0, 2).map((f) => f.id) });
      const job = await enqueueJob(open.store, { projectId: open.project.id, kind: 'seg', settings: await segSettings(open), checkpointEvery: 50 });
      const timing = { backend: 'wasm' as const, threads: 1, heartbeatS: 0.3, pollS: 0.2, once: true };

      // Ctrl-C (the signal) at the first step: the run checkpoints there and the job goes back to the queue, its attempt not counted.
      const ctrlC = new AbortController();
      const [released] = await runQueueWorker({ ...timing, projectDir: dir, name: 'a', signal: ctrlC.signal, onProgress: (p) => p.phase === 'training' && ctrlC.abort() });
      expect(released).toMatchObject({ jobId: job.id, runId: 1, outcome: 'released' });
      expect(await getJob(open.store, job.id)).toMatchObject({ state: 'queued', attempts: 0, runId: 1 });
      expect((await getRun(open.store, 1)).status).toBe('paused');
      const stoppedAt = (await latestCheckpoint(open.store, 1))!.step;
      expect(stoppedAt).toBe(released!.step);

      // The next worker continues the run there; a cancel from the app reaches it at a heartbeat: checkpoint, run paused, job cancelled.
      let asked = false;
      const [cancelled] = await runQueueWorker({
        ...timing,
        projectDir: dir,
        name: 'b',
        onProgress: (p) => {
          if (p.phase === 'training' && p.step > stoppedAt && !asked) {
            asked = true;
            void requestJobCancel(open.store, job.id, 30);
          }
        },
      });
      expect(cancelled).toMatchObject({ jobId: job.id, runId: 1, outcome: 'cancelled', resumedFrom: stoppedAt });
      expect(await getJob(open.store, job.id)).toMatchObject({ state: 'cancelled', worker: 'b', attempts: 1, cancelRequested: true });
      const run = await getRun(open.store, 1);
      expect(run.status).toBe('paused');
      expect((await latestCheckpoint(open.store, 1))!.step).toBe(cancelled!.step);
      expect(cancelled!.step).toBeGreaterThan(stoppedAt);
      expect(cancelled!.step).toBeLessThan(STEPS_LONG);
    } finally {
      await open.close();
    }
  }, 120_000);
});

describe('depthseg worker', () => {
  it('refuses a project whose rows are in SQLite (it trains in the app), saying how to make a team project', async () => {
    const dir = join(temp('worker-sqlite'), 'proj');
    const { open } = await initProject({ dir, dataset: await syntheticData() });
    await open.close();
    const r = await spawnCli(['worker', '--project', dir, '--once']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${dir} keeps its rows in SQLite: a worker serves a team project in PostgreSQL (depthseg init --db / depthseg migrate)`);
  });
});
