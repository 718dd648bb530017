/**
 * Training settings for the API: the defaults a new run gets (what the app's forms start
 * from), and the resolved settings a new run will store, checked before its job starts so
 * the app hears at once why a start is refused (no SDE run yet, no labelled frame).
 */
import { UsageError } from '../errors';
import type { OpenProject } from '../project/openProject';
import { sdeUnavailableReason, segTrainingSamples } from '../project/trainingData';
import { readProjectSettings } from '../project/projectSettings';
import { resolveSdeSettings } from '../project/trainSde';
import { resolveSegSettings, sdeSource, segFallbackWithoutSde } from '../project/trainSeg';
import { defaultsOf, SDE_SETTINGS, SEG_SETTINGS, type SdeSettings, type SegSettings } from '../settings';
import type { SdeSettingsInput, SegSettingsInput, TrainingDefaults } from './contract';

/** Frames with a finished mask (what segmentation trains on). */
export async function labelledFrameCount(p: OpenProject): Promise<number> {
  return (await segTrainingSamples(p)).labelled.length;
}

/** A new SDE run's resolved settings. */
export function newSdeSettings(input: SdeSettingsInput): SdeSettings {
  return resolveSdeSettings(input);
}

/** A new segmentation run's resolved settings; refused where no frame is labelled or the mode needs an SDE model there is not. */
export async function newSegSettings(p: OpenProject, input: SegSettingsInput): Promise<SegSettings> {
  const { settings } = await resolveSegSettings(p, input);
  if (await labelledFrameCount(p) === 0) {
    throw new UsageError(
      (await readProjectSettings(p.store)).trainApprovedOnly
        ? 'no approved masks yet: the project trains only masks a reviewer approved (project setting); approve some in the queue before retraining'
        : 'no labelled frames yet: mark some suggested frames done in the annotator before retraining',
    );
  }
  return settings;
}

export async function trainingDefaults(p: OpenProject): Promise<TrainingDefaults> {
  const basis = await sdeSource(p);
  const { sdeCheckpoint: _none, ...seg } = defaultsOf(SEG_SETTINGS);
  const sdeUnavailable = await sdeUnavailableReason(p);
  const fallback = basis ? null : segFallbackWithoutSde({}, sdeUnavailable === null);
  return {
    sde: defaultsOf(SDE_SETTINGS),
    seg: {
      ...seg,
      ...(basis ? { net: basis.net, height: basis.height, width: basis.width } : {}),
      ...(fallback ? { mode: fallback.mode, mix: fallback.mix } : {}),
      sdeRunId: basis?.run?.id ?? null,
    },
    segNote: fallback?.note ?? null,
    sdeUnavailable,
    labelledFrames: await labelledFrameCount(p),
    trainApprovedOnly: (await readProjectSettings(p.store)).trainApprovedOnly,
  };
}
