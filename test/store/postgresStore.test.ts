/**
 * Opening a PostgreSQL project: the schema is created in an empty database and migrated in
 * an old one; everything that can go wrong names the database (its URL without the
 * password) and says what is wrong.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAMVID_LABEL_SET } from '../../src/core/labels';
import {
  createPostgresProject,
  DB_FILE,
  getProject,
  openPostgresStore,
  openProjectStore,
  POSTGRES_POINTER_FILE,
  ProjectStoreError,
  SCHEMA_VERSION,
  setSetting,
  StoreError,
  PROJECT_TABLES,
} from '../../src/core/store';
import { POSTGRES_MIGRATIONS } from '../../src/core/store/postgresMigrations';
import { postgresMissing, usePostgres } from './postgresCluster';
import { rawSql } from './storeEngines';
import { tempFolder } from './tempProject';

const tmp = tempFolder('store-pg');
const missing = postgresMissing();

async function failure(p: Promise<unknown>): Promise<ProjectStoreError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StoreError);
  return e as ProjectStoreError;
}

describe.skipIf(missing !== undefined)(`a PostgreSQL project store${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const server = usePostgres();

  it('creates the schema in an empty database, at the current version, and opens it again through the folder', async () => {
    const url = await server.cluster().createDatabase();
    const dir = tmp.projectDir();
    const store = await createPostgresProject(dir, url);
    expect(store).toMatchObject({ engine: 'postgres', dir, dbPath: url, schemaVersion: SCHEMA_VERSION, masksDir: join(dir, 'masks') });
    await store.close();
    const again = await openProjectStore(dir, { create: false });
    expect(again.engine).toBe('postgres');
    expect(await rawSql.all(again, 'SELECT application_id, version FROM depthseg_schema')).toEqual([{ application_id: 'DSEW', version: SCHEMA_VERSION }]);
    await again.close();
  });

  it('migrates a database of an older version, keeping its rows (a CamVid project gets the CamVid label set)', async () => {
    const url = await server.cluster().createDatabase();
    const old = await openPostgresStore(url, tmp.projectDir(), { migrations: POSTGRES_MIGRATIONS.slice(0, 3) });
    expect(old.schemaVersion).toBe(3);
    await rawSql.run(old, "INSERT INTO projects (name, created_at) VALUES ('old', '2026-01-01T00:00:00.000Z')");
    await rawSql.run(old, "INSERT INTO datasets (project_id, name, format, root_path, created_at) VALUES (1, 'cv', 'camvid', '/d', '2026-01-01T00:00:00.000Z')");
    await old.close();
    const now = await openPostgresStore(url, tmp.projectDir());
    expect(now.schemaVersion).toBe(SCHEMA_VERSION);
    expect((await getProject(now, 1)).labelSet).toEqual(CAMVID_LABEL_SET);
    await now.close();
  });

  it('names the database and the problem: unreachable, missing, not a project, newer, no project yet, bad URL', async () => {
    const secret = 'postgres://depthseg:hunter2@127.0.0.1:1/nowhere';
    const unreachable = await failure(openPostgresStore(secret, tmp.projectDir()));
    expect(unreachable.reason).toBe('cannot-open');
    expect(unreachable.message).toMatch(/^postgres:\/\/depthseg:\*\*\*@127\.0\.0\.1:1\/nowhere: cannot reach the PostgreSQL server: nothing listens/);
    expect(unreachable.message).not.toContain('hunter2');

    const absent = await failure(openPostgresStore(server.cluster().url('no_such_db'), tmp.projectDir()));
    expect(absent.reason).toBe('not-found');
    expect(absent.message).toContain(`${server.cluster().url('no_such_db')}: this PostgreSQL database does not exist`);

    const foreign = await server.cluster().createDatabase();
    const other = await createPostgresProject(tmp.projectDir(), foreign);
    await rawSql.run(other, 'DROP TABLE depthseg_schema');
    await other.close();
    const notOurs = await failure(openPostgresStore(foreign, tmp.projectDir()));
    expect(notOurs.reason).toBe('not-a-project');
    expect(notOurs.message).toContain(`holds ${PROJECT_TABLES.length} other tables but no DepthSeg Workbench project`);

    const newer = await server.cluster().createDatabase();
    const n = await createPostgresProject(tmp.projectDir(), newer);
    await rawSql.run(n, 'UPDATE depthseg_schema SET version = 99');
    await n.close();
    const tooNew = await failure(openPostgresStore(newer, tmp.projectDir()));
    expect(tooNew.reason).toBe('newer-schema');
    expect(tooNew.message).toContain(`schema version 99; this version understands up to ${SCHEMA_VERSION}`);

    const empty = await server.cluster().createDatabase();
    expect((await failure(openPostgresStore(empty, tmp.projectDir(), { create: false }))).message).toContain('holds no DepthSeg Workbench project; create one with depthseg init --db');

    expect((await failure(openPostgresStore('mysql://x@h/db', tmp.projectDir()))).message).toMatch(/is not a PostgreSQL URL \(it starts with mysql:\/\/\)/);
  });

  it('refuses a folder that holds an SQLite project or points at another database; names a damaged pointer file', async () => {
    const sqliteDir = tmp.projectDir();
    await (await openProjectStore(sqliteDir)).close();
    const url = await server.cluster().createDatabase();
    expect((await failure(createPostgresProject(sqliteDir, url))).message).toBe(
      `${join(sqliteDir, DB_FILE)}: this folder already holds an SQLite project; move it into PostgreSQL with depthseg migrate, or choose an empty folder`,
    );
    const dir = tmp.projectDir();
    await (await createPostgresProject(dir, url)).close();
    const another = await server.cluster().createDatabase();
    expect((await failure(createPostgresProject(dir, another))).message).toContain('this folder is already the project of another database');

    const damaged = tmp.projectDir();
    mkdirSync(damaged);
    writeFileSync(join(damaged, POSTGRES_POINTER_FILE), '{"engine": "postgres"');
    const e = await failure(openProjectStore(damaged));
    expect(e.reason).toBe('corrupt');
    expect(e.message).toMatch(new RegExp(`^${join(damaged, POSTGRES_POINTER_FILE)}: is not valid JSON; it should name the project's PostgreSQL database`));
  });

  it('a read-only database becomes a StoreError saying so', async () => {
    const url = await server.cluster().createDatabase();
    const dir = tmp.projectDir();
    const store = await createPostgresProject(dir, url);
    await rawSql.run(store, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', current_database()); END $$");
    await store.close();
    const ro = await openProjectStore(dir);
    const e = await failure(setSetting(ro, 'k', 1));
    expect(e.reason).toBe('read-only');
    expect(e.message).toContain(`${url}: no permission to write this PostgreSQL database`);
    await ro.close();
  });
});
