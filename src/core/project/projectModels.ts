/**
 * Where a project's trained models live. A training run writes checkpoints under
 * `checkpoints/run-<id>/step-<n>/`; each holds `model/` (the run's main network in the tfjs
 * layers format: the depth network for an SDE run, the segmentation or multi-task network
 * for a segmentation run, the student for a selection student) beside the state needed to
 * resume (see ml/train/checkpoint). The newest checkpoint of the newest finished run of a
 * kind is "the project's model" of that kind.
 */
import { join } from 'node:path';
import { latestCheckpoint, listRuns, type ProjectStore, type RunKind, type TrainingRun } from '../store';

/** Checkpoint folder of a run at a step, relative to the project folder. */
export function checkpointPath(runId: number, step: number): string {
  return join('checkpoints', `run-${runId}`, `step-${String(step).padStart(7, '0')}`);
}

/** The model folder inside a checkpoint folder. */
export const MODEL_SUBDIR = 'model';

export interface ProjectModel {
  run: TrainingRun;
  step: number;
  /** Absolute path of the model folder (model.json + weights.bin). */
  modelDir: string;
}

/**
 * The model of the newest run of `kind` that finished (status done), optionally of a mode;
 * undefined where there is none.
 */
export async function latestModel(store: ProjectStore, projectId: number, kind: RunKind, mode?: string): Promise<ProjectModel | undefined> {
  const runs = (await listRuns(store, projectId, kind)).filter((r) => r.status === 'done' && (mode === undefined || r.mode === mode));
  for (const run of runs.reverse()) {
    const ckpt = await latestCheckpoint(store, run.id);
    if (ckpt) return { run, step: ckpt.step, modelDir: join(store.dir, ckpt.path, MODEL_SUBDIR) };
  }
  return undefined;
}
