/**
 * Training in a team project (PostgreSQL): Retrain and SDE pretraining become jobs in the
 * project database (jobRepo.ts) that a `depthseg worker` on any machine takes
 * (docs/team-workers.md); the app never trains them itself. What the UI sees is read back
 * from the database: the job's state and worker, and the run's progress, which the worker's
 * training writes every few seconds. While a job is open this follows it, once a second, and
 * sends 'training.progress' events of the same shape as a local job's.
 */
import { UsageError } from '../errors';
import { WORKER_TIMING } from '../jobs/queueWorker';
import type { OpenProject } from '../project/openProject';
import {
  enqueueJob,
  getRun,
  latestCheckpoint,
  listJobs,
  openJob,
  recentWorkers,
  requestJobCancel,
  type JobWorker,
  type TrainingJob,
  type TrainingRun,
} from '../store';
import type { JobStateName, TrainingJobInfo } from './contract';
import { finite, numbersOf } from './jobNumbers';

export interface RemoteJobsOptions {
  emit?: (event: 'training.progress', payload: TrainingJobInfo) => void;
  checkpointEvery?: number;
  /** How often an open job is read back for events (default 1000 ms). */
  followEveryMs?: number;
  /** A running job whose heartbeat is older than this is said to have lost its worker (default: the workers' own timeout). */
  staleAfterS?: number;
}

/** The message of a job no worker has taken: what to do, in words. */
export function waitingForWorker(dir: string): string {
  return `waiting for a worker: start \`depthseg worker --project ${dir}\` on a machine that can reach the database and sees this project folder`;
}

const JOB_TEXT = { sde: 'SDE pretraining', seg: 'retraining' } as const;

export class RemoteJobs {
  private readonly followers = new Map<string, ReturnType<typeof setInterval>>();

  constructor(private readonly opts: RemoteJobsOptions = {}) {}

