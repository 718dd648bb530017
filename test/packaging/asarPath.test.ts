import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unpackedPath } from '../../src/core/asarPath';

// A packaged app's resources folder: app.asar (here a plain file, as on disk) and the
// unpacked copies beside it.
const resources = mkdtempSync(join(tmpdir(), 'depthseg-asar-'));
writeFileSync(join(resources, 'app.asar'), 'archive');
mkdirSync(join(resources, 'app.asar.unpacked', 'out', 'main'), { recursive: true });
writeFileSync(join(resources, 'app.asar.unpacked', 'out', 'main', 'worker.cjs'), '');
mkdirSync(join(resources, 'app.asar.unpacked', 'node_modules', 'pkg'), { recursive: true });
afterAll(() => rmSync(resources, { recursive: true, force: true }));

describe('unpackedPath', () => {
  it('maps a file or folder inside app.asar to its unpacked copy', () => {
    expect(unpackedPath(join(resources, 'app.asar', 'out', 'main', 'worker.cjs'))).toBe(join(resources, 'app.asar.unpacked', 'out', 'main', 'worker.cjs'));
    expect(unpackedPath(join(resources, 'app.asar', 'node_modules', 'pkg'))).toBe(join(resources, 'app.asar.unpacked', 'node_modules', 'pkg'));
  });

  it('leaves a path alone where no unpacked copy exists, or that is not in an archive', () => {
    const packedOnly = join(resources, 'app.asar', 'out', 'main', 'index.js');
    expect(unpackedPath(packedOnly)).toBe(packedOnly);
    const source = join(resources, 'src', 'core', 'engine', 'worker.cjs');
    expect(unpackedPath(source)).toBe(source);
    const already = join(resources, 'app.asar.unpacked', 'out', 'main', 'worker.cjs');
    expect(unpackedPath(already)).toBe(already);
  });
});
