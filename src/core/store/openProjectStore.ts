import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openPostgresStore } from './postgresStore';
import { readPostgresPointer } from './postgresPointer';
import { DB_FILE, POSTGRES_POINTER_FILE } from './projectLayout';
import type { ProjectStore } from './projectStore';
import type { SqlEngine } from './sqlSession';
import { openSqliteStore, type OpenSqliteOptions } from './sqliteStore';

/** Which engine the project folder `dir` uses, or undefined where it holds no project. */
export function projectEngine(dir: string): SqlEngine | undefined {
  const root = resolve(dir);
  if (existsSync(join(root, POSTGRES_POINTER_FILE))) return 'postgres';
  if (existsSync(join(root, DB_FILE))) return 'sqlite';
  return undefined;
}

/**
 * Opens the project in folder `dir`: the PostgreSQL database its pointer file names, where it
 * has one (a team project: depthseg init --db, or depthseg migrate), else the SQLite database
 * in it, created when absent (unless `create` is false) and migrated to the current schema.
 */
export async function openProjectStore(dir: string, opts: OpenSqliteOptions = {}): Promise<ProjectStore> {
  if (projectEngine(dir) === 'postgres') {
    const pointer = readPostgresPointer(resolve(dir));
    const { synchronous: _sqliteOnly, migrations: _sqliteMigrations, ...common } = opts;
    return openPostgresStore(pointer.url, resolve(dir), { ...common, create: false });
  }
  return openSqliteStore(dir, opts);
}
