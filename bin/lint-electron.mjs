#!/usr/bin/env node
// Electron security lint: @doyensec/electronegativity over src/ (main, preload, renderer and the
// rest), offline. Fails on any HIGH finding and on any finding not in ACCEPTED below (each
// with the reason it is accepted). usage: node bin/lint-electron.mjs [--json] [--input DIR]
// (default src/; file names in ACCEPTED are relative to it)
//
// Offline: electronegativity fetches translations at start (it falls back to its bundled
// English) and, in AvailableSecurityFixesGlobalCheck, Electron's release list. That check is
// left out (the Electron version is pinned in package.json), and every network connection of
// this process is refused, so the lint never downloads anything and gives the same answer
// on a machine without a network.
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import dns from 'node:dns';
import net from 'node:net';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const json = process.argv.includes('--json');
const inputAt = process.argv.indexOf('--input');
const input = inputAt > 0 ? resolve(process.argv[inputAt + 1] ?? '') : join(root, 'src');

// --- no network --------------------------------------------------------------------------
const blocked = [];
const refuse = (what) => {
  blocked.push(what);
  throw new Error(`lint:electron runs offline: ${what} refused`);
};
net.Socket.prototype.connect = function connect(...args) {
  refuse(`connection to ${JSON.stringify(args[0]?.host ?? args[0])}`);
};
dns.lookup = (host) => refuse(`DNS lookup of ${host}`);
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  // The HTTP client electronegativity uses: answer "not found" without a request.
  if (request === 'got') {
    return (url) => {
      blocked.push(`download of ${url}`);
      return Promise.resolve({ statusCode: 404, body: '' });
    };
  }
  return load.call(this, request, parent, isMain);
};

// --- findings this project accepts, and why ----------------------------------------------
const ACCEPTED = [
  {
    id: 'PRELOAD_JS_CHECK',
    file: 'main/index.ts',
    why: 'the preload is the one bridge to the API: contextBridge exposes call/on only (src/preload), with context isolation and the sandbox on',
  },
  {
    id: 'OPEN_EXTERNAL_JS_CHECK',
    file: 'main/index.ts',
    why: 'only https: links the user clicks go to the system browser (parsed with URL); every other window.open is denied',
  },
  {
    id: 'CSP_GLOBAL_CHECK',
    file: 'renderer/index.html',
    why: "style-src keeps 'unsafe-inline' (Vue style bindings and Konva); scripts are 'self' only, no eval, no remote content",
  },
];

// --- run ---------------------------------------------------------------------------------
function electronVersion() {
  const installed = join(root, 'node_modules', 'electron', 'package.json');
  if (existsSync(installed)) return JSON.parse(readFileSync(installed, 'utf8')).version;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return String(pkg.devDependencies?.electron ?? '').replace(/^[^\d]*/, '');
}

const run = require('@doyensec/electronegativity');
const version = electronVersion();
const quiet = console.log;
console.log = () => undefined; // the runner's own chatter (translations, progress)
let result;
try {
  result = await run(
    {
      input,
      isRelative: true,
      isVerbose: false,
      customScan: [],
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      electronVersionOverride: version,
      parserPlugins: [],
    },
    false,
  );
} finally {
  console.log = quiet;
}

const findings = result.issues.map((i) => ({
  id: i.id,
  severity: i.severity.name,
  confidence: i.confidence.name,
  file: i.file,
  line: i.location?.line ?? 0,
  column: i.location?.column ?? 0,
  manualReview: Boolean(i.manualReview),
}));
const acceptedWhy = (f) => ACCEPTED.find((a) => a.id === f.id && a.file === f.file)?.why;
const high = findings.filter((f) => f.severity === 'HIGH');
const unexpected = findings.filter((f) => f.severity !== 'HIGH' && !acceptedWhy(f));
// A file it could not parse is a file it did not check: main and preload must be checked.
const unparsed = result.errors.map((e) => String(e.file ?? e)).filter((f) => /(^|\/)(main|preload)\//.test(f));

const report = {
  tool: '@doyensec/electronegativity',
  electron: version,
  checks: { global: result.globalChecks, atomic: result.atomicChecks },
  findings: findings.map((f) => ({ ...f, accepted: acceptedWhy(f) ?? null })),
  high: high.length,
  unexpected: unexpected.length,
  unparsedFiles: result.errors.length,
  networkRefused: blocked,
};
if (json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
else {
  process.stdout.write(`electronegativity on ${input} (Electron ${version}): ${result.globalChecks} global and ${result.atomicChecks} atomic checks, ${findings.length} findings\n`);
  for (const f of report.findings) {
    process.stdout.write(`  ${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id.padEnd(26)} ${f.file}:${f.line}:${f.column}  ${f.accepted ? `accepted: ${f.accepted}` : 'NOT ACCEPTED'}\n`);
  }
  if (result.errors.length) process.stdout.write(`  ${result.errors.length} file(s) could not be parsed: ${result.errors.map((e) => e.file ?? e).join(', ')}\n`);
  if (blocked.length) process.stdout.write(`  network refused (offline run): ${blocked.join('; ')}\n`);
}
const failures = [
  ...high.map((f) => `HIGH finding ${f.id} at ${f.file}:${f.line}`),
  ...unexpected.map((f) => `${f.severity} finding ${f.id} at ${f.file}:${f.line} is not in the accepted list (fix it, or accept it with a reason in bin/lint-electron.mjs)`),
  ...unparsed.map((f) => `${f} could not be parsed, so it was not checked`),
];
if (failures.length) {
  process.stderr.write(`lint:electron failed:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  process.exitCode = 1;
} else if (!json) process.stdout.write('lint:electron: no high-severity findings; the others are accepted above\n');
