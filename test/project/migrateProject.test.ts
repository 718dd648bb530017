/**
 * depthseg migrate's core: an SQLite project with frames, masks, runs, metrics, checkpoints,
 * selection rounds, cached features and settings moves into PostgreSQL with every row equal
 * (ids included) and every mask's bytes unchanged; a migration that fails half way leaves the
 * SQLite project exactly as it was and the PostgreSQL database empty.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importLabels } from '../../src/core/project/importLabels';
import { initProject } from '../../src/core/project/initProject';
import { MIGRATED_DB_FILE, migrateProject } from '../../src/core/project/migrateProject';
import { openProject, type OpenProject } from '../../src/core/project/openProject';
import {
  addCheckpoint,
  appendMetrics,
  countRows,
  createRun,
  createSelectionRound,
  DB_FILE,
  getMaskRow,
  insertAccount,
  listFrames,
  listMasks,
  loadMask,
  openPostgresStore,
  POSTGRES_POINTER_FILE,
  PROJECT_TABLES,
  enqueueJob,
  seeWorker,
  putFeatures,
  saveMask,
  setRunProgress,
  setRunStatus,
  setSetting,
  type ProjectStore,
} from '../../src/core/store';
import { generateSynthDataset } from '../../src/core/synth/generate';
import { freshDirs } from '../data/fixtures';
import { postgresMissing, usePostgres } from '../store/postgresCluster';
import { rawSql } from '../store/storeEngines';

const temp = freshDirs();
const missing = postgresMissing();
let data = '';

/** Every row of every table, in key order: what "nothing lost" compares. */
async function dump(store: ProjectStore): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  const order: Record<string, string> = { settings: 'key', run_metrics: 'run_id, name, step', feature_cache: 'model_key, frame_id', selection_picks: 'round_id, rank', job_workers: 'name' };
  for (const t of PROJECT_TABLES) out[t.name] = await rawSql.all(store, `SELECT * FROM ${t.name} ORDER BY ${order[t.name] ?? 'id'}`);
  return out;
}

async function maskBytes(store: ProjectStore): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const m of await listMasks(store)) if (m.maskPath) out.set(m.frameId, createHash('sha256').update(readFileSync(join(store.dir, m.maskPath))).digest('hex'));
  return out;
}

/** An SQLite project with something in every table: labels, two runs with metrics and checkpoints, a selection round, features, settings. */
async function fullProject(): Promise<OpenProject> {
  const { open } = await initProject({ dir: temp('migrate-proj'), dataset: data });
  const { store, project } = open;
  const keys = await listFrames(store, { split: 'train', keyframesOnly: true });
  await importLabels(open, { frameIds: keys.slice(0, 2).map((f) => f.id) });
  const painted = keys[2]!;
  const mask = new Uint8Array(painted.width * painted.height).map((_, i) => (i % 7 === 0 ? 255 : i % 19));
  await saveMask(store, painted.id, { width: painted.width, height: painted.height, data: mask }, 'ann');
  await saveMask(store, painted.id, { width: painted.width, height: painted.height, data: mask.map((v) => (v === 3 ? 4 : v)) }, 'bob', { status: 'done' });
  const sde = await createRun(store, { projectId: project.id, kind: 'sde', config: { steps: 4, lr: 1e-4 } });
  await setRunStatus(store, sde.id, 'running');
  await appendMetrics(store, sde.id, [
    { step: 1, name: 'loss', value: 0.5 },
    { step: 2, name: 'loss', value: Number.NaN },
    { step: 2, name: 'val/depth/absRel', value: 0.1234567890123 },
  ]);
  await setRunProgress(store, sde.id, { step: 2, total: 4 });
  const ckpt = await addCheckpoint(store, { runId: sde.id, step: 2, path: 'checkpoints/run-1/step-2', metrics: { absRel: 0.12 } });
  await setRunStatus(store, sde.id, 'done');
  const seg = await createRun(store, { projectId: project.id, kind: 'seg', mode: 'transfer', parentRunId: sde.id });
  await setRunStatus(store, seg.id, 'failed', 'loss became NaN');
  await enqueueJob(store, { projectId: project.id, kind: 'seg', runId: seg.id, settings: { steps: 4 }, checkpointEvery: 2 });
  await seeWorker(store, { name: 'gpu-box:12', host: 'gpu-box', engine: 'node-gpu' });
  await createSelectionRound(store, {
    projectId: project.id,
    method: 'ds_us',
    params: { budget: 2, weight: 0.5 },
    scoredByRunId: sde.id,
    scoredByCheckpointId: ckpt.id,
    modelKey: 'sde:abc',
    picks: [
      { frameId: keys[3]!.id, score: 1.5, diversityScore: 1, uncertaintyScore: 1 },
      { frameId: keys[1]!.id, score: 0.25, diversityScore: 0.2, uncertaintyScore: 0.1 },
    ],
  });
  await putFeatures(store, 'sde:abc', keys.map((f, i) => ({ frameId: f.id, data: new Float32Array([i, -i, i / 3, 1e-30]) })));
  await setSetting(store, 'engine.backend', 'wasm');
  await insertAccount(store, { name: 'ana', role: 'annotator', passwordHash: 'scrypt$32768$8$1$c2FsdA==$aGFzaA==' });
  return open;
}

