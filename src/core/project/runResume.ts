/**
 * Continuing a paused training run by its id: the run's stored settings, resolved when it
 * started, are read back as they are (never derived again), so a run continues exactly as it
 * began whoever started it (app, CLI, demo, an older version whose settings had fewer knobs:
 * those get the declared defaults, which is what that version trained with).
 */
import { UsageError } from '../errors';
import { getRun, type JsonObject, type TrainingRun } from '../store';
import { resolvedSchema, type Setting, type SettingsOf } from '../settings';
import type { OpenProject } from './openProject';
import { reclaimStaleRuns } from './runLoop';

/** The paused run `runId` of kind `kind` in this project, or a UsageError saying why it cannot continue. */
export async function pausedRun(p: OpenProject, runId: number, kind: 'sde' | 'seg'): Promise<TrainingRun> {
  await reclaimStaleRuns(p.store, p.project.id);
  let run: TrainingRun;
  try {
    run = await getRun(p.store, runId);
  } catch {
    throw new UsageError(`there is no training run #${runId} in this project`);
  }
  if (run.projectId !== p.project.id) throw new UsageError(`training run #${runId} belongs to another project`);
  const what = { sde: 'an SDE', seg: 'a segmentation', student: 'a selection student' }[run.kind];
  if (run.kind !== kind) throw new UsageError(`run #${runId} is ${what} run: resume it with ${run.kind === 'sde' ? 'train-sde' : run.kind === 'seg' ? 'train-seg' : 'its own command'}`);
  if (run.status !== 'paused') {
    throw new UsageError(`run #${runId} is ${run.status}: only a paused run can be resumed${run.status === 'done' ? ' (start a new one)' : ''}`);
  }
  return run;
}

/** The declared settings a run stored (keys it does not know are its facts, left out here). */
export function storedSettings<L extends readonly Setting[]>(run: TrainingRun, list: L): SettingsOf<L> {
  const keys = new Set(list.map((s) => s.key));
  const picked = Object.fromEntries(Object.entries(run.config).filter(([k]) => keys.has(k)));
  const r = resolvedSchema(list).safeParse(picked);
  if (!r.success) {
    throw new UsageError(`run #${run.id}'s stored settings cannot be read: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  return r.data;
}

/** A number the run recorded beside its settings (e.g. labelledFrames), or undefined. */
export function runFact(run: TrainingRun, key: string): JsonObject[string] | undefined {
  return run.config[key];
}
