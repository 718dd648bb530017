/**
 * Every training knob is declared once (src/core/settings): the CLI's flags and --help, the
 * API contract's schemas and the app's defaults derive from the declaration, and no other
 * source file restates a declared default (a preset states only what it changes).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainSdeCommand } from '../../src/cli/commands/trainSde';
import { trainSegCommand } from '../../src/cli/commands/trainSeg';
import { sdeSettingsInput, segSettingsInput, SEG_SETTINGS_IN_APP } from '../../src/core/api/contract';
import { defaultsOf, defaultText, SDE_SETTINGS, SEG_SETTINGS, settingProblem, type Setting } from '../../src/core/settings';

const LISTS = { sde: SDE_SETTINGS, seg: SEG_SETTINGS } as const;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : /\.(ts|vue|mjs)$/.test(n) ? [p] : [];
  });
}

describe('the settings declarations', () => {
  for (const [name, list] of Object.entries(LISTS) as [string, readonly Setting[]][]) {
    it(`${name}: keys and flags are unique, every default passes its own bounds, every setting says what it does`, () => {
      expect(new Set(list.map((s) => s.key)).size).toBe(list.length);
      expect(new Set(list.map((s) => s.flag)).size).toBe(list.length);
      for (const s of list) {
        expect(settingProblem(s, s.default), s.key).toBeNull();
        expect(s.help.length, s.key).toBeGreaterThan(5);
        expect(s.label.length, s.key).toBeGreaterThan(0);
      }
    });
  }

  it("the CLI's flags and --help come from the declarations, with the declared defaults", () => {
    for (const [command, list] of [
      [trainSdeCommand, SDE_SETTINGS],
      [trainSegCommand, SEG_SETTINGS],
    ] as const) {
      for (const s of list as readonly Setting[]) {
        const line = command.usage.split('\n').find((l) => l.trimStart().startsWith(`--${s.flag} `));
        expect(line, `${command.name} --${s.flag}`).toBeDefined();
        const text = command.usage.slice(command.usage.indexOf(line!));
        expect(text.slice(0, 400)).toContain(`(default ${defaultText(s)})`);
      }
    }
  });

  it("the API contract's schemas accept exactly the declared keys, within the declared bounds", () => {
    for (const [schema, list] of [
      [sdeSettingsInput, SDE_SETTINGS],
      [segSettingsInput, SEG_SETTINGS],
    ] as const) {
      expect(schema.safeParse(defaultsOf(list as readonly Setting[])).success).toBe(true);
      expect(schema.safeParse({ notASetting: 1 }).success).toBe(false);
      for (const s of list as readonly Setting[]) {
        if (s.type === 'int' || s.type === 'number') expect(schema.safeParse({ [s.key]: s.min - 1 }).success, s.key).toBe(false);
      }
    }
    // The app cannot name a checkpoint folder elsewhere: that one is the CLI's.
    expect(SEG_SETTINGS_IN_APP.map((s) => s.key)).not.toContain('sdeCheckpoint');
  });

  it('no other source file restates a declared default (presets state only what they change)', () => {
    // Names that mean other things too (a synthetic dataset's seed, a convolution's stride, an
    // image's height) are left out: their defaults cannot be told apart by name.
    const generic = new Set(['seed', 'net', 'batchSize', 'stride', 'height', 'width']);
    const declared = [...SDE_SETTINGS, ...SEG_SETTINGS].filter((s) => (s.type === 'int' || s.type === 'number' || s.type === 'choice') && !generic.has(s.key));
    // The quality benchmark's rows name their mode, mix and transfer in full on purpose: each row is a configuration of the paper's table,
    // whatever the defaults are.
    const allowed = (hit: string) => /^bench\/quality(Real)?\.ts: (mode|mix|transfer): '\w+'$/.test(hit);
    const offenders: string[] = [];
    // Where training is configured: the runs, the trainers, the API, the CLI, the app's training forms, the benchmarks.
    const where = [
      ...filesUnder(join('src', 'core', 'workflows')),
      ...['trainSde', 'trainSeg'].map((n) => join('src', 'core', 'project', `${n}.ts`)),
      ...filesUnder(join('src', 'core', 'ml', 'train')),
      ...filesUnder(join('src', 'core', 'api')),
      ...filesUnder(join('src', 'cli')),
      join('src', 'renderer', 'src', 'stores', 'training.ts'),
      join('src', 'renderer', 'src', 'training', 'trainingFormat.ts'),
      join('src', 'renderer', 'src', 'views', 'TrainingView.vue'),
      ...filesUnder('bench').filter((f) => /quality|selection/.test(f)),
    ];
    for (const file of where) {
      const text = readFileSync(file, 'utf8');
      for (const s of declared) {
        const values = s.type === 'choice' ? [`'${s.default}'`] : [String(s.default), (s.default as number).toExponential().replace('e-', 'e-').replace(/\.?0+e/, 'e')];
        for (const v of new Set(values)) {
          const re = new RegExp(`\\b${s.key}\\s*(:|\\?\\?|=)\\s*${v.replace(/[.+]/g, '\\$&')}(?![\\w.])`);
          const m = re.exec(text);
          if (m && !allowed(`${relative('.', file)}: ${m[0]}`)) offenders.push(`${relative('.', file)}: ${m[0]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
