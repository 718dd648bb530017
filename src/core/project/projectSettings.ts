/**
 * The project's own settings (declared in settings/projectSettings.ts), read from and written to
 * its database, and the rule they set for which masks train and export.
 */
import { PROJECT_SETTINGS, projectSettingKey, projectSettingsResolved, type ProjectSettings } from '../settings';
import { getSetting, setSetting, type LabelMaskRow, type ProjectStore } from '../store';
import { valueSchema } from '../settings/setting';

export async function readProjectSettings(store: ProjectStore): Promise<ProjectSettings> {
  const out: Record<string, unknown> = {};
  for (const s of PROJECT_SETTINGS) {
    const v = await getSetting(store, projectSettingKey(s.key), (x) => valueSchema(s).parse(x) as unknown);
    if (v !== undefined) out[s.key] = v;
  }
  return projectSettingsResolved.parse(out);
}

/** Sets the settings given (others keep their values); returns them all. */
export async function writeProjectSettings(store: ProjectStore, patch: Partial<ProjectSettings>): Promise<ProjectSettings> {
  for (const s of PROJECT_SETTINGS) {
    const v = patch[s.key];
    if (v !== undefined) await setSetting(store, projectSettingKey(s.key), valueSchema(s).parse(v));
  }
  return readProjectSettings(store);
}

/** A mask segmentation trains on and export writes by default: done with a saved mask, and approved where the project asks for that. */
export function masksTrainOn(settings: ProjectSettings): (row: LabelMaskRow | undefined) => boolean {
  return (row) => !!row && row.status === 'done' && row.maskPath !== null && (!settings.trainApprovedOnly || row.review?.state === 'approved');
}
