/**
 * `train-sde` on a project: self-supervised depth pretraining on the train split's clips,
 * evaluated against ground-truth depth where the dataset has it (synthetic data), as a
 * resumable training run of kind 'sde'. The run stores its resolved settings; a paused run
 * continues by its id (`resume`).
 */
import { UsageError } from '../errors';
import { netPreset } from '../ml/nets';
import { evaluateDepth } from '../ml/train/evaluate';
import { FrameCache } from '../ml/train/frameCache';
import { gapOffsets } from '../ml/train/samples';
import { SdeTrainer } from '../ml/train/sdeTrainer';
import { SDE_SETTINGS, sdeSettingsResolved, type SdeSettings } from '../settings';
import { createRun, type JsonObject } from '../store';
import type { OpenProject } from './openProject';
import { driveRun, reclaimStaleRuns, refuseWhileAnotherRuns, type RunControl, type RunOutcome } from './runLoop';
import { pausedRun, storedSettings } from './runResume';
import { depthEvaluationSamples, sdeTrainingSamples } from './trainingData';

/** Settings as a caller gives them, checked, with the declared defaults filled in (UsageError naming each bad field). */
export function parseSettings<T extends import('zod').ZodTypeAny>(schema: T, raw: unknown, what: string): import('zod').infer<T> {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) throw new UsageError(`${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(settings)'} ${i.message}`).join('; ')}`);
  return r.data;
}

export interface TrainOptions extends RunControl {
  /** Continue this paused run (its stored settings; the settings given are ignored). */
  resume?: number;
}

/** The settings of a new SDE run: the declared defaults and what was given. */
export function resolveSdeSettings(input: Partial<SdeSettings>): SdeSettings {
  return parseSettings(sdeSettingsResolved, input, 'SDE training settings');
}

export async function trainSde(p: OpenProject, input: Partial<SdeSettings>, opts: TrainOptions = {}): Promise<RunOutcome> {
  await reclaimStaleRuns(p.store, p.project.id);
  const resumed = opts.resume !== undefined ? await pausedRun(p, opts.resume, 'sde') : undefined;
  const s = resumed ? storedSettings(resumed, SDE_SETTINGS) : resolveSdeSettings(input);
  const samples = await sdeTrainingSamples(p, s.stride, gapOffsets(s.frameGap));
  const frames = new FrameCache({ height: s.height, width: s.width });
  const trainer = new SdeTrainer({ settings: s, net: netPreset(s.net) }, samples, frames);
  try {
    await refuseWhileAnotherRuns(p.store, p.project.id);
    const run = resumed ?? await createRun(p.store, { projectId: p.project.id, kind: 'sde', config: s as unknown as JsonObject });
    const evalSamples = await depthEvaluationSamples(p);
    return await driveRun({
      store: p.store,
      run,
      trainer,
      control: opts,
      extraState: { trainFrames: samples.length },
      evaluate: async () => {
        const d = await evaluateDepth(trainer.depth, evalSamples, frames);
        if (!d) return { metrics: { trainFrames: samples.length }, points: {} };
        const { frames: n, ...errors } = d;
        return {
          metrics: { ...errors, evalFrames: n, trainFrames: samples.length },
          points: Object.fromEntries(Object.entries(errors).map(([k, v]) => [`val/depth/${k}`, v])),
        };
      },
    });
  } finally {
    trainer.dispose();
  }
}
