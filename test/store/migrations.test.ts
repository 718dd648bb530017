import { CAMVID_LABEL_SET } from '../../src/core/labels';
import { describe, expect, it } from 'vitest';
import {
  countFrames,
  createSelectionRound,
  getFrame,
  getMaskRow,
  listProjects,
  listSuggestions,
  MIGRATIONS,
  openSqliteStore,
  SCHEMA_VERSION,
  enqueueJob,
  maskHistory,
  StoreError,
  type Migration,
} from '../../src/core/store';
import { tempFolder } from './tempProject';

const tmp = tempFolder('store-migrate');

function columns(db: import('better-sqlite3').Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
}

function tables(db: import('better-sqlite3').Database): string[] {
  return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
}

describe('migrations', () => {
  it('upgrades a version-1 database with data in it: rows survive, new tables and columns appear', async () => {
    const dir = tmp.projectDir();
    const old = await openSqliteStore(dir, { migrations: MIGRATIONS.slice(0, 1) });
    expect(old.schemaVersion).toBe(1);
    expect(tables(old.db)).not.toContain('selection_rounds');
    expect(columns(old.db, 'frames')).not.toContain('depth_path');
    // rows written the way version-1 code would, in raw SQL
    old.db.exec(`
      INSERT INTO projects (id, name, created_at, settings_json) VALUES (1, 'old', '2026-01-01T00:00:00.000Z', '{"size":[64,128]}');
      INSERT INTO datasets (id, project_id, name, format, root_path, created_at) VALUES (1, 1, 'cv', 'camvid', '/camvid', '2026-01-01T00:00:00.000Z');
      INSERT INTO clips (id, dataset_id, key, split, frame_count) VALUES (1, 1, '0001TP', 'train', 2);
      INSERT INTO frames (id, clip_id, idx, image_path, split, is_keyframe, width, height, gt_label_path)
        VALUES (1, 1, 0, 'train/a.png', 'train', 1, 480, 360, 'trainannot/a.png'), (2, 1, 1, 'train/b.png', 'train', 0, 480, 360, NULL);
      INSERT INTO label_masks (frame_id, mask_path, histogram_json, author, status, created_at, updated_at, version)
        VALUES (1, 'masks/frame-1-v3.png', '{"counts":[1,2],"ignore":0}', 'ann', 'done', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 3);
    `);
    await old.close();

    const now = await openSqliteStore(dir);
    expect(now.schemaVersion).toBe(SCHEMA_VERSION);
    expect(tables(now.db)).toEqual(
      expect.arrayContaining(['training_runs', 'run_metrics', 'checkpoints', 'feature_cache', 'selection_rounds', 'selection_picks']),
    );
    expect(columns(now.db, 'frames')).toContain('depth_path');
    // A project made before label sets were stored gets the one it trained with: CamVid's for a CamVid dataset.
    expect(await listProjects(now)).toEqual([{ id: 1, name: 'old', createdAt: '2026-01-01T00:00:00.000Z', settings: { size: [64, 128] }, labelSet: CAMVID_LABEL_SET }]);
    expect(await countFrames(now)).toBe(2);
    expect(await getFrame(now, 1)).toMatchObject({ imagePath: 'train/a.png', isKeyframe: true, gtLabelPath: 'trainannot/a.png', depthPath: null });
    expect(await getMaskRow(now, 1)).toMatchObject({ maskPath: 'masks/frame-1-v3.png', status: 'done', version: 3, histogram: { counts: [1, 2], ignore: 0 }, leaseHolder: null, review: null });
    expect(await maskHistory(now, 1)).toEqual([]);
    // the new tables work with the old rows
    await createSelectionRound(now, { projectId: 1, method: 'ds', picks: [{ frameId: 2, diversityScore: 1.5 }] });
    expect((await listSuggestions(now, 1)).map((s) => [s.frameId, s.status])).toEqual([[2, 'todo']]);
    // version 6: the training job queue
    expect(await enqueueJob(now, { projectId: 1, kind: 'seg', settings: { steps: 2 } })).toMatchObject({ id: 1, state: 'queued', attempts: 0, runId: null });
    await now.close();
  });

  it('upgrades from every earlier version to the current one', async () => {
    for (let v = 1; v < SCHEMA_VERSION; v++) {
      const dir = tmp.projectDir();
      await (await openSqliteStore(dir, { migrations: MIGRATIONS.slice(0, v) })).close();
      const s = await openSqliteStore(dir);
      expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(s.db.pragma('foreign_key_check')).toEqual([]);
      await s.close();
    }
  });

  it('a migration that fails half way changes nothing: the version and the schema stay as they were', async () => {
    const dir = tmp.projectDir();
    await (await openSqliteStore(dir, { migrations: MIGRATIONS.slice(0, 1) })).close();
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up: (db) => {
        db.exec('CREATE TABLE half_done (id INTEGER PRIMARY KEY)');
        db.exec('ALTER TABLE frames ADD COLUMN extra TEXT');
        db.exec('THIS IS NOT SQL');
      },
    };
    await expect(openSqliteStore(dir, { migrations: [MIGRATIONS[0]!, broken] })).rejects.toThrow(StoreError);
    await expect(openSqliteStore(dir, { migrations: [MIGRATIONS[0]!, broken] })).rejects.toThrow(/migration 2 \('broken'\) failed/);
    const s = await openSqliteStore(dir, { migrations: MIGRATIONS.slice(0, 1) });
    expect(s.schemaVersion).toBe(1);
    expect(tables(s.db)).not.toContain('half_done');
    expect(columns(s.db, 'frames')).not.toContain('extra');
    await s.close();
    // and the real migrations still apply afterwards
    const fixed = await openSqliteStore(dir);
    expect(fixed.schemaVersion).toBe(SCHEMA_VERSION);
    await fixed.close();
  });
});
