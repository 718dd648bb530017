/**
 * What the built app loads at run time, read from the build (out/) and the code itself, not
 * from a hand-kept list. Starting at package.json's "main" (out/main/index.js), every script
 * is parsed (acorn) and followed:
 * - import/export ... from, import('literal'), require('literal'), X.resolve('literal') for
 *   require functions (require, or what createRequire returned);
 * - file references beside a module: new URL('literal', import.meta.url) and
 *   join/resolve(__dirname, 'literal'...) (worker scripts, the preload, the renderer's page);
 *   the page's script and style links;
 * - package files by path: join(<a package folder>, 'literal'...) naming a script, .wasm or
 *   .node file, looked up in the packages the app loads;
 * - import(<computed name>): the file's string literals that name a dependency in
 *   package.json (the optional tfjs-node backends are loaded that way).
 * Scripts found this way are followed in turn. Then, for every package the app loads and the
 * production dependencies under it: its .wasm files (loaded by path at run time) and its
 * native code (.node and shared libraries).
 *
 * What must be a real file on disk (unpacked from app.asar): native code; whatever the code
 * resolves through unpackedPath() (src/core/asarPath.ts: the wasm pthread worker, the wasm
 * package), and whatever such an unpacked script requires, since Node resolves its requires
 * from the unpacked folder.
 */
import { parse, type Node } from 'acorn';
import { ancestor } from 'acorn-walk';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';

export interface Found {
  /** App-relative (posix) path of the file that loads it. */
  readonly by: string;
  /** How: 'import', 'require', 'url', 'dirname', 'page', 'package-path', 'computed-import', 'wasm', 'native'. */
  readonly how: string;
}

export interface RuntimeFiles {
  /** App-relative files the app loads: out/..., node_modules/.../file, package.json. */
  readonly files: Map<string, Found>;
  /** Packages loaded by name (bare specifiers), with whether package.json lists them as optional. */
  readonly packages: Map<string, Found & { readonly optional: boolean; readonly installed: boolean }>;
  /** App-relative files that must be real files outside app.asar. */
  readonly onDisk: Map<string, Found>;
  /** App-relative package folders that must be unpacked whole. */
  readonly packagesOnDisk: Map<string, Found>;
  /** References the scan could not place: each one is a file the app would miss. */
  readonly missing: string[];
}

type AnyNode = Node & Record<string, unknown>;

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'electron']);
const NATIVE = /\.(node|so|dylib|dll)(\.\d+)*$/;
const SCRIPT = /\.(js|cjs|mjs)$/;
const LOADABLE = /\.(js|cjs|mjs|wasm|node)$/;
/** node-gyp's intermediate objects (nothing loads them; electron-builder leaves them out too). */
const BUILD_INTERMEDIATE = /[\\/](obj\.target|obj|\.deps)[\\/]/;

export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isBare(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/') && !/^[a-z]+:/i.test(specifier.replace(/^node:/, ''));
}

const str = (n: unknown): string | null => {
  const node = n as AnyNode | undefined;
  return node && node.type === 'Literal' && typeof node['value'] === 'string' ? (node['value'] as string) : null;
};
const isImportMetaUrl = (n: unknown): boolean => {
  const node = n as AnyNode | undefined;
  if (!node || node.type !== 'MemberExpression') return false;
  const obj = node['object'] as AnyNode;
  const prop = node['property'] as AnyNode;
  return obj.type === 'MetaProperty' && prop.type === 'Identifier' && prop['name'] === 'url';
};
const isDirname = (n: unknown): boolean => {
  const node = n as AnyNode | undefined;
  if (!node) return false;
  if (node.type === 'Identifier') return node['name'] === '__dirname';
  if (node.type === 'MemberExpression') {
    const obj = node['object'] as AnyNode;
    const prop = node['property'] as AnyNode;
    return obj.type === 'MetaProperty' && prop.type === 'Identifier' && prop['name'] === 'dirname';
  }
  return false;
};
const calleeName = (n: AnyNode): string | null => {
  const callee = n['callee'] as AnyNode;
  if (callee.type === 'Identifier') return callee['name'] as string;
  if (callee.type === 'MemberExpression' && (callee['property'] as AnyNode).type === 'Identifier') {
    return (callee['property'] as AnyNode)['name'] as string;
  }
  return null;
};

