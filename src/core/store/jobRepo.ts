/**
 * Training jobs for workers on other machines (team mode; docs/team-workers.md). A job asks
 * for one SDE or segmentation run: new settings, or a paused run to continue (run_id). A
 * worker claims the oldest claimable job with `FOR UPDATE SKIP LOCKED` (two workers never take
 * the same one), stamps a heartbeat on the database's clock while it trains, and ends it. A
 * job whose heartbeat is older than the worker's timeout is claimable again: its worker died,
 * and the next one continues the job's run from its last checkpoint. After max_attempts
 * claims the job fails with the last error kept. One job runs per project at a time (one
 * training run per project, runLoop.ts).
 */
import type { ProjectStore } from './projectStore';
import { dbNow, dbTimeAgo, lockRows } from './dialect';
import { all, insertReturningId, one, parseJsonObject, requireRow, run, toJson, transaction, type JsonObject } from './sql';

export type JobRunKind = 'sde' | 'seg';
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TrainingJob {
  id: number;
  projectId: number;
  kind: JobRunKind;
  /** The run it drives: set once the run exists (a resume job has it from the start). */
  runId: number | null;
  /** A new run's settings (resolved, as the run will store them); {} for a resume. */
  settings: JsonObject;
  checkpointEvery: number | null;
  state: JobState;
  /** The worker holding (or that last held) it: `name` as the worker reports itself. */
  worker: string | null;
  heartbeatAt: string | null;
  /** Claims so far, the current one included (a worker that stops cleanly gives its claim back). */
  attempts: number;
  maxAttempts: number;
  cancelRequested: boolean;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface NewTrainingJob {
  projectId: number;
  kind: JobRunKind;
  runId?: number | null;
  settings?: JsonObject;
  checkpointEvery?: number | null;
  maxAttempts?: number;
}

export interface JobWorker {
  name: string;
  host: string;
  engine: string | null;
  lastSeen: string;
}

interface JobSql {
  id: number;
  project_id: number;
  kind: JobRunKind;
  run_id: number | null;
  settings_json: string;
  checkpoint_every: number | null;
  state: JobState;
  worker: string | null;
  heartbeat_at: string | null;
  attempts: number;
  max_attempts: number;
  cancel_requested: number;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function trainingJob(store: ProjectStore, r: JobSql): TrainingJob {
  return {
    id: r.id,
    projectId: r.project_id,
    kind: r.kind,
    runId: r.run_id,
    settings: parseJsonObject(store, r.settings_json, `training_jobs row ${r.id} settings_json`),
    checkpointEvery: r.checkpoint_every,
    state: r.state,
    worker: r.worker,
    heartbeatAt: r.heartbeat_at,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    cancelRequested: r.cancel_requested === 1,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export async function enqueueJob(store: ProjectStore, j: NewTrainingJob): Promise<TrainingJob> {
  const id = await insertReturningId(
    store,
    'INSERT INTO training_jobs (project_id, kind, run_id, settings_json, checkpoint_every, max_attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
    j.projectId,
    j.kind,
    j.runId ?? null,
    toJson(j.settings),
    j.checkpointEvery ?? null,
    j.maxAttempts ?? 3,
    store.now(),
  );
  return await getJob(store, id);
}

export async function getJob(store: ProjectStore, id: number): Promise<TrainingJob> {
  return trainingJob(store, requireRow(store, await one<JobSql>(store, 'SELECT * FROM training_jobs WHERE id = ?', id), `training job with id ${id}`));
}

/** The project's job that has not ended (queued or running), or undefined. */
export async function openJob(store: ProjectStore, projectId: number): Promise<TrainingJob | undefined> {
  const r = await one<JobSql>(store, "SELECT * FROM training_jobs WHERE project_id = ? AND state IN ('queued', 'running') ORDER BY id LIMIT 1", projectId);
  return r && trainingJob(store, r);
}

/** The project's jobs, oldest first. */
export async function listJobs(store: ProjectStore, projectId: number): Promise<TrainingJob[]> {
  return (await all<JobSql>(store, 'SELECT * FROM training_jobs WHERE project_id = ? ORDER BY id', projectId)).map((r) => trainingJob(store, r));
}

/**
 * Claims the oldest job a worker may take: queued, or running with a heartbeat older than
 * `staleAfterS` seconds (its worker died), in a project where no other job runs with a fresh
 * heartbeat. Stale jobs that used up their attempts fail first, saying so. The claim counts
 * an attempt and stamps worker and heartbeat; undefined when there is nothing to take.
 */
export async function claimJob(store: ProjectStore, worker: string, staleAfterS: number): Promise<TrainingJob | undefined> {
  const e = store.engine;
  return await transaction(store, async () => {
    const exhausted = await all<{ run_id: number | null }>(
      store,
      `UPDATE training_jobs SET state = 'failed', finished_at = ${dbNow(e)},
         error = 'its worker stopped answering ' || attempts || ' time(s) (' || coalesce(worker, '?') || ' last)' || coalesce(': ' || error, '')
       WHERE state = 'running' AND heartbeat_at < ${dbTimeAgo(e)} AND attempts >= max_attempts
       RETURNING run_id`,
      staleAfterS,
    );
    // Their runs keep their checkpoints: paused, so the engineer can resume them (on a machine that works).
    for (const { run_id: runId } of exhausted) {
      if (runId !== null) await run(store, "UPDATE training_runs SET status = 'paused' WHERE id = ? AND status = 'running'", runId);
    }
    const r = await one<JobSql>(
      store,
      `UPDATE training_jobs SET state = 'running', worker = ?, heartbeat_at = ${dbNow(e)}, attempts = attempts + 1,
         started_at = coalesce(started_at, ${dbNow(e)})
       WHERE id = (
         SELECT j.id FROM training_jobs j
         WHERE j.cancel_requested = 0
           AND (j.state = 'queued' OR (j.state = 'running' AND j.heartbeat_at < ${dbTimeAgo(e)}))
           AND NOT EXISTS (SELECT 1 FROM training_jobs o WHERE o.project_id = j.project_id AND o.id <> j.id AND o.state = 'running' AND o.heartbeat_at >= ${dbTimeAgo(e)})
         ORDER BY j.id LIMIT 1${lockRows(e, 'j', true)}
       )
       RETURNING *`,
      worker,
      staleAfterS,
      staleAfterS,
    );
    return r && trainingJob(store, r);
  });
}

/**
 * The holder's heartbeat. `held` is false when the job is no longer this worker's (taken
 * over after a stall, or ended): the worker must stop training it at once.
 */
export async function heartbeatJob(store: ProjectStore, id: number, worker: string): Promise<{ held: boolean; cancelRequested: boolean }> {
  const r = await one<{ cancel_requested: number }>(
    store,
    `UPDATE training_jobs SET heartbeat_at = ${dbNow(store.engine)} WHERE id = ? AND worker = ? AND state = 'running' RETURNING cancel_requested`,
    id,
    worker,
  );
  return { held: r !== undefined, cancelRequested: r?.cancel_requested === 1 };
}

/** Records the run a job drives (once the run exists: a new run's id arrives with its first progress). */
export async function setJobRun(store: ProjectStore, id: number, runId: number): Promise<void> {
  await run(store, 'UPDATE training_jobs SET run_id = ? WHERE id = ?', runId, id);
}

/** Ends the holder's job; false when it was no longer the holder's. */
export async function endJob(store: ProjectStore, id: number, worker: string, state: 'done' | 'failed' | 'cancelled', error?: string): Promise<boolean> {
  const r = await run(
    store,
    `UPDATE training_jobs SET state = ?, error = ?, finished_at = ${dbNow(store.engine)} WHERE id = ? AND worker = ? AND state = 'running'`,
    state,
    state === 'done' ? null : (error ?? null),
    id,
    worker,
  );
  return r.changes > 0;
}

/** A worker that stops cleanly (Ctrl-C) gives the job back to the queue; its claim does not count as an attempt. */
export async function releaseJob(store: ProjectStore, id: number, worker: string, note?: string): Promise<boolean> {
  const r = await run(
    store,
    `UPDATE training_jobs SET state = 'queued', heartbeat_at = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
       error = coalesce(?, error)
     WHERE id = ? AND worker = ? AND state = 'running'`,
    note ?? null,
    id,
    worker,
  );
  return r.changes > 0;
}

/**
 * Cancels a job: a queued one (or a running one whose worker stopped answering) ends
 * cancelled at once; a running one is flagged, and its worker stops with a checkpoint at its
 * next heartbeat (the run pauses and can be resumed). Returns the job as it is now.
 */
export async function requestJobCancel(store: ProjectStore, id: number, staleAfterS: number): Promise<TrainingJob> {
  const e = store.engine;
  await transaction(store, async () => {
    await run(store, "UPDATE training_jobs SET cancel_requested = 1 WHERE id = ? AND state IN ('queued', 'running')", id);
    await run(
      store,
      `UPDATE training_jobs SET state = 'cancelled', finished_at = ${dbNow(e)}
       WHERE id = ? AND (state = 'queued' OR (state = 'running' AND heartbeat_at < ${dbTimeAgo(e)}))`,
      id,
      staleAfterS,
    );
  });
  return await getJob(store, id);
}

/** A worker says it is alive (every poll), with what it trains on. */
export async function seeWorker(store: ProjectStore, w: { name: string; host: string; engine?: string | null }): Promise<void> {
  await run(
    store,
    `INSERT INTO job_workers (name, host, engine, last_seen) VALUES (?, ?, ?, ${dbNow(store.engine)})
     ON CONFLICT (name) DO UPDATE SET host = excluded.host, engine = excluded.engine, last_seen = excluded.last_seen`,
    w.name,
    w.host,
    w.engine ?? null,
  );
}

/** Workers seen within the last `withinS` seconds, most recent first. */
export async function recentWorkers(store: ProjectStore, withinS: number): Promise<JobWorker[]> {
  const rows = await all<{ name: string; host: string; engine: string | null; last_seen: string }>(
    store,
    `SELECT * FROM job_workers WHERE last_seen >= ${dbTimeAgo(store.engine)} ORDER BY last_seen DESC`,
    withinS,
  );
  return rows.map((r) => ({ name: r.name, host: r.host, engine: r.engine, lastSeen: r.last_seen }));
}

/** A worker that stops says so (it no longer counts as seen). */
export async function forgetWorker(store: ProjectStore, name: string): Promise<void> {
  await run(store, 'DELETE FROM job_workers WHERE name = ?', name);
}
