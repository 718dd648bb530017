/**
 * The layer rules of .dependency-cruiser.cjs name every folder of src/core (and the files
 * directly in it), each in exactly one layer: a new folder cannot land without its place in
 * the order. `npm run lint:arch` checks the imports against these rules.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Rule {
  name: string;
  from: { path?: string | string[]; pathNot?: string | string[] };
  to: { path?: string | string[]; pathNot?: string | string[] };
}

const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { forbidden: Rule[] };
const layerRules = config.forbidden.filter((r) => r.name.startsWith('layer-'));
const anyMatch = (patterns: string | string[] | undefined, file: string): boolean => [patterns ?? []].flat().some((p) => new RegExp(p).test(file));
/** The rules whose `from` takes in this file. */
const rulesFor = (file: string): string[] => layerRules.filter((r) => anyMatch(r.from.path, file) && !anyMatch(r.from.pathNot, file)).map((r) => r.name);
/** Whether a layer rule forbids an import from `from` to `to` (the same test dependency-cruiser makes). */
const forbidden = (from: string, to: string): boolean =>
  layerRules.some((r) => anyMatch(r.from.path, from) && !anyMatch(r.from.pathNot, from) && anyMatch(r.to.path, to) && !anyMatch(r.to.pathNot, to));

const entries = readdirSync('src/core', { withFileTypes: true });
const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
const files = entries.filter((e) => e.isFile()).map((e) => e.name);

describe('the layers of src/core', () => {
  it('name every folder of src/core, each in exactly one layer rule', () => {
    expect(folders.length).toBeGreaterThan(5);
    const unplaced = folders.map((f) => ({ folder: f, rules: rulesFor(`src/core/${f}/x.ts`) })).filter((p) => p.rules.length !== 1);
    expect(unplaced, 'add each folder to LAYERS in .dependency-cruiser.cjs').toEqual([]);
  });

  it('put the files directly in src/core in the base layer', () => {
    for (const f of files) expect(rulesFor(`src/core/${f}`), f).toEqual(['layer-00-base-files']);
  });

  it('form one order: for any two folders, at most one direction is allowed, and the base files are below all', () => {
    for (const a of folders) {
      expect(forbidden(`src/core/${a}/x.ts`, `src/core/${a}/y.ts`), `${a} inside itself`).toBe(false);
      expect(forbidden(`src/core/${a}/x.ts`, 'src/core/errors.ts'), `${a} -> base files`).toBe(false);
      expect(forbidden('src/core/errors.ts', `src/core/${a}/x.ts`), `base files -> ${a}`).toBe(true);
      for (const b of folders) {
        if (a === b) continue;
        const up = forbidden(`src/core/${a}/x.ts`, `src/core/${b}/x.ts`);
        const down = forbidden(`src/core/${b}/x.ts`, `src/core/${a}/x.ts`);
        expect(up || down, `${a} <-> ${b} both allowed`).toBe(true);
      }
    }
  });
});
