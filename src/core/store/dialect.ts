/**
 * Where the SQL of the two engines differs, in one place. Repositories write the SQL both
 * understand (`?` placeholders, `INSERT ... ON CONFLICT`, `RETURNING id`, ISO-8601 text for
 * times, 0/1 integers for flags); the schema itself is written once per engine (migrations.ts
 * for SQLite, postgresMigrations.ts for PostgreSQL) with the same tables, columns and versions.
 */
import type { SqlEngine, TransactionKind } from './sqlSession';

/** How long a write waits for another writer's lock before failing with reason 'busy'. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;

/**
 * PostgreSQL numbers its parameters ($1, $2, ...) where SQLite takes `?`. Question marks inside
 * quoted strings or identifiers are left alone.
 */
export function postgresPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * The key of the advisory lock every PostgreSQL write transaction takes first ('DSEW'): the
 * same discipline as SQLite's BEGIN IMMEDIATE, one writer at a time per project database, so
 * each repository's read-then-write (a mask's version check, one running training run per
 * project) holds on both engines without per-query locking.
 */
export const POSTGRES_WRITE_LOCK_KEY = 0x44534557;

/** The statements that open a transaction of `kind` on `engine`. */
export function beginStatements(engine: SqlEngine, kind: TransactionKind, lockTimeoutMs: number): string[] {
  if (engine === 'sqlite') return [kind === 'read' ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE'];
  if (kind === 'read') return ['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'];
  if (kind === 'rows') return ['BEGIN', `SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`];
  return ['BEGIN', `SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`, `SELECT pg_advisory_xact_lock(${POSTGRES_WRITE_LOCK_KEY})`];
}

/**
 * The clause that locks the rows a SELECT reads until the transaction ends (PostgreSQL);
 * `skipLocked` passes over rows another transaction holds instead of waiting for them. SQLite
 * needs none: its write transaction already holds the whole database.
 */
export function lockRows(engine: SqlEngine, table: string, skipLocked = false): string {
  return engine === 'sqlite' ? '' : ` FOR UPDATE OF ${table}${skipLocked ? ' SKIP LOCKED' : ''}`;
}

/** Savepoints (nested transactions) are spelled alike; names are generated, never user text. */
export const savepoint = {
  open: (name: string) => `SAVEPOINT ${name}`,
  release: (name: string) => `RELEASE SAVEPOINT ${name}`,
  rollback: (name: string) => `ROLLBACK TO SAVEPOINT ${name}`,
};

/**
 * PostgreSQL: after rows were copied in with their ids (depthseg migrate), the identity
 * sequence of `table` continues after the highest id. SQLite needs nothing: it takes max + 1.
 */
export function continueIdentityAfterCopy(table: string): string {
  return `SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM ${table}), false)`;
}

/**
 * The database's own clock as ISO-8601 UTC text with milliseconds (the format of store.now()),
 * so heartbeats written by machines whose clocks differ compare on one clock. `dbTimeAgo`
 * takes one `?` parameter: seconds before now.
 */
export function dbNow(engine: SqlEngine): string {
  return engine === 'sqlite' ? "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" : `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
export function dbTimeAgo(engine: SqlEngine): string {
  return engine === 'sqlite'
    ? "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || CAST(? AS TEXT) || ' seconds')"
    : `to_char((clock_timestamp() - make_interval(secs => ?)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
