import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectStoreError, toStoreError } from './storeErrors';

/**
 * A project is a folder. An SQLite project keeps its database in it (DB_FILE); a PostgreSQL
 * project keeps a pointer file naming its database (POSTGRES_POINTER_FILE). Both keep their
 * mask PNGs and checkpoints in the folder, beside the database or the pointer.
 */
export const DB_FILE = 'project.sqlite';
export const POSTGRES_POINTER_FILE = 'project.postgres.json';
export const MASKS_DIR = 'masks';
export const CHECKPOINTS_DIR = 'checkpoints';

/** Makes the project folder and its masks/ and checkpoints/ (either engine); refuses a file in its place. */
export function makeProjectFolders(root: string): void {
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new ProjectStoreError(root, 'cannot-open', 'a project must be a folder; this is a file');
  }
  try {
    for (const d of [root, join(root, MASKS_DIR), join(root, CHECKPOINTS_DIR)]) mkdirSync(d, { recursive: true });
  } catch (e) {
    throw toStoreError(root, e);
  }
}
