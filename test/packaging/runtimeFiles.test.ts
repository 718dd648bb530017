/**
 * Everything the built app loads at run time is in the package, and what must be a real file
 * on disk is unpacked from app.asar. The list comes from the build and the code
 * (runtimeFiles.ts scans out/ from package.json's main); the package is what electron-builder
 * makes of electron-builder.yml, run offline for Linux into a folder (`--linux dir`) with a
 * stand-in Electron binary and without the native rebuild (both need downloads). The
 * installers (AppImage, deb, NSIS, DMG) wrap the same app folder.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackedPath } from '../../src/core/asarPath';
import { asar, asarUnpackFilter, loadConfig, packLinuxDir, type Configuration } from './electronBuilder';
import { packageNameOf, scanRuntimeFiles, scriptRefs, type RuntimeFiles } from './runtimeFiles';

const root = resolve(import.meta.dirname, '../..');
const posixRel = (from: string, to: string): string => relative(from, to).split(sep).join('/');

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

describe('the runtime-files scan (on a small made-up app)', () => {
  let app: string;
  beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'depthseg-scan-'));
    write(
      join(app, 'package.json'),
      JSON.stringify({ main: 'out/main/index.js', type: 'module', dependencies: { alpha: '1' }, optionalDependencies: { 'opt-native': '1' } }),
    );
    write(
      join(app, 'out/main/index.js'),
      `import { dirname, join } from 'node:path';
       import { fileURLToPath } from 'node:url';
       import { createRequire } from 'node:module';
       import alpha from 'alpha';
       // a comment that says require('not-a-dependency') is not code
       const req = createRequire(import.meta.url);
       function unpackedPath(p) { return p; }
       new Worker(new URL('./worker.mjs', import.meta.url));
       const preload = join(__dirname, '../preload/index.cjs');
       const page = join(__dirname, '../renderer/index.html');
       const dir = unpackedPath(dirname(req.resolve('alpha/package.json')));
       const wasm = join(dir, 'lib', 'engine.wasm');
       const data = join(dir, 'project.sqlite');
       const pthread = unpackedPath(fileURLToPath(new URL('./pthread.cjs', import.meta.url)));
       for (const name of ['opt-native', 'not-declared']) await import(name);`,
    );
    write(join(app, 'out/main/worker.mjs'), `import './chunk.js';`);
    write(join(app, 'out/main/chunk.js'), `export const x = 1;`);
    write(join(app, 'out/main/pthread.cjs'), `require('alpha/lib/threads.js'); require('node:fs');`);
    write(join(app, 'out/preload/index.cjs'), `require('electron');`);
    write(join(app, 'out/renderer/index.html'), `<script type="module" src="./assets/app.js"></script><link rel="stylesheet" href="./assets/app.css"><link rel="icon" href="data:,">`);
    write(join(app, 'out/renderer/assets/app.js'), `import('./lazy.js');`);
    write(join(app, 'out/renderer/assets/lazy.js'), ``);
    write(join(app, 'out/renderer/assets/app.css'), ``);
    write(join(app, 'node_modules/alpha/package.json'), JSON.stringify({ name: 'alpha', main: 'index.js', dependencies: { beta: '1' } }));
    write(join(app, 'node_modules/alpha/index.js'), `module.exports = 1;`);
    write(join(app, 'node_modules/alpha/lib/engine.wasm'), `\0asm`);
    write(join(app, 'node_modules/alpha/lib/threads.js'), `require('beta');`);
    write(join(app, 'node_modules/beta/package.json'), JSON.stringify({ name: 'beta' }));
    write(join(app, 'node_modules/beta/index.js'), `module.exports = require('./build/Release/beta.node');`);
    write(join(app, 'node_modules/beta/build/Release/beta.node'), `native`);
    write(join(app, 'node_modules/beta/build/Release/obj.target/beta.node'), `intermediate`);
    write(join(app, 'node_modules/beta/lib/libbeta.so.1.2'), `native`);
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('follows imports, worker URLs, __dirname paths, the page, package paths and native code', () => {
    const r = scanRuntimeFiles(app);
    expect(r.missing).toEqual([]);
    expect([...r.files.keys()].sort()).toEqual(
      [
        'node_modules/alpha/lib/engine.wasm',
        'node_modules/alpha/lib/threads.js',
        'node_modules/alpha/package.json',
        'node_modules/beta/build/Release/beta.node',
        'node_modules/beta/index.js',
        'node_modules/beta/lib/libbeta.so.1.2',
        'out/main/chunk.js',
        'out/main/index.js',
        'out/main/pthread.cjs',
        'out/main/worker.mjs',
        'out/preload/index.cjs',
        'out/renderer/assets/app.css',
        'out/renderer/assets/app.js',
        'out/renderer/assets/lazy.js',
        'out/renderer/index.html',
        'package.json',
      ].sort(),
    );
    expect(Object.fromEntries([...r.packages].map(([k, v]) => [k, [v.how, v.optional, v.installed]]))).toEqual({
      alpha: ['import', false, true],
      beta: ['require', false, true],
      'opt-native': ['computed-import', true, false],
    });
  });

  it('asks for on disk what goes through unpackedPath, what an unpacked script requires, and native code', () => {
    const r = scanRuntimeFiles(app);
    expect([...r.onDisk.keys()].sort()).toEqual(
      [
        'node_modules/alpha/lib/engine.wasm',
        'node_modules/alpha/lib/threads.js',
        'node_modules/alpha/package.json',
        'node_modules/beta/build/Release/beta.node',
        'node_modules/beta/index.js',
        'node_modules/beta/lib/libbeta.so.1.2',
        'out/main/pthread.cjs',
      ].sort(),
    );
    expect([...r.packagesOnDisk.keys()]).toEqual(['node_modules/alpha']);
  });

  it('reports a reference to a file that is not there', () => {
    write(join(app, 'out/main/chunk.js'), `export const gone = new URL('./gone.cjs', import.meta.url);`);
    try {
      expect(scanRuntimeFiles(app).missing).toEqual(['out/main/gone.cjs (url in out/main/chunk.js)']);
    } finally {
      write(join(app, 'out/main/chunk.js'), `export const x = 1;`);
    }
  });
});

/** Lockfile entries of packages not installed here that would bring native code where they install. */
function nativePackagesNotInstalled(scan: RuntimeFiles): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; hasInstallScript?: boolean; os?: string[]; cpu?: string[] }>;
  };
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    const entry = lock.packages[key];
    if (!entry) return;
    const installed = existsSync(join(root, key, 'package.json'));
    // A package the app loads by name whose install builds or downloads native code (the
    // tfjs-node backends), or a platform's binary package (os/cpu: sharp's @img/* for others).
    const loadedByName = scan.packages.has(key.replace(/^node_modules\//, ''));
    if (!installed && ((loadedByName && entry.hasInstallScript) || entry.os || entry.cpu)) out.add(key);
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const nested = `${key}/node_modules/${dep}`;
      visit(lock.packages[nested] ? nested : `node_modules/${dep}`);
    }
  };
  for (const name of scan.packages.keys()) visit(`node_modules/${name}`);
  return [...out].sort();
}

