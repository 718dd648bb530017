/**
 * The repository tests run once per engine: SQLite in a temp folder, and PostgreSQL on the
 * file's own throw-away server (postgresCluster.ts), each project with a database of its own.
 * Call storeEngines() at the top level of a test file, and describe.each over what it returns.
 */
import { describe, it } from 'vitest';
import { createPostgresProject, openProjectStore, type OpenSqliteOptions, type ProjectStore, type SqlEngine } from '../../src/core/store';
import { all, one, run } from '../../src/core/store/sql';
import { postgresMissing, usePostgres } from './postgresCluster';
import { seededStore } from './tempProject';

export interface StoreEngine {
  readonly name: SqlEngine;
  /** A new empty project in folder `dir` on this engine (SQLite options apply to SQLite only). */
  create(dir: string, opts?: OpenSqliteOptions): Promise<ProjectStore>;
  /** seededStore (tempProject.ts) on this engine. */
  seeded(dir: string, frames?: number, opts?: OpenSqliteOptions): ReturnType<typeof seededStore>;
}

export function storeEngines(): StoreEngine[] {
  const sqlite: StoreEngine = {
    name: 'sqlite',
    create: (dir, opts = {}) => openProjectStore(dir, opts),
    seeded: (dir, frames, opts = {}) => seededStore(dir, frames, opts),
  };
  const missing = postgresMissing();
  if (missing !== undefined) {
    describe('on postgres', () => it.skip(`skipped: ${missing}`, () => undefined));
    return [sqlite];
  }
  const server = usePostgres();
  const create = async (dir: string, opts: OpenSqliteOptions = {}) => {
    const { synchronous: _s, migrations: _m, ...common } = opts;
    return createPostgresProject(dir, await server.cluster().createDatabase(), common);
  };
  const postgres: StoreEngine = {
    name: 'postgres',
    create,
    seeded: (dir, frames, opts = {}) => seededStore(dir, frames, opts, create),
  };
  return [sqlite, postgres];
}

/** Raw SQL for tests that reach under the repositories (damage a row, count rows), on either engine. */
export const rawSql = {
  run: (store: ProjectStore, sql: string, ...params: unknown[]) => run(store, sql, ...params),
  count: async (store: ProjectStore, table: string) => (await one<{ n: number }>(store, `SELECT count(*) AS n FROM ${table}`))!.n,
  all: <T>(store: ProjectStore, sql: string, ...params: unknown[]) => all<T>(store, sql, ...params),
};

/** The words each engine uses for a broken constraint. */
export const constraint = {
  unique: /UNIQUE constraint failed|duplicate key value violates unique constraint/,
  foreignKey: /FOREIGN KEY constraint failed|violates foreign key constraint/,
  check: /CHECK constraint failed|violates check constraint/,
};
