/**
 * A training settings form derived from the settings' declarations (SDE_SETTINGS,
 * SEG_SETTINGS_IN_APP in the contract): what each field holds, how a typed value is checked
 * (settingProblem: the core's own rule and words), and the settings a start sends. No field
 * is written out by hand. Plain TypeScript (tested in Node).
 *
 * Numbers are kept as the text the user typed, so a wrong value ("abc", "-5") stays in the
 * field and is named next to it, instead of being lost or silently replaced.
 */
import { defaultText, formatValue, settingProblem, type Setting } from '../../../core/api/contract';

/** A field's value: typed text (int, number), an option (choice), a flag (bool), a run id or null (runRef). */
export type FieldValue = string | number | boolean | null;
export type SettingsForm = Record<string, FieldValue>;

/** The form holding `values` (a run's resolved settings, or trainingDefaults). */
export function formFrom(list: readonly Setting[], values: Readonly<Record<string, unknown>>): SettingsForm {
  const form: SettingsForm = {};
  for (const s of list) {
    const v = values[s.key] ?? s.default;
    form[s.key] = s.type === 'int' || s.type === 'number' ? (typeof v === 'number' ? formatValue(v) : String(v ?? '')) : (v as FieldValue);
  }
  return form;
}

/** The value a field's content stands for (numbers parsed; what cannot be parsed stays text). */
export function parseField(s: Setting, raw: FieldValue | undefined): unknown {
  if (s.type !== 'int' && s.type !== 'number') return raw;
  if (typeof raw === 'number') return raw;
  const text = String(raw ?? '').trim();
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? text : n;
}

/** Why the field's content is wrong, in words ("must be at least 1"), or null. */
export function fieldProblem(s: Setting, raw: FieldValue | undefined): string | null {
  const v = parseField(s, raw);
  if (v === undefined) return 'needs a value';
  return settingProblem(s, v);
}

export interface FormCheck {
  /** Problem per field key. */
  readonly problems: Readonly<Record<string, string>>;
  /** The labels of the fields to fix, in form order. */
  readonly invalid: readonly string[];
}

export function checkForm(list: readonly Setting[], form: SettingsForm): FormCheck {
  const problems: Record<string, string> = {};
  const invalid: string[] = [];
  for (const s of list) {
    const p = fieldProblem(s, form[s.key]);
    if (p) {
      problems[s.key] = p;
      invalid.push(s.label);
    }
  }
  return { problems, invalid };
}

/** "Steps", "Steps and Height", "Steps, Learning rate and Height". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The settings a start sends: every field's value (the form is checked first); a run
 * reference left at "the newest" (null) is left out, so the core picks it.
 */
export function formSettings(list: readonly Setting[], form: SettingsForm): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of list) {
    const v = parseField(s, form[s.key]);
    if (s.type === 'runRef' && v === null) continue;
    if (v !== undefined) out[s.key] = v;
  }
  return out;
}

/** What a numeric field accepts, in words: "1 to 1000000", "32 to 2048, a multiple of 16", "above 0, up to 10". */
export function rangeText(s: Setting): string | null {
  if (s.type === 'int') return `${formatValue(s.min)} to ${formatValue(s.max)}${s.multipleOf && !s.help.includes('multiple of') ? `, a multiple of ${s.multipleOf}` : ''}`;
  if (s.type === 'number') return `${s.minExclusive ? `above ${formatValue(s.min)}, up to` : `${formatValue(s.min)} to`} ${formatValue(s.max)}`;
  return null;
}

/**
 * The field's hint: what it does, what it accepts and its declared default ("default: the SDE
 * run's, else 128"); for a choice, what the chosen option means first.
 */
export function fieldHint(s: Setting, value?: FieldValue): string {
  const range = rangeText(s);
  const chosen = s.type === 'choice' && typeof value === 'string' ? (s.optionHelp as Readonly<Record<string, string>> | undefined)?.[value] : undefined;
  return `${chosen ? `${value}: ${chosen}. ` : ''}${s.help}${range ? ` (${range})` : ''}; default: ${defaultText(s)}`;
}

/**
 * The HTML input's attributes for a numeric field: a number input (min, max, step) for whole
 * numbers; a text field for other numbers, so "2e-4" and a mistyped "abc" stay as typed and
 * the message next to the field can name what is wrong.
 */
export function numericAttrs(s: Setting): Record<string, string | number> {
  if (s.type === 'int') return { type: 'number', min: s.min, max: s.max, step: s.multipleOf ?? 1 };
  if (s.type === 'number') return { type: 'text', inputmode: 'decimal', spellcheck: 'false', autocomplete: 'off' };
  return {};
}