describe('packaging: everything the built app loads at run time is in the package', () => {
  let scan: RuntimeFiles;
  let work: string;
  let resources: string;
  let archive: string;
  let unpackedRoot: string;
  /** App-relative paths of every entry in app.asar (files and folders). */
  let packed: Set<string>;
  let config: Configuration;

  beforeAll(async () => {
    // The same build CI runs before the tests, so the scan and the package see fresh output.
    const viteBin = join(dirname(createRequire(import.meta.url).resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
    await promisify(execFile)(process.execPath, [viteBin, 'build'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    scan = scanRuntimeFiles(root);
    config = await loadConfig(root);
    // Outside the repository: plain Node resolution from the package must not find the repo's node_modules.
    work = mkdtempSync(join(tmpdir(), 'depthseg-pack-'));
    ({ resources } = await packLinuxDir(root, work));
    archive = join(resources, 'app.asar');
    unpackedRoot = join(resources, 'app.asar.unpacked');
    packed = new Set(asar.listPackage(archive, { isPack: false }).map((p) => p.replace(/^[\\/]/, '').split(sep).join('/')));
  }, 600_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the scan reaches every file the build wrote, and every reference it found is there', () => {
    expect(scan.missing).toEqual([]);
    const built: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (!e.name.endsWith('.map')) built.push(posixRel(root, p));
      }
    };
    walk(join(root, 'out'));
    // A built file the scan does not reach is loaded in a way it cannot see (teach it) or dead weight.
    expect(built.filter((f) => !scan.files.has(f))).toEqual([]);
    // The loaders it must see: more than one script thread, wasm binaries, native modules.
    expect([...scan.files.values()].filter((f) => f.how === 'url').length).toBeGreaterThanOrEqual(2);
    expect([...scan.files.keys()].some((f) => f.endsWith('.wasm'))).toBe(true);
    expect([...scan.files.keys()].filter((f) => f.endsWith('.node')).length).toBeGreaterThanOrEqual(2);
  });

  it('packs every file the app loads into the app (app.asar or beside it)', () => {
    expect([...scan.files.keys()].filter((f) => !packed.has(f))).toEqual([]);
  });

  it('packs every installed package the app loads by name, with the entry Node resolves', () => {
    const fromMain = createRequire(join(root, 'out/main/index.js'));
    const notPacked: string[] = [];
    for (const [name, p] of scan.packages) {
      if (!p.installed) continue;
      if (!packed.has(`node_modules/${name}/package.json`)) notPacked.push(`${name} (loaded by ${p.by})`);
      let entry: string | null = null;
      try {
        entry = posixRel(root, fromMain.resolve(name));
      } catch {
        // ESM-only entry: the package.json check above stands
      }
      if (entry && !packed.has(entry)) notPacked.push(`${entry} (entry of ${name})`);
    }
    expect(notPacked).toEqual([]);
    // Only optional packages may be missing here (the tfjs-node backends do not install on this machine).
    expect([...scan.packages].filter(([, p]) => !p.installed && !p.optional).map(([n]) => n)).toEqual([]);
  });

  it('unpacks from app.asar, as real files, what must be on disk', () => {
    expect(scan.onDisk.size).toBeGreaterThan(0);
    const wrong: string[] = [];
    const check = (rel: string, why: string): void => {
      const entry = asar.statFile(archive, rel) as { unpacked?: boolean };
      if (!entry.unpacked) wrong.push(`${rel} is inside app.asar (${why})`);
      else if (!existsSync(join(unpackedRoot, rel)) || !statSync(join(unpackedRoot, rel)).isFile()) wrong.push(`${rel} is marked unpacked but not on disk`);
    };
    for (const [rel, f] of scan.onDisk) check(rel, `${f.how} in ${f.by}`);
    for (const [dir, f] of scan.packagesOnDisk) {
      for (const rel of packed) {
        if (!rel.startsWith(`${dir}/`)) continue;
        const entry = asar.statFile(archive, rel) as { files?: unknown };
        if (entry.files === undefined) check(rel, `package ${dir} resolved through unpackedPath in ${f.by}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('an unpacked script finds what it requires inside app.asar.unpacked, with plain Node resolution', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron']);
    const escaped: string[] = [];
    let resolved = 0;
    for (const rel of scan.onDisk.keys()) {
      if (!/\.(c|m)?js$/.test(rel)) continue;
      const file = join(unpackedRoot, rel);
      const refs = scriptRefs(readFileSync(file, 'utf8'), rel.endsWith('.mjs'));
      for (const s of refs.specifiers) {
        if (builtins.has(s.value)) continue;
        let target = '';
        try {
          target = createRequire(file).resolve(s.value);
        } catch (e) {
          escaped.push(`${rel}: ${s.value} does not resolve (${(e as Error).message.split('\n')[0]})`);
          continue;
        }
        if (!target.startsWith(unpackedRoot + sep)) escaped.push(`${rel}: ${s.value} resolves to ${target}, outside app.asar.unpacked`);
        resolved++;
      }
    }
    expect(escaped).toEqual([]);
    expect(resolved).toBeGreaterThan(0);
    // Each such package is there as a package (its package.json beside the files), as Node expects.
    for (const rel of scan.onDisk.keys()) {
      if (!rel.startsWith('node_modules/')) continue;
      const name = packageNameOf(rel.slice('node_modules/'.length));
      expect(existsSync(join(unpackedRoot, 'node_modules', name, 'package.json')), `${name} unpacked with its package.json`).toBe(true);
    }
  });

  it('the core’s unpackedPath finds the unpacked copies beside the packed app', () => {
    const viaCode = [...[...scan.onDisk.keys()].filter((k) => k.startsWith('out/')), ...scan.packagesOnDisk.keys()];
    expect(viaCode.length).toBeGreaterThan(0);
    for (const rel of viaCode) {
      expect(unpackedPath(join(archive, ...rel.split('/')))).toBe(join(unpackedRoot, ...rel.split('/')));
    }
  });

  it('the packed package.json names the app as an unpackaged run does, so both use one userData folder', () => {
    const source = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    const inPackage = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as Record<string, unknown>;
    // Electron names the app (and its userData folder) after productName, else name.
    expect([inPackage['productName'], inPackage['name'], inPackage['main']]).toEqual([source['productName'], source['name'], source['main']]);
  });

  it('would unpack native packages that do not install here (optional backends, other platforms’ binaries)', () => {
    const unpack = asarUnpackFilter(config, root);
    expect(unpack).not.toBeNull();
    const candidates = nativePackagesNotInstalled(scan);
    // The optional backends the code loads by name are among them (a check that the list is not empty by accident).
    for (const [name, p] of scan.packages) if (p.optional && !p.installed) expect(candidates).toContain(`node_modules/${name}`);
    const packedInside = candidates.filter(
      (key) => !unpack!(join(root, key, 'lib', 'binding.node')) || !unpack!(join(root, key, 'package.json')) || !unpack!(join(root, key, 'deps', 'lib', 'libnative.so.2')),
    );
    expect(packedInside).toEqual([]);
  });
});
