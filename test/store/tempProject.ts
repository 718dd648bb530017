import { CITYSCAPES_LABEL_SET } from '../../src/core/labels';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import {
  addClip,
  addDataset,
  createProject,
  insertFrames,
  openProjectStore,
  type OpenSqliteOptions,
  type ProjectStore,
  type SqliteProjectStore,
} from '../../src/core/store';
import type Database from 'better-sqlite3';

/** The better-sqlite3 connection of an SQLite project, for checks only SQLite has (PRAGMAs, integrity_check). */
export function sqliteOf(store: ProjectStore): Database.Database {
  if (store.engine !== 'sqlite') throw new Error(`${store.dbPath} is a ${store.engine} project, not an SQLite one`);
  return (store as SqliteProjectStore).db;
}

/** A fresh temp folder per test file, removed afterwards; `projectDir()` names a new project folder in it. */
export function tempFolder(prefix: string): { projectDir: () => string; root: string } {
  const root = mkdtempSync(join(tmpdir(), `depthseg-${prefix}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return { root, projectDir: () => join(root, `p${++n}`) };
}

/** A clock that ticks one second per call from a fixed start, so times are known. */
export function fixedClock(start = Date.UTC(2026, 10, 24, 12, 0, 0)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

/** A project with one Cityscapes-style dataset, one train clip of `frames` 8x4 frames (the last one the keyframe). */
export async function seededStore(
  dir: string,
  frames = 3,
  opts: OpenSqliteOptions = {},
  create: (dir: string, opts: OpenSqliteOptions) => Promise<ProjectStore> = openProjectStore,
) {
  const store: ProjectStore = await create(dir, { now: fixedClock(), ...opts });
  const project = await createProject(store, { name: 'street', labelSet: CITYSCAPES_LABEL_SET, settings: { size: [128, 256] } });
  const dataset = await addDataset(store, { projectId: project.id, name: 'synth', format: 'cityscapes', rootPath: '/data/synth' });
  const clip = await addClip(store, { datasetId: dataset.id, key: 'synth_000000', split: 'train', intrinsics: { fx: 100, fy: 100, cx: 4, cy: 2 } });
  const frameIds = await insertFrames(
    store,
    Array.from({ length: frames }, (_, i) => ({
      clipId: clip.id,
      index: i,
      imagePath: `leftImg8bit_sequence/train/synth/synth_000000_${String(i).padStart(6, '0')}_leftImg8bit.png`,
      split: 'train' as const,
      isKeyframe: i === frames - 1,
      width: 8,
      height: 4,
      gtLabelPath: i === frames - 1 ? 'gtFine/train/synth/x_gtFine_labelTrainIds.png' : null,
    })),
  );
  return { store, project, dataset, clip, frameIds };
}
