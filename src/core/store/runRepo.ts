import type { ProjectStore } from './projectStore';
import { insideProjectFolder } from './projectPaths';
import { all, insertReturningId, one, parseJsonObject, requireRow, run, toJson, transaction, type JsonObject } from './sql';
import { ProjectStoreError } from './storeErrors';

export type RunKind = 'sde' | 'seg' | 'student';
export type RunStatus = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface TrainingRun {
  id: number;
  projectId: number;
  kind: RunKind;
  /** e.g. 'scratch', 'transfer', 'multitask'; null where the kind has one mode. */
  mode: string | null;
  /** The run this one starts from (e.g. the SDE run a segmentation run transfers from). */
  parentRunId: number | null;
  config: JsonObject;
  status: RunStatus;
  /** What the UI shows live (step, total, loss, eta, ...). */
  progress: JsonObject;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export interface NewTrainingRun {
  projectId: number;
  kind: RunKind;
  mode?: string | null;
  parentRunId?: number | null;
  config?: JsonObject;
}

export interface MetricPoint {
  step: number;
  name: string;
  /** NaN is kept (stored as NULL). */
  value: number;
}

export interface Checkpoint {
  id: number;
  runId: number;
  step: number;
  /** Relative to the project folder (`checkpoints/...`). */
  path: string;
  metrics: JsonObject;
  createdAt: string;
}

interface RunSql {
  id: number;
  project_id: number;
  kind: RunKind;
  mode: string | null;
  parent_run_id: number | null;
  config_json: string;
  status: RunStatus;
  progress_json: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

interface CheckpointSql {
  id: number;
  run_id: number;
  step: number;
  path: string;
  metrics_json: string;
  created_at: string;
}

function trainingRun(store: ProjectStore, r: RunSql): TrainingRun {
  return {
    id: r.id,
    projectId: r.project_id,
    kind: r.kind,
    mode: r.mode,
    parentRunId: r.parent_run_id,
    config: parseJsonObject(store, r.config_json, `training_runs row ${r.id} config_json`),
    status: r.status,
    progress: parseJsonObject(store, r.progress_json, `training_runs row ${r.id} progress_json`),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
  };
}

function checkpoint(store: ProjectStore, r: CheckpointSql): Checkpoint {
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    path: insideProjectFolder(store, r.path, 'checkpoints', `checkpoints row ${r.id} (run ${r.run_id}, step ${r.step}) path`),
    metrics: parseJsonObject(store, r.metrics_json, `checkpoints row ${r.id} metrics_json`),
    createdAt: r.created_at,
  };
}

export async function createRun(store: ProjectStore, r: NewTrainingRun): Promise<TrainingRun> {
  const id = await insertReturningId(
    store,
    'INSERT INTO training_runs (project_id, kind, mode, parent_run_id, config_json, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    r.projectId,
    r.kind,
    r.mode ?? null,
    r.parentRunId ?? null,
    toJson(r.config),
    store.now(),
  );
  return await getRun(store, id);
}

export async function getRun(store: ProjectStore, id: number): Promise<TrainingRun> {
  return trainingRun(store, requireRow(store, await one<RunSql>(store, 'SELECT * FROM training_runs WHERE id = ?', id), `training run with id ${id}`));
}

export async function listRuns(store: ProjectStore, projectId: number, kind?: RunKind): Promise<TrainingRun[]> {
  const rows = kind
    ? await all<RunSql>(store, 'SELECT * FROM training_runs WHERE project_id = ? AND kind = ? ORDER BY id', projectId, kind)
    : await all<RunSql>(store, 'SELECT * FROM training_runs WHERE project_id = ? ORDER BY id', projectId);
  return rows.map((r) => trainingRun(store, r));
}

const FINISHED: readonly RunStatus[] = ['done', 'failed', 'cancelled'];

/**
 * Moves a run to `status`. `running` stamps started_at (first time only) and is refused while
 * another run of the project is running (one training job per project); done, failed and
 * cancelled stamp finished_at; `error` is kept for failed runs.
 */
export async function setRunStatus(store: ProjectStore, id: number, status: RunStatus, error?: string): Promise<TrainingRun> {
  return transaction(store, async () => {
    const r = await getRun(store, id);
    if (status === 'running') {
      const other = await one<{ id: number; progress_json: string }>(
        store,
        "SELECT id, progress_json FROM training_runs WHERE project_id = ? AND status = 'running' AND id <> ?",
        r.projectId,
        id,
      );
      if (other) {
        const pid = parseJsonObject(store, other.progress_json, `training_runs row ${other.id} progress_json`)['pid'];
        const by = typeof pid === 'number' ? ` (process ${pid})` : '';
        throw new ProjectStoreError(store.dbPath, 'busy', `training run ${other.id} is already running in this project${by}; wait for it or stop it first`);
      }
    }
    const now = store.now();
    await run(
      store,
      `UPDATE training_runs SET status = ?,
         started_at = CASE WHEN ? = 'running' THEN coalesce(started_at, ?) ELSE started_at END,
         finished_at = CASE WHEN ? THEN ? ELSE NULL END,
         error = ?
       WHERE id = ?`,
      status,
      status,
      now,
      FINISHED.includes(status) ? 1 : 0,
      now,
      status === 'failed' ? (error ?? 'failed') : null,
      id,
    );
    return await getRun(store, id);
  });
}

export async function setRunProgress(store: ProjectStore, id: number, progress: JsonObject): Promise<void> {
  const res = await run(store, 'UPDATE training_runs SET progress_json = ? WHERE id = ?', toJson(progress), id);
  if (res.changes === 0) requireRow(store, undefined, `training run with id ${id}`);
}

/** Appends metric values in one transaction; logging a (name, step) again replaces its value. */
export async function appendMetrics(store: ProjectStore, runId: number, points: readonly MetricPoint[]): Promise<void> {
  await transaction(store, async () => {
    for (const p of points) {
      await run(
        store,
        'INSERT INTO run_metrics (run_id, name, step, value) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, name, step) DO UPDATE SET value = excluded.value',
        runId,
        p.name,
        p.step,
        Number.isNaN(p.value) ? null : p.value,
      );
    }
  });
}

/** A run's metric history by step; all metrics, or the one named. */
export async function metricHistory(store: ProjectStore, runId: number, name?: string): Promise<MetricPoint[]> {
  const rows = name
    ? await all<{ step: number; name: string; value: number | null }>(store, 'SELECT step, name, value FROM run_metrics WHERE run_id = ? AND name = ? ORDER BY step', runId, name)
    : await all<{ step: number; name: string; value: number | null }>(store, 'SELECT step, name, value FROM run_metrics WHERE run_id = ? ORDER BY name, step', runId);
  return rows.map((r) => ({ step: r.step, name: r.name, value: r.value ?? Number.NaN }));
}

/** Names of the metrics a run logged. */
export async function metricNames(store: ProjectStore, runId: number): Promise<string[]> {
  return (await all<{ name: string }>(store, 'SELECT DISTINCT name FROM run_metrics WHERE run_id = ? ORDER BY name', runId)).map((r) => r.name);
}

/** Records a checkpoint file (already written under checkpoints/); a second one at the same step replaces the row. */
export async function addCheckpoint(store: ProjectStore, c: { runId: number; step: number; path: string; metrics?: JsonObject }): Promise<Checkpoint> {
  await run(
    store,
    `INSERT INTO checkpoints (run_id, step, path, metrics_json, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (run_id, step) DO UPDATE SET path = excluded.path, metrics_json = excluded.metrics_json, created_at = excluded.created_at`,
    c.runId,
    c.step,
    c.path,
    toJson(c.metrics),
    store.now(),
  );
  return requireRow(store, await findCheckpoint(store, c.runId, c.step), `checkpoint of run ${c.runId} at step ${c.step}`);
}

async function findCheckpoint(store: ProjectStore, runId: number, step: number): Promise<Checkpoint | undefined> {
  const r = await one<CheckpointSql>(store, 'SELECT * FROM checkpoints WHERE run_id = ? AND step = ?', runId, step);
  return r && checkpoint(store, r);
}

export async function getCheckpoint(store: ProjectStore, id: number): Promise<Checkpoint> {
  return checkpoint(store, requireRow(store, await one<CheckpointSql>(store, 'SELECT * FROM checkpoints WHERE id = ?', id), `checkpoint with id ${id}`));
}

export async function listCheckpoints(store: ProjectStore, runId: number): Promise<Checkpoint[]> {
  return (await all<CheckpointSql>(store, 'SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step', runId)).map((r) => checkpoint(store, r));
}

/** The run's checkpoint with the highest step: where a resumed run continues. */
export async function latestCheckpoint(store: ProjectStore, runId: number): Promise<Checkpoint | undefined> {
  const r = await one<CheckpointSql>(store, 'SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1', runId);
  return r && checkpoint(store, r);
}

/** Removes a checkpoint's row (the caller removes its files). */
export async function deleteCheckpoint(store: ProjectStore, id: number): Promise<void> {
  await run(store, 'DELETE FROM checkpoints WHERE id = ?', id);
}
