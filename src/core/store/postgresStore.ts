import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from '../errors';
import { PostgresDatabase } from './postgresDatabase';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_TABLE, type PostgresMigration } from './postgresMigrations';
import { checkPostgresUrl, readPostgresPointer, redactPostgresUrl, writePostgresPointer } from './postgresPointer';
import { CHECKPOINTS_DIR, DB_FILE, MASKS_DIR, POSTGRES_POINTER_FILE, makeProjectFolders } from './projectLayout';
import type { OpenStoreOptions, ProjectStore } from './projectStore';
import { ProjectStoreError, toStoreError } from './storeErrors';

/** The application id kept in depthseg_schema, as SQLite's PRAGMA application_id ('DSEW'). */
const APPLICATION_NAME = 'DSEW';

export interface OpenPostgresOptions extends OpenStoreOptions {
  /** The migration list (tests use a prefix of it to build an old database). */
  migrations?: readonly PostgresMigration[];
}

/**
 * Opens the project whose rows live in the PostgreSQL database at `url` and whose mask PNGs
 * and checkpoints live in folder `dir`, creating the schema in an empty database when `create`
 * (default true) and migrating an older one. Refuses a database that holds other tables but
 * no DepthSeg project, and one written by a newer version of the app.
 */
export async function openPostgresStore(url: string, dir: string, opts: OpenPostgresOptions = {}): Promise<ProjectStore> {
  checkPostgresUrl(url);
  const label = redactPostgresUrl(url);
  const root = resolve(dir);
  const create = opts.create ?? true;
  makeProjectFolders(root);
  const database = new PostgresDatabase(url, { ...(opts.busyTimeoutMs !== undefined ? { lockTimeoutMs: opts.busyTimeoutMs } : {}) });
  try {
    const version = await migrate(database, label, opts.migrations ?? POSTGRES_MIGRATIONS, create);
    const clock = opts.now ?? (() => new Date());
    return {
      engine: 'postgres',
      dir: root,
      dbPath: label,
      masksDir: join(root, MASKS_DIR),
      checkpointsDir: join(root, CHECKPOINTS_DIR),
      database,
      schemaVersion: version,
      now: () => clock().toISOString(),
      close: () => database.close(),
    };
  } catch (e) {
    await database.close();
    throw toStoreError(label, e);
  }
}

/**
 * Makes folder `dir` a PostgreSQL project: creates the schema in the database at `url` (an
 * empty database, or one already holding this schema) and writes the pointer file. Refuses a
 * folder that already holds an SQLite project (move it with depthseg migrate) or points at
 * another database.
 */
export async function createPostgresProject(dir: string, url: string, opts: OpenPostgresOptions = {}): Promise<ProjectStore> {
  const root = resolve(dir);
  checkPostgresUrl(url);
  if (existsSync(join(root, DB_FILE))) {
    throw new ProjectStoreError(
      join(root, DB_FILE),
      'cannot-open',
      'this folder already holds an SQLite project; move it into PostgreSQL with depthseg migrate, or choose an empty folder',
    );
  }
  if (existsSync(join(root, POSTGRES_POINTER_FILE))) {
    const existing = readPostgresPointer(root);
    if (existing.url !== url) {
      throw new ProjectStoreError(
        join(root, POSTGRES_POINTER_FILE),
        'cannot-open',
        `this folder is already the project of another database (${redactPostgresUrl(existing.url)}); choose an empty folder`,
      );
    }
  }
  const store = await openPostgresStore(url, root, { ...opts, create: true });
  try {
    writePostgresPointer(root, url);
  } catch (e) {
    await store.close();
    throw toStoreError(join(root, POSTGRES_POINTER_FILE), e);
  }
  return store;
}

async function readVersion(db: PostgresDatabase): Promise<number | undefined> {
  const marker = await db.one<{ t: string | null }>(`SELECT to_regclass('${POSTGRES_SCHEMA_TABLE}')::text AS t`, []);
  if (!marker?.t) return undefined;
  const row = await db.one<{ application_id: string; version: number }>(`SELECT application_id, version FROM ${POSTGRES_SCHEMA_TABLE}`, []);
  return row?.application_id === APPLICATION_NAME ? row.version : -1;
}

async function checkIdentity(db: PostgresDatabase, label: string, version: number | undefined, latest: number, create: boolean): Promise<void> {
  if (version === -1) throw new ProjectStoreError(label, 'not-a-project', `the ${POSTGRES_SCHEMA_TABLE} table of this database does not mark a DepthSeg Workbench project`);
  if (version === undefined) {
    const tables = await db.one<{ n: number }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()", []);
    if ((tables?.n ?? 0) > 0) {
      throw new ProjectStoreError(label, 'not-a-project', `this database holds ${tables!.n} other tables but no DepthSeg Workbench project; give the project a database of its own`);
    }
    if (!create) throw new ProjectStoreError(label, 'not-found', 'this database holds no DepthSeg Workbench project; create one with depthseg init --db');
    return;
  }
  if (version > latest) {
    throw new ProjectStoreError(
      label,
      'newer-schema',
      `the project was saved by a newer version of DepthSeg Workbench (schema version ${version}; this version understands up to ${latest}). Update the app to open it.`,
    );
  }
}

/**
 * Applies the migrations the database lacks, each in its own write transaction (which takes
 * the project's write lock first and re-reads the version), so two processes opening an old
 * project at once migrate it once.
 */
async function migrate(db: PostgresDatabase, label: string, migrations: readonly PostgresMigration[], create: boolean): Promise<number> {
  const latest = migrations.length;
  const found = await readVersion(db);
  await checkIdentity(db, label, found, latest, create);
  if (found === latest) return found;
  for (const m of migrations) {
    await db.transaction('write', async (tx) => {
      await tx.run(`CREATE TABLE IF NOT EXISTS ${POSTGRES_SCHEMA_TABLE} (application_id TEXT NOT NULL, version INTEGER NOT NULL)`, []);
      let row = await tx.one<{ version: number }>(`SELECT version FROM ${POSTGRES_SCHEMA_TABLE}`, []);
      if (!row) {
        await tx.run(`INSERT INTO ${POSTGRES_SCHEMA_TABLE} (application_id, version) VALUES (?, 0)`, [APPLICATION_NAME]);
        row = { version: 0 };
      }
      if (row.version > latest) await checkIdentity(db, label, row.version, latest, create);
      if (row.version >= m.version) return;
      try {
        await m.up(tx);
      } catch (e) {
        const wrapped = toStoreError(label, e);
        if (wrapped instanceof StoreError) throw wrapped;
        const why = e instanceof Error ? e.message : String(e);
        throw new StoreError(`${label}: migration ${m.version} ('${m.name}') failed: ${why}`, { cause: e });
      }
      await tx.run(`UPDATE ${POSTGRES_SCHEMA_TABLE} SET version = ?`, [m.version]);
    });
  }
  return (await readVersion(db)) ?? 0;
}
