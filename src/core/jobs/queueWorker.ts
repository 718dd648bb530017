/**
 * `depthseg worker`: trains the jobs of a team project (PostgreSQL) on this machine. It
 * claims the next job (jobRepo.claimJob: FOR UPDATE SKIP LOCKED), runs it in a worker thread
 * of this process (runner.ts: the same train-sde / train-seg job kinds the app runs) and,
 * from the main thread, stamps the job's heartbeat every few seconds. The thread writes the
 * run's progress, metrics and checkpoints through the store as any training does, so the
 * team sees them live. A job whose worker died (heartbeat older than `staleAfterS`) is
 * claimed again and its run continues from its newest checkpoint (the run's resume path).
 *
 * Stopping: a cancel asked in the app reaches the worker at its next heartbeat; the run
 * saves a checkpoint and pauses, and the job ends cancelled. Stopping the worker (`signal`,
 * Ctrl-C) does the same but gives the job back to the queue, for this or another worker.
 */
import { hostname } from 'node:os';
import { errorMessage, UsageError } from '../errors';
import type { BackendChoice } from '../engine/backend';
import { openProject, type OpenProject } from '../project/openProject';
import type { RunProgress } from '../project/runLoop';
import {
  claimJob,
  endJob,
  forgetWorker,
  getRun,
  heartbeatJob,
  releaseJob,
  seeWorker,
  setJobRun,
  setRunStatus,
  type TrainingJob,
} from '../store';
import type { ProjectJobReport, TrainJobParams, TrainJobResult } from './kinds/projectJobs';
import type { TerminalMessage } from './protocol';
import { startJob, type JobHandle } from './runner';

/** The queue's timing, declared once: the app reads the same numbers to tell a silent worker. */
export const WORKER_TIMING = {
  /** Seconds between a worker's heartbeats (and its polls for work while idle: `pollS`). */
  heartbeatS: 5,
  pollS: 2,
  /** A job whose heartbeat is older than this (seconds) is taken over by another worker. */
  staleAfterS: 30,
  /** The app says "no worker" when none was seen within this many seconds. */
  seenWithinS: 30,
} as const;

export interface QueueWorkerOptions {
  /** The project folder as this machine sees it (a shared mount): it holds project.postgres.json, masks/ and checkpoints/. */
  projectDir: string;
  /** How the worker names itself in the job rows (default host:pid). */
  name?: string;
  backend?: BackendChoice;
  threads?: number;
  heartbeatS?: number;
  pollS?: number;
  staleAfterS?: number;
  /** Take one job, run it, return. */
  once?: boolean;
  /** Stop request (Ctrl-C): the running job checkpoints and goes back to the queue. */
  signal?: AbortSignal;
  /** What the worker does, one line each (job taken, resumed, checkpoints, ended). */
  log?: (line: string) => void;
  /** The run's own progress events (the CLI prints its progress line from them). */
  onProgress?: (p: RunProgress) => void;
  /** The job thread's script and extra kinds (tests; see runner.ts). */
  workerScript?: string | URL;
}

