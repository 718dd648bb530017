import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fsAtomic';
import { POSTGRES_POINTER_FILE } from './projectLayout';
import { ProjectStoreError } from './storeErrors';

/**
 * The pointer file of a PostgreSQL project folder (project.postgres.json): which database
 * holds the project's rows. The folder itself keeps the mask PNGs and checkpoints, as an
 * SQLite project's does. The URL may carry a password; the file is written readable by its
 * owner only, and a URL without one takes it from PGPASSWORD or ~/.pgpass as psql does.
 */
export interface PostgresPointer {
  readonly engine: 'postgres';
  readonly url: string;
}

/** Checks `url` is a PostgreSQL URL (postgres:// or postgresql://), naming what is wrong. */
export function checkPostgresUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProjectStoreError(url, 'cannot-open', 'is not a PostgreSQL URL; give one like postgres://USER@HOST:5432/DATABASE');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ProjectStoreError(redactPostgresUrl(url), 'cannot-open', `is not a PostgreSQL URL (it starts with ${parsed.protocol}//); give one like postgres://USER@HOST:5432/DATABASE`);
  }
  if (parsed.pathname.replace(/^\//, '') === '') {
    throw new ProjectStoreError(redactPostgresUrl(url), 'cannot-open', 'names no database; give one like postgres://USER@HOST:5432/DATABASE');
  }
  return parsed;
}

/** The URL as messages show it: the password, if any, replaced by ***. */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

export function readPostgresPointer(dir: string): PostgresPointer {
  const path = join(dir, POSTGRES_POINTER_FILE);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
    throw new ProjectStoreError(path, 'corrupt', `${why}; it should name the project's PostgreSQL database as {"engine": "postgres", "url": "postgres://..."}`, { cause: e });
  }
  const url = typeof value === 'object' && value !== null ? (value as { url?: unknown }).url : undefined;
  if (typeof url !== 'string') {
    throw new ProjectStoreError(path, 'corrupt', 'names no database: it should hold {"engine": "postgres", "url": "postgres://..."}');
  }
  checkPostgresUrl(url);
  return { engine: 'postgres', url };
}

export function writePostgresPointer(dir: string, url: string): void {
  checkPostgresUrl(url);
  const pointer: PostgresPointer = { engine: 'postgres', url };
  writeFileAtomic(join(dir, POSTGRES_POINTER_FILE), `${JSON.stringify(pointer, null, 2)}\n`, { mode: 0o600 });
}