  /** Refuses a start while the project has a job that has not ended, saying where it is. */
  async checkFree(open: OpenProject): Promise<void> {
    const job = await openJob(open.store, open.project.id);
    if (!job) return;
    const where = job.state === 'queued' ? 'is queued, waiting for a worker' : `is running on worker ${job.worker ?? '?'}`;
    throw new UsageError(`${JOB_TEXT[job.kind]} (job #${job.id}${job.runId !== null ? `, run #${job.runId}` : ''}) ${where}: wait for it to finish or cancel it first (one job at a time)`);
  }

  /** Queues a training job: new settings, or a paused run to continue. */
  async enqueue(open: OpenProject, kind: 'sde' | 'seg', run: { settings: object; resume?: number }): Promise<TrainingJobInfo> {
    await this.checkFree(open);
    const job = await enqueueJob(open.store, {
      projectId: open.project.id,
      kind,
      runId: run.resume ?? null,
      settings: run.resume !== undefined ? {} : (run.settings as Record<string, unknown>),
      checkpointEvery: this.opts.checkpointEvery ?? null,
    });
    const info = await this.info(open, job);
    this.follow(open);
    this.opts.emit?.('training.progress', info);
    return info;
  }

  /** The project's open job (followed from now on) and its newest ended one. */
  async status(open: OpenProject): Promise<{ job: TrainingJobInfo | null; last: TrainingJobInfo | null }> {
    const jobs = await listJobs(open.store, open.project.id);
    const current = jobs.find((j) => j.state === 'queued' || j.state === 'running');
    const ended = jobs.filter((j) => j.state !== 'queued' && j.state !== 'running').at(-1);
    if (current) this.follow(open);
    return { job: current ? await this.info(open, current) : null, last: ended ? await this.info(open, ended) : null };
  }

  /** Cancels the project's open job: a queued one at once, a running one at its worker's next heartbeat (checkpoint, pause). */
  async cancel(open: OpenProject): Promise<{ cancelled: boolean }> {
    const job = await openJob(open.store, open.project.id);
    if (!job || job.cancelRequested) return { cancelled: false };
    const now = await requestJobCancel(open.store, job.id, this.staleAfterS());
    this.opts.emit?.('training.progress', await this.info(open, now));
    return { cancelled: true };
  }

  /** The run the project's open job drives (the runs list marks it active). */
  async activeRunId(open: OpenProject): Promise<number | null> {
    return (await openJob(open.store, open.project.id))?.runId ?? null;
  }

  close(): void {
    for (const t of this.followers.values()) clearInterval(t);
    this.followers.clear();
  }

  private staleAfterS(): number {
    return this.opts.staleAfterS ?? WORKER_TIMING.staleAfterS;
  }

  /** Reads the open job back once a second and emits it when it changed; stops after its end (or when the project closes). */
  private follow(open: OpenProject): void {
    const dir = open.store.dir;
    if (!this.opts.emit || this.followers.has(dir)) return;
    let last = '';
    let busy = false;
    const stop = () => {
      clearInterval(this.followers.get(dir));
      this.followers.delete(dir);
    };
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const s = await this.status(open);
        const shown = s.job ?? s.last;
        if (!shown) return stop();
        const text = JSON.stringify(shown);
        if (text !== last) this.opts.emit?.('training.progress', shown);
        last = text;
        if (!s.job) stop();
      } catch {
        stop(); // the project was closed
      } finally {
        busy = false;
      }
    };
    this.followers.set(dir, setInterval(() => void tick(), this.opts.followEveryMs ?? 1000));
  }

  /** A job as the UI follows it (TrainingJobInfo), from its row, its run and the workers seen. */
  private async info(open: OpenProject, job: TrainingJob): Promise<TrainingJobInfo> {
    const { store } = open;
    const run: TrainingRun | null = job.runId !== null ? await getRun(store, job.runId).catch(() => null) : null;
    const workers = await recentWorkers(store, WORKER_TIMING.seenWithinS);
    // The holder counts as silent once it missed heartbeats for as long as another worker waits before taking its job.
    const holder: JobWorker | undefined =
      job.state === 'running' ? (await recentWorkers(store, this.staleAfterS())).find((w) => w.name === job.worker) : workers.find((w) => w.name === job.worker);
    const p = run?.progress ?? {};
    const silent = job.state === 'running' && !holder;
    const ckpt = run && (job.state === 'done' || job.state === 'cancelled') ? await latestCheckpoint(store, run.id) : undefined;
    const settings = Object.keys(job.settings).length ? job.settings : (run?.config ?? {});
    return {
      jobId: `job-${job.id}`,
      kind: job.kind,
      projectDir: store.dir,
      state: stateOf(job, run),
      worker: job.worker,
      startedAt: job.startedAt ?? job.createdAt,
      endedAt: job.finishedAt,
      settings,
      runId: job.runId,
      phase: typeof p['phase'] === 'string' ? p['phase'] : null,
      step: finite(p['step']) ?? 0,
      totalSteps: finite(p['totalSteps']) ?? finite(settings['steps']) ?? 0,
      loss: finite(p['loss']),
      lr: finite(p['lr']),
      stepsPerSecond: job.state === 'running' ? finite(p['stepsPerSecond']) : null,
      etaSeconds: job.state === 'running' ? finite(p['etaSeconds']) : null,
      message: messageOf(job, store.dir, workers, silent),
      backend: holder?.engine ?? null,
      resumedFrom: null,
      error: job.error,
      metrics: ckpt ? numbersOf(ckpt.metrics) : null,
      selection: null,
    };
  }
}

function stateOf(job: TrainingJob, run: TrainingRun | null): JobStateName {
  switch (job.state) {
    case 'queued':
      return 'queued';
    case 'running':
      if (job.cancelRequested) return 'stopping';
      return run && run.status === 'running' ? 'running' : 'starting';
    case 'cancelled':
      // A cancel of a running job pauses its run: it can be resumed.
      return run && run.status === 'paused' ? 'paused' : 'cancelled';
    default:
      return job.state;
  }
}

function messageOf(job: TrainingJob, dir: string, workers: JobWorker[], silent: boolean): string | null {
  switch (job.state) {
    case 'queued': {
      if (workers.length === 0) return waitingForWorker(dir);
      const names = workers.map((w) => w.name).join(', ');
      return `queued: ${workers.length} worker${workers.length === 1 ? '' : 's'} online (${names}); it starts when one is free`;
    }
    case 'running':
      if (silent) return `worker ${job.worker ?? '?'} stopped answering; another worker takes the job over from its last checkpoint${workers.length === 0 ? ` (${waitingForWorker(dir)})` : ''}`;
      if (job.cancelRequested) return `stopping: worker ${job.worker ?? '?'} saves a checkpoint after this step…`;
      return `training on worker ${job.worker ?? '?'}${job.attempts > 1 ? ` (attempt ${job.attempts}: taken over from its last checkpoint)` : ''}`;
    case 'done':
      return `done on worker ${job.worker ?? '?'}`;
    case 'cancelled':
      return job.runId !== null ? 'cancelled: the run keeps its last checkpoint; resume continues from there' : 'cancelled before a worker took it';
    case 'failed':
      return null;
  }
}
