/**
 * A project is a folder. An SQLite project keeps its database in it (DB_FILE); a PostgreSQL
 * project keeps a pointer file naming its database (POSTGRES_POINTER_FILE). Both keep their
 * mask PNGs and checkpoints in the folder, beside the database or the pointer.
 */
export const DB_FILE = 'project.sqlite';
export const POSTGRES_POINTER_FILE = 'project.postgres.json';
export const MASKS_DIR = 'masks';
export const CHECKPOINTS_DIR = 'checkpoints';
