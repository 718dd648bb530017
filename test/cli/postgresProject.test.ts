/**
 * The CLI on a PostgreSQL project: depthseg init --db creates one, and import-labels, status,
 * select, train-seg and export work on it as on an SQLite project; depthseg migrate moves an
 * SQLite project there and status reports the same. A real PostgreSQL server (the test
 * starts its own); skipped with a message where PostgreSQL is not installed, except in CI.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE, POSTGRES_POINTER_FILE } from '../../src/core/store';
import { generateSynthDataset } from '../../src/core/synth';
import { freshDirs } from '../data/fixtures';
import { postgresMissing, usePostgres } from '../store/postgresCluster';
import { runCli } from './runCli';

const temp = freshDirs();
const missing = postgresMissing();
let data = '';

beforeAll(async () => {
  data = join(temp('cli-pg-data'), 'synth');
  await generateSynthDataset({ out: data, sequences: 6, size: { height: 32, width: 64 }, seed: 4 });
});

const engine = ['--backend', 'wasm', '--threads', '1'];
const json = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

describe.skipIf(missing !== undefined)(`the CLI on a PostgreSQL project${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const server = usePostgres();

  it('init --db creates it; import-labels, status, select, train-seg and export work on it', async () => {
    const url = await server.cluster().createDatabase();
    const project = join(temp('cli-pg'), 'proj');
    const init = json(runCli(['init', '--project', project, '--dataset', data, '--db', url, '--json']));
    expect(init).toMatchObject({ format: 'cityscapes', frames: expect.any(Number) });
    expect(existsSync(join(project, DB_FILE))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, POSTGRES_POINTER_FILE), 'utf8'))).toEqual({ engine: 'postgres', url });
    expect(statSync(join(project, POSTGRES_POINTER_FILE)).mode & 0o077).toBe(0); // the URL may hold a password

    // Random picks need no model: the cheap way to store a selection round.
    const select = json(runCli(['select', '--project', project, '--budget', '1', '--method', 'random', '--json', ...engine]));
    expect(select).toMatchObject({ method: 'random' });
    const imported = json(runCli(['import-labels', '--project', project, '--json']))['imported'];
    expect(imported).toBeGreaterThan(2);
    const status = json(runCli(['status', '--project', project, '--json']));
    expect(status).toMatchObject({ engine: 'postgres', database: url, overview: { frames: init['frames'], masks: { done: imported } } });
    expect(runCli(['status', '--project', project]).stdout).toContain(`database ${url} (PostgreSQL)`);

    const seg = runCli(['train-seg', '--project', project, '--mode', 'scratch', '--mix', 'none', '--net', 'tiny', '--size', '32x64', '--steps', '2', '--batch', '2', ...engine], { timeoutMs: 300_000 });
    expect(seg.code, seg.stderr).toBe(0);
    expect(seg.stdout).toMatch(/run #1 done: 2 steps/);
    const after = json(runCli(['status', '--project', project, '--json']));
    expect(after).toMatchObject({ overview: { runs: 1, selectionRounds: 1 }, runs: [{ id: 1, kind: 'seg', status: 'done' }] });
    expect(json(runCli(['export', '--project', project, '--out', join(temp('cli-pg-out'), 'x'), '--json']))).toMatchObject({ exported: imported });
  }, 400_000);

  it('migrate moves an SQLite project there: status reports the same project; errors name the database', async () => {
    const project = join(temp('cli-pg-migrate'), 'proj');
    json(runCli(['init', '--project', project, '--dataset', data, '--json']));
    const imported = json(runCli(['import-labels', '--project', project, '--json']))['imported'];
    const before = json(runCli(['status', '--project', project, '--json']));
    expect(before['engine']).toBe('sqlite');

    const wrong = runCli(['migrate', '--project', project, '--db', 'postgres://depthseg@127.0.0.1:1/nowhere']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/postgres:\/\/depthseg@127\.0\.0\.1:1\/nowhere: cannot reach the PostgreSQL server/);
    expect(existsSync(join(project, DB_FILE))).toBe(true);

    const url = await server.cluster().createDatabase();
    const moved = runCli(['migrate', '--project', project, '--db', url]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(new RegExp(`now lives in ${url}\\n.*rows copied .*${imported} label_masks, ${2 * Number(imported)} mask_events\\)\\n {2}${imported} masks checked byte for byte`));
    const after = json(runCli(['status', '--project', project, '--json']));
    expect(after).toEqual({ ...before, engine: 'postgres', database: url });
  }, 120_000);
});
