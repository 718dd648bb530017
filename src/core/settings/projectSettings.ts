/**
 * The project's own settings, kept in its database (table `settings`, key `project.<key>`)
 * rather than in a run's: they apply to every run and export of the project. Declared once here.
 */
import type { BoolSetting, SettingsOf } from './setting';
import { inputSchema, resolvedSchema } from './setting';

export const TRAIN_APPROVED_ONLY: BoolSetting<'trainApprovedOnly'> = {
  type: 'bool',
  key: 'trainApprovedOnly',
  flag: 'train-approved-only',
  label: 'Train only approved masks',
  help: 'segmentation training and label export take only masks a reviewer approved (off: every mask marked done)',
  advanced: false,
  default: false,
};

export const PROJECT_SETTINGS = [TRAIN_APPROVED_ONLY] as const;
export type ProjectSettings = SettingsOf<typeof PROJECT_SETTINGS>;
export const projectSettingsInput = inputSchema(PROJECT_SETTINGS);
export const projectSettingsResolved = resolvedSchema(PROJECT_SETTINGS);

/** The key a project setting has in the project's `settings` table. */
export const projectSettingKey = (key: keyof ProjectSettings): string => `project.${key}`;
