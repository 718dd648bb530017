/**
 * CLI flags and --help lines derived from the settings' declarations (src/core/settings): one
 * flag per setting, checked against its declared bounds, with its declared default in the
 * help. `--size HxW` sets height and width together where both are declared.
 */
import { UsageError } from '../core/errors';
import { defaultText, settingProblem, type Setting } from '../core/settings';
import type { FlagSpec } from './args';

const KIND: Record<Setting['type'], 'string' | 'number'> = { int: 'number', number: 'number', choice: 'string', bool: 'string', runRef: 'number', path: 'string' };

function hasSize(list: readonly Setting[]): boolean {
  return list.some((s) => s.key === 'height') && list.some((s) => s.key === 'width');
}

/** The flag spec of a list of settings (for parseArgs). */
export function settingFlags(list: readonly Setting[]): FlagSpec {
  const spec: FlagSpec = Object.fromEntries(list.map((s) => [s.flag, KIND[s.type]]));
  if (hasSize(list)) spec['size'] = 'string';
  return spec;
}

function placeholder(s: Setting): string {
  switch (s.type) {
    case 'int':
      return 'N';
    case 'number':
      return 'X';
    case 'choice':
      return s.options.join('|');
    case 'bool':
      return 'true|false';
    case 'runRef':
      return 'ID';
    case 'path':
      return 'DIR';
  }
}

/** The settings given on the command line, each checked; a UsageError names the flag and what is wrong. */
export function settingsFromFlags(list: readonly Setting[], flags: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (hasSize(list) && typeof flags['size'] === 'string') {
    const text = flags['size'];
    const m = /^(\d+)x(\d+)$/.exec(text.trim());
    if (!m) throw new UsageError(`--size must be HxW, e.g. 128x256 (got '${text}')`);
    out['height'] = Number(m[1]);
    out['width'] = Number(m[2]);
  }
  for (const s of list) {
    let v = flags[s.flag];
    if (v === undefined) continue;
    if (s.type === 'bool') {
      if (v !== 'true' && v !== 'false') throw new UsageError(`--${s.flag} must be true or false (got '${String(v)}')`);
      v = v === 'true';
    }
    out[s.key] = v;
  }
  for (const s of list) {
    if (!(s.key in out)) continue;
    const problem = settingProblem(s, out[s.key]);
    const flag = (s.key === 'height' || s.key === 'width') && flags['size'] !== undefined ? `size (${s.key})` : s.flag;
    if (problem) throw new UsageError(`--${flag} ${problem} (got ${JSON.stringify(out[s.key])})`);
  }
  return out;
}

/** The usage line's flags: "[--net tiny|small|reference] [--size HxW] [--steps N] ...". */
export function settingsSynopsis(list: readonly Setting[]): string {
  const size = hasSize(list);
  return list
    .filter((s) => !(size && s.key === 'width'))
    .map((s) => (size && s.key === 'height' ? '[--size HxW]' : `[--${s.flag} ${placeholder(s)}]`))
    .join(' ');
}

/** One help line per setting: flag, what it does, its declared default. */
export function settingsHelp(list: readonly Setting[], width = 24): string {
  const lines: string[] = [];
  const line = (left: string, text: string): void => {
    lines.push(left.length <= width - 4 ? `  ${left.padEnd(width - 2)}${text}` : `  ${left}\n${' '.repeat(width)}${text}`);
  };
  for (const s of list) {
    line(`--${s.flag} ${placeholder(s)}`, `${s.help} (default ${defaultText(s)})`);
    if (s.type === 'choice' && s.optionHelp) {
      for (const o of s.options) lines.push(`${' '.repeat(width + 2)}${o}: ${(s.optionHelp as Record<string, string>)[o]}`);
    }
  }
  if (hasSize(list)) line('--size HxW', 'height and width together, e.g. 128x256');
  return lines.join('\n');
}

/** The setting flags given on the command line, as the user typed them (for messages). */
export function givenSettingFlags(list: readonly Setting[], flags: Record<string, unknown>): string[] {
  const names = new Set(Object.keys(settingFlags(list)));
  return Object.keys(flags)
    .filter((f) => names.has(f) && flags[f] !== undefined)
    .map((f) => `--${f}`);
}

/** Refuses setting flags beside --resume: a resumed run keeps the settings it stored. */
export function refuseSettingsWithResume(list: readonly Setting[], flags: Record<string, unknown>, resume: number | undefined): void {
  const given = givenSettingFlags(list, flags);
  if (resume !== undefined && given.length > 0) {
    throw new UsageError(`--resume continues run #${resume} with the settings it stored; leave out ${given.join(', ')}`);
  }
}
