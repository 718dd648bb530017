import { rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { requireInsideRoot } from '../data/scan';
import { DataError } from '../errors';
import { insideProjectFolder } from './projectPaths';
import type { ProjectStore } from './projectStore';
import { all, insertReturningId, one, parseJsonObject, requireRow, run, toJson, transaction, type JsonObject } from './sql';

export type DatasetFormat = 'cityscapes' | 'camvid' | 'frames';

export interface Dataset {
  id: number;
  projectId: number;
  name: string;
  format: DatasetFormat;
  /** Absolute path of the dataset's root folder; frame paths are relative to it. */
  rootPath: string;
  options: JsonObject;
  createdAt: string;
}

export interface NewDataset {
  projectId: number;
  name: string;
  format: DatasetFormat;
  rootPath: string;
  options?: JsonObject;
}

interface DatasetSql {
  id: number;
  project_id: number;
  name: string;
  format: DatasetFormat;
  root_path: string;
  options_json: string;
  created_at: string;
}

function dataset(store: ProjectStore, r: DatasetSql): Dataset {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    format: r.format,
    rootPath: r.root_path,
    options: parseJsonObject(store, r.options_json, `datasets row ${r.id} options_json`),
    createdAt: r.created_at,
  };
}

export async function addDataset(store: ProjectStore, d: NewDataset): Promise<Dataset> {
  const id = await insertReturningId(
    store,
    'INSERT INTO datasets (project_id, name, format, root_path, options_json, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    d.projectId,
    d.name,
    d.format,
    d.rootPath,
    toJson(d.options),
    store.now(),
  );
  return await getDataset(store, id);
}

export async function getDataset(store: ProjectStore, id: number): Promise<Dataset> {
  return dataset(store, requireRow(store, await one<DatasetSql>(store, 'SELECT * FROM datasets WHERE id = ?', id), `dataset with id ${id}`));
}

export async function listDatasets(store: ProjectStore, projectId: number): Promise<Dataset[]> {
  return (await all<DatasetSql>(store, 'SELECT * FROM datasets WHERE project_id = ? ORDER BY id', projectId)).map((r) => dataset(store, r));
}

/**
 * Removes a dataset with its clips, frames, label masks (rows and PNG files), picks and
 * cached features. The files go after the commit, so a failed delete keeps them.
 */
export async function removeDataset(store: ProjectStore, id: number): Promise<void> {
  const maskPaths = await transaction(store, async () => {
    const paths = (await all<{ id: number; mask_path: string }>(
      store,
      `SELECT m.id, m.mask_path FROM label_masks m JOIN frames f ON f.id = m.frame_id JOIN clips c ON c.id = f.clip_id
       WHERE c.dataset_id = ? AND m.mask_path IS NOT NULL`,
      id,
    )).map((r) => insideProjectFolder(store, r.mask_path, 'masks', `label_masks row ${r.id} mask_path`));
    await run(store, 'DELETE FROM datasets WHERE id = ?', id);
    return paths;
  });
  for (const p of maskPaths) rmSync(join(store.dir, p), { force: true });
}

/**
 * The absolute path of a file named relative to a dataset's root (frame image, label, depth),
 * refusing a name that is absolute or climbs out of the root with `..`, or a symbolic link
 * that leads outside it.
 */
export function datasetFile(dataset: Pick<Dataset, 'rootPath'>, rel: string): string {
  const abs = resolve(dataset.rootPath, rel);
  const inside = relative(resolve(dataset.rootPath), abs);
  if (isAbsolute(rel) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new DataError(abs, `is outside the dataset folder ${dataset.rootPath} (named '${rel}')`);
  }
  // A symbolic link placed in the dataset after it was added: follow it only inside the root.
  return requireInsideRoot(dataset.rootPath, abs);
}