beforeAll(async () => {
  data = temp('migrate-data');
  await generateSynthDataset({ out: data, sequences: 6, size: { height: 32, width: 64 }, seed: 3 });
});

describe.skipIf(missing !== undefined)(`depthseg migrate: SQLite project into PostgreSQL${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const server = usePostgres();

  it('moves every row with its id and keeps every mask byte for byte; the folder then opens PostgreSQL', async () => {
    const open = await fullProject();
    const dir = open.store.dir;
    const before = await dump(open.store);
    const bytes = await maskBytes(open.store);
    const firstMask = (await loadMask(open.store, [...bytes.keys()][0]!))!;
    await open.close();
    expect(Object.values(before).every((rows) => rows.length > 0)).toBe(true); // every table holds something
    expect(bytes.size).toBe(3);

    const url = await server.cluster().createDatabase();
    const summary = await migrateProject(dir, url);
    expect(summary.masks).toBe(3);
    expect(summary.rows).toEqual(Object.fromEntries(Object.entries(before).map(([t, rows]) => [t, rows.length])));
    expect(existsSync(join(dir, POSTGRES_POINTER_FILE))).toBe(true);
    expect(existsSync(join(dir, DB_FILE))).toBe(false);
    expect(existsSync(join(dir, MIGRATED_DB_FILE))).toBe(true);

    const moved = await openProject(dir);
    try {
      expect(moved.store.engine).toBe('postgres');
      expect(await dump(moved.store)).toEqual(before);
      expect(await maskBytes(moved.store)).toEqual(bytes);
      const again = (await loadMask(moved.store, firstMask.row.frameId))!;
      expect(again.row).toEqual(firstMask.row);
      expect(Buffer.from(again.mask.data).equals(Buffer.from(firstMask.mask.data))).toBe(true);
      // New rows continue after the copied ids.
      const next = await createRun(moved.store, { projectId: moved.project.id, kind: 'sde' });
      expect(next.id).toBe(Math.max(...before['training_runs']!.map((r) => (r as { id: number }).id)) + 1);
    } finally {
      await moved.close();
    }
    await expect(migrateProject(dir, url)).rejects.toThrow(/is already a PostgreSQL project/);
  });

  it('a migration that fails half way leaves the SQLite project as it was and the database empty; it can be run again', async () => {
    const open = await fullProject();
    const dir = open.store.dir;
    // A NUL character: SQLite keeps it in text, PostgreSQL refuses it, when label_masks is copied (after frames).
    const frame = (await listMasks(open.store))[0]!.frameId;
    await rawSql.run(open.store, 'UPDATE label_masks SET author = ? WHERE frame_id = ?', 'ann\u0000x', frame);
    const before = await dump(open.store);
    const bytes = await maskBytes(open.store);
    await open.close();
    const files = readdirSync(dir).sort();

    const url = await server.cluster().createDatabase();
    await expect(migrateProject(dir, url)).rejects.toThrow(/copying table label_masks .* failed: invalid byte sequence/);
    expect(readdirSync(dir).sort()).toEqual(files);
    const still = await openProject(dir);
    expect(still.store.engine).toBe('sqlite');
    expect(await dump(still.store)).toEqual(before);
    expect(await maskBytes(still.store)).toEqual(bytes);
    const target = await openPostgresStore(url, dir, { create: false });
    expect(Object.values(await countRows(target)).every((n) => n === 0)).toBe(true);
    await target.close();

    // Mended, the same migration goes through into the same database.
    await rawSql.run(still.store, 'UPDATE label_masks SET author = ? WHERE frame_id = ?', 'ann', frame);
    const mended = await dump(still.store);
    await still.close();
    await migrateProject(dir, url);
    const moved = await openProject(dir);
    expect(await dump(moved.store)).toEqual(mended);
    expect((await getMaskRow(moved.store, frame))!.author).toBe('ann');
    await moved.close();
  });

  it('refuses a database that already holds a project, naming it, and leaves both as they were', async () => {
    const first = await fullProject();
    const second = await fullProject();
    const url = await server.cluster().createDatabase();
    const dirs = [first.store.dir, second.store.dir];
    await first.close();
    await second.close();
    await migrateProject(dirs[0]!, url);
    await expect(migrateProject(dirs[1]!, url)).rejects.toThrow(/this database already holds a project \(1 projects, 1 datasets/);
    expect(existsSync(join(dirs[1]!, DB_FILE))).toBe(true);
    expect(existsSync(join(dirs[1]!, POSTGRES_POINTER_FILE))).toBe(false);
  });
});
