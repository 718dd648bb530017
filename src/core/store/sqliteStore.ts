import { accessSync, constants, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors';
import { checkMigrationOrder, MIGRATIONS, type Migration } from './migrations';
import { CHECKPOINTS_DIR, DB_FILE, MASKS_DIR, makeProjectFolders } from './projectLayout';
import type { OpenStoreOptions, ProjectStore } from './projectStore';
import { SqliteDatabase } from './sqliteDatabase';
import { ProjectStoreError, toStoreError } from './storeErrors';

/** Marks a SQLite file as a DepthSeg project ('DSEW'), so another app's database is refused. */
export const APPLICATION_ID = 0x44534557;

/** An open SQLite project: the store, and the better-sqlite3 connection itself for checks and tools. */
export interface SqliteProjectStore extends ProjectStore {
  readonly engine: 'sqlite';
  readonly db: Database.Database;
}

export interface OpenSqliteOptions extends OpenStoreOptions {
  /**
   * FULL (default) fsyncs the write-ahead log at every commit, so a saved mask or checkpoint
   * row survives a power cut as soon as the call returns, matching the PNG files, which are
   * fsynced too. NORMAL is faster for bulk work but may lose the last commits on power loss
   * (never corrupts).
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** The migration list (tests use a prefix of it to build an old database). */
  migrations?: readonly Migration[];
}

/**
 * Opens the SQLite project in `dir` (a folder holding project.sqlite, masks/ and checkpoints/),
 * creating it when absent and migrating an older database to the current schema. Refuses a
 * database written by a newer version of the app, or one that is not a DepthSeg project.
 */
export async function openSqliteStore(dir: string, opts: OpenSqliteOptions = {}): Promise<SqliteProjectStore> {
  const root = resolve(dir);
  const dbPath = join(root, DB_FILE);
  const migrations = opts.migrations ?? MIGRATIONS;
  checkMigrationOrder(migrations);
  const create = opts.create ?? true;
  prepareFolder(root, dbPath, create);

  let db: Database.Database;
  try {
    db = new Database(dbPath, { timeout: opts.busyTimeoutMs ?? 5000, fileMustExist: !create });
  } catch (e) {
    throw readOnlyFolder(root, e) ?? toStoreError(dbPath, e);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    const version = migrate(db, dbPath, migrations);
    const clock = opts.now ?? (() => new Date());
    const database = new SqliteDatabase(db);
    return {
      engine: 'sqlite',
      dir: root,
      dbPath,
      masksDir: join(root, MASKS_DIR),
      checkpointsDir: join(root, CHECKPOINTS_DIR),
      database,
      db,
      schemaVersion: version,
      now: () => clock().toISOString(),
      close: () => database.close(),
    };
  } catch (e) {
    db.close();
    throw readOnlyFolder(root, e) ?? toStoreError(dbPath, e);
  }
}

/**
 * SQLite says only "unable to open database file" where the folder cannot be written (a
 * read-only disk or mount, no write permission): say that instead, naming the folder.
 */
function readOnlyFolder(root: string, e: unknown): ProjectStoreError | undefined {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  if (!/^SQLITE_(CANTOPEN|READONLY|IOERR)/.test(code)) return undefined;
  try {
    accessSync(root, constants.W_OK);
    return undefined;
  } catch (why) {
    const fsCode = (why as NodeJS.ErrnoException).code ?? 'EACCES';
    return new ProjectStoreError(
      root,
      'read-only',
      `the project folder is read-only (${fsCode}): DepthSeg keeps its database there and must be able to write it; make the folder writable or copy the project to a writable disk`,
      { cause: e },
    );
  }
}

function prepareFolder(root: string, dbPath: string, create: boolean): void {
  if (!create) {
    if (!existsSync(root)) throw new ProjectStoreError(root, 'not-found', 'project folder not found');
    if (!existsSync(dbPath)) throw new ProjectStoreError(dbPath, 'not-found', 'no project database in this folder');
  }
  makeProjectFolders(root);
}

function readVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkIdentity(db: Database.Database, dbPath: string, version: number, latest: number): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
  const ours = appId === APPLICATION_ID || (appId === 0 && version === 0 && tables === 0);
  if (!ours) {
    throw new ProjectStoreError(dbPath, 'not-a-project', 'this SQLite file is not a DepthSeg Workbench project database');
  }
  if (version > latest) {
    throw new ProjectStoreError(
      dbPath,
      'newer-schema',
      `the project was saved by a newer version of DepthSeg Workbench (schema version ${version}; this version understands up to ${latest}). Update the app to open it.`,
    );
  }
}

/**
 * Applies the migrations the database lacks, each in its own IMMEDIATE transaction that
 * re-reads the version first, so two processes opening an old project at once migrate it once.
 */
function migrate(db: Database.Database, dbPath: string, migrations: readonly Migration[]): number {
  const latest = migrations.length;
  let applied = 0;
  const found = readVersion(db);
  checkIdentity(db, dbPath, found, latest);
  if (found === latest) return found; // up to date: opening takes no write lock
  for (const m of migrations) {
    const apply = db.transaction(() => {
      const current = readVersion(db);
      checkIdentity(db, dbPath, current, latest);
      if (current >= m.version) return;
      try {
        m.up(db);
      } catch (e) {
        const wrapped = toStoreError(dbPath, e);
        if (wrapped instanceof StoreError) throw wrapped;
        const why = e instanceof Error ? e.message : String(e);
        throw new StoreError(`${dbPath}: migration ${m.version} ('${m.name}') failed: ${why}`, { cause: e });
      }
      applied++;
      if (m.version === 1) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    });
    apply.immediate();
  }
  // After a schema change, make sure every reference still points at a row.
  const fkProblems = applied > 0 ? (db.pragma('foreign_key_check') as unknown[]) : [];
  if (fkProblems.length > 0) {
    throw new ProjectStoreError(dbPath, 'corrupt', `${fkProblems.length} rows point at rows that no longer exist (foreign key check failed)`);
  }
  return readVersion(db);
}
