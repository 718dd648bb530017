import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors';
import {
  APPLICATION_ID,
  checkMigrationOrder,
  MIGRATIONS,
  openSqliteStore,
  ProjectStoreError,
  SCHEMA_VERSION,
} from '../../src/core/store';
import { tempFolder } from './tempProject';

const tmp = tempFolder('store-open');

async function reasonOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return (e as ProjectStoreError).reason;
  }
  throw new Error('expected a StoreError');
}

describe('openSqliteStore', () => {
  it('creates the folder, the database and masks/ and checkpoints/ beside it, with WAL, foreign keys and a busy timeout', async () => {
    const dir = tmp.projectDir();
    const store = await openSqliteStore(dir);
    expect(existsSync(join(dir, 'project.sqlite'))).toBe(true);
    expect(existsSync(join(dir, 'masks'))).toBe(true);
    expect(existsSync(join(dir, 'checkpoints'))).toBe(true);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    await store.close();
    await store.close(); // closing twice is harmless
  });

  it('opens an existing project instead of replacing it, in an existing folder with other files', async () => {
    const dir = tmp.projectDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const a = await openSqliteStore(dir);
    a.db.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES ('k', '1', 'now')").run();
    await a.close();
    const b = await openSqliteStore(dir);
    expect(b.db.prepare('SELECT value_json FROM settings').pluck().get()).toBe('1');
    await b.close();
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
  });

  it('with create: false, refuses a folder without a project', async () => {
    const dir = tmp.projectDir();
    expect(await reasonOf(async () => await openSqliteStore(dir, { create: false }))).toBe('not-found');
    mkdirSync(dir);
    expect(await reasonOf(async () => await openSqliteStore(dir, { create: false }))).toBe('not-found');
    expect(existsSync(join(dir, 'project.sqlite'))).toBe(false);
  });

  it('refuses a database written by a newer schema version and leaves it untouched', async () => {
    const dir = tmp.projectDir();
    await (await openSqliteStore(dir)).close();
    const raw = new Database(join(dir, 'project.sqlite'));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 4}`);
    raw.close();
    let err: unknown;
    try {
      await openSqliteStore(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProjectStoreError);
    expect((err as ProjectStoreError).reason).toBe('newer-schema');
    expect((err as Error).message).toContain(join(dir, 'project.sqlite'));
    expect((err as Error).message).toContain(`schema version ${SCHEMA_VERSION + 4}`);
    const check = new Database(join(dir, 'project.sqlite'), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 4);
    check.close();
  });

  it('refuses another application\'s SQLite file and a file that is not a database', async () => {
    const other = tmp.projectDir();
    mkdirSync(other);
    const raw = new Database(join(other, 'project.sqlite'));
    raw.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    raw.close();
    expect(await reasonOf(async () => await openSqliteStore(other))).toBe('not-a-project');

    const junk = tmp.projectDir();
    mkdirSync(junk);
    writeFileSync(join(junk, 'project.sqlite'), 'this is not a database, just some text that is long enough '.repeat(20));
    expect(await reasonOf(async () => await openSqliteStore(junk))).toBe('corrupt');
  });

  it('refuses a file where the project folder should be', async () => {
    const path = join(tmp.root, 'a-file');
    writeFileSync(path, 'x');
    expect(await reasonOf(async () => await openSqliteStore(path))).toBe('cannot-open');
  });

  it('numbers the migrations 1, 2, 3, ... and rejects a list with a gap', () => {
    expect(() => checkMigrationOrder(MIGRATIONS)).not.toThrow();
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(() => checkMigrationOrder([MIGRATIONS[0]!, MIGRATIONS[2]!])).toThrow(/expected 2/);
  });
});
