/**
 * Everything under src/ is there for the app: each module is reached from one of the app's
 * entry points, not only from test/ or bench/ (code only they use lives with them). The
 * imports come from dependency-cruiser with the project's own options (tsconfig resolution,
 * type-only imports counted); the app's entry points are the modules of src/ and bin/ that
 * nothing imports (the CLI's bin/depthseg.mjs, Electron's main and preload, the renderer's
 * main, the worker entries that are started by path).
 */
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { options: Record<string, unknown> };
const isApp = (path: string) => path.startsWith('src/') || path.startsWith('bin/');

describe('src/', () => {
  it('holds no module that only test/ or bench/ import', async () => {
    const result = await cruise(['src', 'bin', 'test', 'bench'], { ...config.options, validate: false }, {}, { tsConfig: extractTSConfig('tsconfig.json') });
    const modules = (result.output as ICruiseResult).modules;
    const importers = new Map<string, string[]>();
    for (const m of modules) for (const d of m.dependencies) importers.set(d.resolved, [...(importers.get(d.resolved) ?? []), m.source]);

    const app = modules.filter((m) => isApp(m.source));
    expect(app.length).toBeGreaterThan(100);
    const bySource = new Map(app.map((m) => [m.source, m]));
    const roots = app.filter((m) => !importers.has(m.source)).map((m) => m.source);
    expect(roots).toContain('bin/depthseg.mjs');
    const reached = new Set(roots);
    for (const todo = [...roots]; todo.length; ) {
      for (const d of bySource.get(todo.pop()!)?.dependencies ?? []) {
        if (isApp(d.resolved) && !reached.has(d.resolved)) {
          reached.add(d.resolved);
          todo.push(d.resolved);
        }
      }
    }
    const testOnly = app
      .filter((m) => !reached.has(m.source))
      .map((m) => `${m.source} (imported by ${(importers.get(m.source) ?? []).join(', ')})`);
    expect(testOnly, 'move these next to the tests or benchmarks that use them').toEqual([]);
  });
});
