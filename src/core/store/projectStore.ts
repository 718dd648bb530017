import type { SqlDatabase, SqlEngine } from './sqlSession';

export { CHECKPOINTS_DIR, DB_FILE, MASKS_DIR, POSTGRES_POINTER_FILE } from './projectLayout';

/**
 * An open project: its database (SQLite in the folder, or a PostgreSQL server the folder
 * points at) and the folders beside it. Every repository function takes one; none needs to
 * know which engine it is.
 */
export interface ProjectStore {
  readonly engine: SqlEngine;
  /** The project folder (absolute): masks/ and checkpoints/ live here. */
  readonly dir: string;
  /** Where the database is, as messages name it: the SQLite file, or the PostgreSQL URL without its password. */
  readonly dbPath: string;
  readonly masksDir: string;
  readonly checkpointsDir: string;
  /** The engine's sessions; repositories reach it through sql.ts (run, one, all, transaction). */
  readonly database: SqlDatabase;
  /** Schema version of the open database (after migrating). */
  readonly schemaVersion: number;
  /** The time to stamp rows with, as ISO-8601 UTC text. */
  now(): string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Create the folder and database when absent (default true); false refuses a missing one. */
  create?: boolean;
  /** How long a write waits for another process's write to finish (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Clock for created/updated times (tests pin it). */
  now?: () => Date;
}
