/**
 * A setting declared once: its name, type, bounds, default and description. Everything that
 * shows or checks a setting derives from its declaration: the API contract's schemas, the
 * CLI's flags and --help, the app's advanced panels, the presets of the demo and the
 * benchmarks, and the trainers' resolved settings (which the run stores as it is).
 *
 * Plain data and zod only (no Node, no tfjs): the renderer reads the declarations through the
 * API contract.
 */
import { z } from 'zod';

interface Common<K extends string> {
  /** The key in the settings object and in a run's stored settings. */
  readonly key: K;
  /** The CLI flag without dashes, e.g. 'frame-gap'. */
  readonly flag: string;
  /** The app's field label. */
  readonly label: string;
  /** One sentence: what it does (CLI --help, the field's hint). */
  readonly help: string;
  /** Shown only in the app's advanced panel (false: also among the main fields). */
  readonly advanced: boolean;
  /** Where else the default comes from (the UI and --help say so). */
  readonly inherits?: 'sdeRun';
  /** Surfaces that leave it out (e.g. a file path only the CLI can give). */
  readonly cliOnly?: boolean;
}

export interface IntSetting<K extends string = string> extends Common<K> {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly multipleOf?: number;
}

export interface NumberSetting<K extends string = string> extends Common<K> {
  readonly type: 'number';
  readonly default: number;
  /** Lowest value; with `minExclusive` the value must be above it. */
  readonly min: number;
  readonly minExclusive?: boolean;
  readonly max: number;
}

export interface ChoiceSetting<K extends string = string, O extends string = string> extends Common<K> {
  readonly type: 'choice';
  readonly options: readonly [O, ...O[]];
  readonly default: O;
  /** What each option means, for --help and the field's hint. */
  readonly optionHelp?: Readonly<Record<O, string>>;
}

export interface BoolSetting<K extends string = string> extends Common<K> {
  readonly type: 'bool';
  readonly default: boolean;
}

/** A reference to a training run of the project (null: the newest that fits). */
export interface RunRefSetting<K extends string = string> extends Common<K> {
  readonly type: 'runRef';
  readonly default: null;
}

/** A folder path (null: none). */
export interface PathSetting<K extends string = string> extends Common<K> {
  readonly type: 'path';
  readonly default: null;
}

export type Setting = IntSetting | NumberSetting | ChoiceSetting | BoolSetting | RunRefSetting | PathSetting;

/** The value type of a setting. */
export type ValueOf<S> = S extends ChoiceSetting<string, infer O>
  ? O
  : S extends IntSetting | NumberSetting
    ? number
    : S extends BoolSetting
      ? boolean
      : S extends RunRefSetting
        ? number | null
        : S extends PathSetting
          ? string | null
          : never;

/** The resolved settings object of a list of declarations. */
export type SettingsOf<L extends readonly Setting[]> = { [S in L[number] as S['key']]: ValueOf<S> };

/** The zod schema of one value (no default, not optional). */
export function valueSchema(s: Setting): z.ZodTypeAny {
  switch (s.type) {
    case 'int': {
      let v = z.number({ error: 'must be a whole number' }).int('must be a whole number').min(s.min, `must be at least ${s.min}`).max(s.max, `must be at most ${s.max}`);
      if (s.multipleOf) {
        const m = s.multipleOf;
        return v.refine((x) => x % m === 0, `must be a multiple of ${m}`);
      }
      return v;
    }
    case 'number': {
      const base = z.number({ error: 'must be a number' }).finite('must be a finite number');
      const low = s.minExclusive ? base.gt(s.min, `must be above ${s.min}`) : base.min(s.min, `must be at least ${s.min}`);
      return low.max(s.max, `must be at most ${s.max}`);
    }
    case 'choice':
      return z.enum(s.options as [string, ...string[]], { error: `must be one of ${s.options.join(', ')}` });
    case 'bool':
      return z.boolean({ error: 'must be true or false' });
    case 'runRef':
      return z.number({ error: 'must be a run number' }).int('must be a run number').min(1, 'must be a run number').nullable();
    case 'path':
      return z.string().min(1, 'must be a folder').max(4096).nullable();
  }
}

/** Every setting optional (what a caller may give), unknown keys refused. */
export function inputSchema<L extends readonly Setting[]>(list: L): z.ZodType<Partial<SettingsOf<L>>> {
  return z.object(Object.fromEntries(list.map((s) => [s.key, valueSchema(s).optional()]))).strict() as unknown as z.ZodType<Partial<SettingsOf<L>>>;
}

/** Every setting present: defaults filled in where not given. */
export function resolvedSchema<L extends readonly Setting[]>(list: L): z.ZodType<SettingsOf<L>, Partial<SettingsOf<L>>> {
  return z.object(Object.fromEntries(list.map((s) => [s.key, valueSchema(s).default(s.default as never)]))).strict() as unknown as z.ZodType<
    SettingsOf<L>,
    Partial<SettingsOf<L>>
  >;
}

/** The defaults of a list, as a settings object. */
export function defaultsOf<L extends readonly Setting[]>(list: L): SettingsOf<L> {
  return Object.fromEntries(list.map((s) => [s.key, s.default])) as SettingsOf<L>;
}

/** Why a value is wrong for a setting, in words, or null where it is right. */
export function settingProblem(s: Setting, value: unknown): string | null {
  const r = valueSchema(s).safeParse(value);
  return r.success ? null : (r.error.issues[0]?.message ?? 'is not valid');
}

/** A value as --help and the app show it (learning rates as 2e-4, not 0.0002). */
export function formatValue(v: unknown): string {
  if (v === null) return 'none';
  if (typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-2) return v.toExponential().replace(/\.?0+e/, 'e').replace('e-', 'e-');
  return String(v);
}

/** The default in words: "2e-4", "the SDE run's (else 128)", "the newest finished SDE run". */
export function defaultText(s: Setting): string {
  if (s.inherits === 'sdeRun') return `the SDE run's, else ${formatValue(s.default)}`;
  if (s.type === 'runRef') return 'the newest finished one';
  if (s.type === 'path') return 'none';
  return formatValue(s.default);
}

/**
 * Checks that `settings` holds every declared key with a valid value (resolved settings, as
 * the trainers take them); throws an Error naming what is missing or wrong. Nothing is filled
 * in: a trainer never supplies a default of its own.
 */
export function requireResolved<L extends readonly Setting[]>(list: L, settings: SettingsOf<L>, what: string): SettingsOf<L> {
  const problems: string[] = [];
  for (const s of list) {
    const v = (settings as Record<string, unknown>)[s.key];
    if (v === undefined) problems.push(`${s.key} is missing`);
    else {
      const p = settingProblem(s, v);
      if (p) problems.push(`${s.key} ${p} (got ${JSON.stringify(v)})`);
    }
  }
  if (problems.length) throw new Error(`${what}: settings are not resolved: ${problems.join('; ')}`);
  return settings;
}

/** The declared default of `key` in a list. */
export function defaultOf<L extends readonly Setting[], K extends L[number]['key']>(list: L, key: K): SettingsOf<L>[K] {
  const s = list.find((x) => x.key === key);
  if (!s) throw new Error(`no setting '${key}' is declared`);
  return s.default as SettingsOf<L>[K];
}
