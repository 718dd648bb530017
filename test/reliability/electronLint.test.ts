/**
 * The Electron security lint (npm run lint:electron, in CI): the app's shell passes with no
 * high-severity finding and nothing unaccepted, offline; a shell with Node in the renderer
 * and without context isolation fails it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDirs } from '../data/fixtures';

const temp = freshDirs();
const LINT = resolve(__dirname, '../../bin/lint-electron.mjs');
const SRC = resolve(__dirname, '../../src');

function lint(input: string): { code: number; report: { high: number; unexpected: number; findings: { id: string; severity: string; accepted: string | null }[]; networkRefused: string[] } } {
  const r = spawnSync(process.execPath, [LINT, '--json', '--input', input], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, report: JSON.parse(r.stdout) };
}

describe('lint:electron', () => {
  it('passes on the app: no high findings, every other one accepted with a reason, nothing downloaded', { timeout: 120_000 }, () => {
    const { code, report } = lint(SRC);
    expect(code).toBe(0);
    expect(report.high).toBe(0);
    expect(report.unexpected).toBe(0);
    for (const f of report.findings) expect(f.accepted, f.id).toMatch(/\w+/);
    for (const what of report.networkRefused) expect(what).toMatch(/^download of /); // asked for, answered without a request
    console.log(`lint:electron findings: ${report.findings.map((f) => `${f.severity} ${f.id}`).join(', ')}`);
  });

  it('fails a shell that gives the renderer Node and turns context isolation off', { timeout: 120_000 }, () => {
    const dir = temp('egy');
    for (const part of ['main', 'preload', 'renderer']) cpSync(join(SRC, part), join(dir, part), { recursive: true });
    const main = join(dir, 'main', 'index.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace('contextIsolation: true', 'contextIsolation: false').replace('nodeIntegration: false', 'nodeIntegration: true'));
    const { code, report } = lint(dir);
    expect(code).toBe(1);
    expect(report.high).toBeGreaterThan(0);
    expect(report.findings.filter((f) => f.severity === 'HIGH').map((f) => f.id)).toContain('CONTEXT_ISOLATION_JS_CHECK');
  });
});