interface ScriptRefs {
  specifiers: { value: string; how: string; onDisk: boolean; wholePackage: boolean }[];
  fileRefs: { path: string; how: string; onDisk: boolean }[];
  packagePaths: { path: string; onDisk: boolean }[];
  computedImport: boolean;
  strings: Set<string>;
}

/** The references one script makes (see the file's header). */
export function scriptRefs(source: string, isModule: boolean): ScriptRefs {
  const ast = parse(source, {
    ecmaVersion: 'latest',
    sourceType: isModule ? 'module' : 'script',
    allowHashBang: true,
    allowAwaitOutsideFunction: true,
    allowReturnOutsideFunction: !isModule,
  });
  const refs: ScriptRefs = { specifiers: [], fileRefs: [], packagePaths: [], computedImport: false, strings: new Set() };
  // Names bound to createRequire(...) results, and require itself.
  const requireFns = new Set(['require']);
  ancestor(ast, {
    VariableDeclarator(n) {
      const node = n as unknown as AnyNode;
      const init = node['init'] as AnyNode | null;
      const id = node['id'] as AnyNode;
      if (init?.type === 'CallExpression' && calleeName(init) === 'createRequire' && id.type === 'Identifier') {
        requireFns.add(id['name'] as string);
      }
    },
  });
  /** Whether a node sits inside an unpackedPath(...) call (the code asks for the on-disk copy). */
  const underUnpacked = (ancestors: Node[]): boolean =>
    ancestors.some((a) => {
      const node = a as AnyNode;
      return node.type === 'CallExpression' && /^unpackedPath(\$\d+)?$/.test(calleeName(node) ?? '');
    });
  const underDirname = (ancestors: Node[]): boolean =>
    ancestors.some((a) => a.type === 'CallExpression' && calleeName(a as AnyNode) === 'dirname');
  const source_ = (n: AnyNode, how: string) => {
    const s = str(n['source']);
    if (s !== null) refs.specifiers.push({ value: s, how, onDisk: false, wholePackage: false });
  };
  ancestor(ast, {
    ImportDeclaration: (n) => source_(n as unknown as AnyNode, 'import'),
    ExportNamedDeclaration: (n) => source_(n as unknown as AnyNode, 'import'),
    ExportAllDeclaration: (n) => source_(n as unknown as AnyNode, 'import'),
    ImportExpression(n) {
      const s = str((n as unknown as AnyNode)['source']);
      if (s !== null) refs.specifiers.push({ value: s, how: 'import', onDisk: false, wholePackage: false });
      else refs.computedImport = true;
    },
    Literal(n) {
      const v = (n as unknown as AnyNode)['value'];
      if (typeof v === 'string') refs.strings.add(v);
    },
    NewExpression(n, _state, ancestors) {
      const node = n as unknown as AnyNode;
      const args = node['arguments'] as AnyNode[];
      const callee = node['callee'] as AnyNode;
      if (callee.type === 'Identifier' && callee['name'] === 'URL' && args.length === 2 && isImportMetaUrl(args[1])) {
        const s = str(args[0]);
        if (s !== null) refs.fileRefs.push({ path: s, how: 'url', onDisk: underUnpacked(ancestors) });
      }
    },
    CallExpression(n, _state, ancestors) {
      const node = n as unknown as AnyNode;
      const args = node['arguments'] as AnyNode[];
      const callee = node['callee'] as AnyNode;
      const name = calleeName(node);
      // require('x'), requireCjs('x'), require.resolve('x'), requireCjs.resolve('x')
      const isRequire =
        (callee.type === 'Identifier' && requireFns.has(callee['name'] as string)) ||
        (callee.type === 'MemberExpression' &&
          name === 'resolve' &&
          (callee['object'] as AnyNode).type === 'Identifier' &&
          requireFns.has((callee['object'] as AnyNode)['name'] as string));
      if (isRequire && args.length >= 1 && str(args[0]) !== null) {
        const onDisk = underUnpacked(ancestors);
        // unpackedPath(dirname(require.resolve('pkg/package.json'))): the whole package.
        const wholePackage = onDisk && underDirname(ancestors) && str(args[0])!.endsWith('/package.json');
        refs.specifiers.push({ value: str(args[0])!, how: 'require', onDisk, wholePackage });
        return;
      }
      if ((name === 'join' || name === 'resolve') && args.length >= 2) {
        const parts = args.slice(1).map(str);
        if (parts.some((p) => p === null)) return;
        const rel = posix.join(...(parts as string[]));
        if (isDirname(args[0])) refs.fileRefs.push({ path: `./${rel}`, how: 'dirname', onDisk: underUnpacked(ancestors) });
        // Code and binaries only: joins that name data files (project.sqlite, model.json) are
        // the user's files, not the app's.
        else if (LOADABLE.test(rel) && !rel.startsWith('.')) refs.packagePaths.push({ path: rel, onDisk: underUnpacked(ancestors) });
      }
    },
  });
  return refs;
}