export interface JobEnd {
  jobId: number;
  runId: number | null;
  /** done, failed, cancelled; released: given back to the queue (worker stopped); lost: taken over by another worker. */
  outcome: 'done' | 'failed' | 'cancelled' | 'released' | 'lost';
  step: number;
  resumedFrom: number | null;
  error: string | null;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Runs the worker until `signal` aborts (or, with `once`, after one job); returns how each job it took ended. */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<JobEnd[]> {
  const log = o.log ?? (() => undefined);
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const timing = { ...WORKER_TIMING, ...defined({ heartbeatS: o.heartbeatS, pollS: o.pollS, staleAfterS: o.staleAfterS }) };
  const p = await openProject(o.projectDir);
  const ended: JobEnd[] = [];
  try {
    if (p.store.engine !== 'postgres') {
      throw new UsageError(`${p.store.dir} keeps its rows in SQLite: a worker serves a team project in PostgreSQL (depthseg init --db / depthseg migrate); train this one with train-seg / train-sde`);
    }
    const engine = o.backend ?? 'auto';
    log(`worker ${name} on ${p.store.dbPath}, project folder ${p.store.dir} (engine ${engine}); waiting for jobs`);
    while (!o.signal?.aborted) {
      let job: TrainingJob | undefined;
      try {
        await seeWorker(p.store, { name, host: hostname(), engine });
        job = await claimJob(p.store, name, timing.staleAfterS);
      } catch (e) {
        // The database is out of reach for a moment (restart, network): keep trying, as a worker should.
        log(`cannot look for jobs: ${errorMessage(e)}; trying again in ${timing.pollS} s`);
      }
      if (!job) {
        await sleep(timing.pollS * 1000, o.signal);
        continue;
      }
      const end = await runClaimed(p, job, name, timing, o, log);
      ended.push(end);
      if (o.once) break;
    }
    return ended;
  } finally {
    await forgetWorker(p.store, name).catch(() => undefined);
    await p.close();
  }
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The run a claimed job continues, made ready: a run its dead worker left running is paused
 * (the claim is the proof that nobody drives it); a run that already ended ends the job.
 */
async function prepareRun(p: OpenProject, job: TrainingJob): Promise<{ resume?: number; ended?: 'done' | 'failed' | 'cancelled'; error?: string }> {
  if (job.runId === null) return {};
  const run = await getRun(p.store, job.runId);
  if (run.status === 'running') await setRunStatus(p.store, run.id, 'paused');
  if (run.status === 'done' || run.status === 'failed' || run.status === 'cancelled') return { ended: run.status, ...(run.error ? { error: run.error } : {}) };
  return { resume: run.id };
}

async function runClaimed(
  p: OpenProject,
  job: TrainingJob,
  name: string,
  timing: { heartbeatS: number; staleAfterS: number },
  o: QueueWorkerOptions,
  log: (line: string) => void,
): Promise<JobEnd> {
  const what = `job #${job.id} (${job.kind === 'sde' ? 'SDE pretraining' : 'segmentation'})`;
  const takeover = job.attempts > 1;
  log(`took ${what}${takeover ? `, attempt ${job.attempts} of ${job.maxAttempts}: its previous worker stopped answering` : ''}`);
  let runId = job.runId;
  let step = 0;
  let resumedFrom: number | null = null;
  const finish = async (outcome: JobEnd['outcome'], error: string | null): Promise<JobEnd> => {
    const e: JobEnd = { jobId: job.id, runId, outcome, step, resumedFrom, error };
    if (outcome === 'done' || outcome === 'failed' || outcome === 'cancelled') await endJob(p.store, job.id, name, outcome, error ?? undefined);
    else if (outcome === 'released') await releaseJob(p.store, job.id, name);
    log(`${what} ${outcome === 'released' ? 'given back to the queue' : outcome === 'lost' ? 'was taken over by another worker; stopped without writing' : outcome}${runId !== null ? ` (run #${runId}, step ${step})` : ''}${error ? `: ${error}` : ''}`);
    return e;
  };

  let plan: Awaited<ReturnType<typeof prepareRun>>;
  try {
    plan = await prepareRun(p, job);
  } catch (e) {
    return await finish('failed', errorMessage(e));
  }
  if (plan.ended) return await finish(plan.ended, plan.error ?? null);
  if (plan.resume !== undefined) log(`continuing run #${plan.resume} from its newest checkpoint`);

  const params: TrainJobParams = {
    projectDir: p.store.dir,
    settings: plan.resume !== undefined ? {} : job.settings,
    ...(plan.resume !== undefined ? { resume: plan.resume } : {}),
    ...(job.checkpointEvery !== null ? { checkpointEvery: job.checkpointEvery } : {}),
  };
  let stopping: 'cancel' | 'release' | null = null;
  let lost = false;
  let recordRun: Promise<void> = Promise.resolve();
  const handle: JobHandle = startJob(
    {
      kind: job.kind === 'sde' ? 'train-sde' : 'train-seg',
      params,
      ...(o.backend ? { backend: o.backend } : {}),
      ...(o.threads !== undefined ? { threads: o.threads } : {}),
      ...(o.workerScript !== undefined ? { workerScript: o.workerScript } : {}),
      cancelGraceMs: 300_000,
    },
    (m) => {
      if (m.type === 'started') log(`${what}: training engine ${m.backend} (${m.reason})`);
      else if (m.type === 'log') log(m.line);
      if (m.type !== 'report') return;
      const r = m.data as ProjectJobReport;
      if (r.type !== 'run') return;
      const e = r.progress;
      step = e.step;
      if (runId === null) {
        runId = e.runId;
        const id = e.runId;
        recordRun = setJobRun(p.store, job.id, id).catch((err: unknown) => log(`could not record run #${id} on ${what}: ${errorMessage(err)}`));
      }
      if (e.resumingFrom !== undefined && e.phase === 'loading' && !e.message?.includes('cannot be read')) resumedFrom = e.resumingFrom;
      if (e.phase === 'saving') log(`run #${e.runId}: saving a checkpoint at step ${e.step}`);
      o.onProgress?.(e);
    },
  );

  const stop = (why: 'cancel' | 'release') => {
    if (stopping) return;
    stopping = why;
    log(why === 'cancel' ? `${what}: cancelled in the app; saving a checkpoint after this step` : `${what}: stopping; saving a checkpoint after this step, then the job goes back to the queue`);
    handle.cancel();
  };
  const onAbort = () => stop('release');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  const beat = setInterval(() => {
    void (async () => {
      try {
        await seeWorker(p.store, { name, host: hostname(), engine: o.backend ?? 'auto' });
        const h = await heartbeatJob(p.store, job.id, name);
        if (!h.held) {
          lost = true;
          handle.kill(`${what} is no longer this worker's`);
        } else if (h.cancelRequested) stop('cancel');
      } catch (e) {
        // A network blip: the next beat tries again; past staleAfterS another worker takes the job and this one is told (held: false).
        log(`heartbeat of ${what} failed: ${errorMessage(e)}`);
      }
    })();
  }, timing.heartbeatS * 1000);

  let m: TerminalMessage;
  try {
    m = await handle.done;
  } finally {
    clearInterval(beat);
    o.signal?.removeEventListener('abort', onAbort);
  }
  await recordRun;
  if (lost) return await finish('lost', null);
  if (m.type === 'failed') {
    // The run, if any, stays as the thread left it (failed); the job fails with the error.
    return await finish('failed', m.message);
  }
  const r = m.result as TrainJobResult | { terminated: true };
  if (!('runId' in r)) return await finish(stopping === 'cancel' ? 'cancelled' : 'released', null);
  runId = r.runId;
  step = r.step;
  resumedFrom = r.resumedFrom;
  if (r.status === 'done') return await finish('done', null);
  if (r.status === 'failed') return await finish('failed', r.error);
  return await finish(stopping === 'release' ? 'released' : 'cancelled', null);
}