/** Scripts and stylesheets an HTML page links to (relative URLs). */
export function pageRefs(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)) {
    const url = m[1]!;
    if (!/^[a-z]+:/i.test(url) && !url.startsWith('//') && !url.startsWith('#')) out.push(url.split(/[?#]/)[0]!);
  }
  return out;
}

/** The folder of `name` as Node would find it from `fromDir` (node_modules up the tree), or null. */
function findPackageDir(name: string, fromDir: string, appRoot: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === appRoot || dirname(dir) === dir) return null;
  }
}

function walkFiles(dir: string, visit: (file: string) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue; // nested packages are walked as packages
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walkFiles(p, visit);
    else if (entry.isFile()) visit(p);
  }
}

/** Scans the built app in `appRoot` (package.json, out/, node_modules). */
export function scanRuntimeFiles(appRoot: string): RuntimeFiles {
  const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as {
    main: string;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
  const optional = new Set(Object.keys(pkg.optionalDependencies ?? {}));
  const appRel = (abs: string): string => relative(appRoot, abs).split(sep).join('/');

  const result: RuntimeFiles = {
    files: new Map(),
    packages: new Map(),
    onDisk: new Map(),
    packagesOnDisk: new Map(),
    missing: [],
  };
  const queue: string[] = [];
  const addFile = (abs: string, found: Found, onDisk: boolean): void => {
    const rel = appRel(abs);
    if (!existsSync(abs) || !statSync(abs).isFile()) {
      result.missing.push(`${rel} (${found.how} in ${found.by})`);
      return;
    }
    if (onDisk && !result.onDisk.has(rel)) result.onDisk.set(rel, found);
    if (result.files.has(rel)) {
      // Seen before; a script that turns out to be needed on disk is scanned again for that.
      if (onDisk && SCRIPT.test(rel) && !queue.includes(rel)) queue.push(rel);
      return;
    }
    result.files.set(rel, found);
    if (SCRIPT.test(rel) || rel.endsWith('.html')) queue.push(rel);
  };
  const addPackage = (name: string, found: Found): void => {
    if (result.packages.has(name)) return;
    const dir = join(appRoot, 'node_modules', name);
    result.packages.set(name, { ...found, optional: optional.has(name), installed: existsSync(join(dir, 'package.json')) });
  };

  addFile(join(appRoot, 'package.json'), { by: '(app)', how: 'main' }, false);
  addFile(resolve(appRoot, pkg.main), { by: 'package.json', how: 'main' }, false);

  const scannedOnDisk = new Set<string>();
  while (queue.length > 0) {
    const rel = queue.shift()!;
    const abs = join(appRoot, rel);
    const onDiskScript = result.onDisk.has(rel);
    if (onDiskScript) {
      if (scannedOnDisk.has(rel)) continue;
      scannedOnDisk.add(rel);
    }
    if (rel.endsWith('.html')) {
      for (const url of pageRefs(readFileSync(abs, 'utf8'))) addFile(resolve(dirname(abs), url), { by: rel, how: 'page' }, false);
      continue;
    }
    // Scripts inside packages are not followed: their package is packed whole, and what it
    // loads by name is part of its production dependencies (walked below).
    if (rel.startsWith('node_modules/') && !onDiskScript) continue;
    const isModule = rel.endsWith('.mjs') || (rel.endsWith('.js') && !rel.startsWith('node_modules/'));
    const refs = scriptRefs(readFileSync(abs, 'utf8'), isModule);
    const requireFrom = createRequire(abs);
    for (const s of refs.specifiers) {
      if (BUILTINS.has(s.value)) continue;
      const found: Found = { by: rel, how: s.how };
      if (!isBare(s.value)) {
        addFile(resolve(dirname(abs), s.value), found, s.onDisk || onDiskScript);
        continue;
      }
      const name = packageNameOf(s.value);
      addPackage(name, found);
      const dir = findPackageDir(name, dirname(abs), appRoot);
      if (!dir) continue; // not installed here (optional): checked by name
      if (s.wholePackage) result.packagesOnDisk.set(appRel(dir), found);
      // A file inside the package, loaded by its path, must be packed; and what a script on
      // disk loads must be on disk too, since Node resolves it from the unpacked folder.
      if (s.value !== name || s.onDisk || onDiskScript) {
        let file: string | null = null;
        try {
          file = requireFrom.resolve(s.value);
        } catch {
          result.missing.push(`${s.value} (${s.how} in ${rel})`);
        }
        if (file) addFile(file, found, s.onDisk || onDiskScript);
      }
    }
    for (const f of refs.fileRefs) addFile(resolve(dirname(abs), f.path), { by: rel, how: f.how }, f.onDisk || onDiskScript);
    if (refs.computedImport) {
      for (const s of refs.strings) if (declared.has(s)) addPackage(s, { by: rel, how: 'computed-import' });
    }
    for (const p of refs.packagePaths) {
      // join(<package folder>, 'wasm-out', 'x.js'): the file in whichever loaded package has it.
      const holders = [...result.packages.keys()]
        .map((name) => findPackageDir(name, dirname(abs), appRoot))
        .filter((d): d is string => d !== null && existsSync(join(d, p.path)));
      if (holders.length === 0) result.missing.push(`${p.path} (package-path in ${rel}: in none of the loaded packages)`);
      for (const d of holders) {
        const onDisk = p.onDisk || [...result.packagesOnDisk.keys()].some((k) => appRel(d) === k);
        addFile(join(d, p.path), { by: rel, how: 'package-path' }, onDisk);
      }
    }
  }

  // Every loaded package and its production dependencies: .wasm files and native code.
  const seen = new Set<string>();
  const walkPackage = (dir: string, by: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    walkFiles(dir, (file) => {
      if (file.endsWith('.wasm')) addFile(file, { by, how: 'wasm' }, false);
      else if (NATIVE.test(file) && !BUILD_INTERMEDIATE.test(file)) addFile(file, { by, how: 'native' }, true);
    });
    for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies })) {
      const d = findPackageDir(dep, dir, appRoot);
      if (d) walkPackage(d, appRel(d));
    }
  };
  for (const [name] of result.packages) {
    const dir = join(appRoot, 'node_modules', name);
    if (existsSync(join(dir, 'package.json'))) walkPackage(dir, `node_modules/${name}`);
  }
  return result;
}
