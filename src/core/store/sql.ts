import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreError } from '../errors';
import type { ProjectStore } from './projectStore';
import type { RunResult, SqlDatabase, SqlSession, TransactionKind } from './sqlSession';
import { ProjectStoreError, toStoreError } from './storeErrors';

/** A JSON object as kept in the `*_json` columns. */
export type JsonObject = Record<string, unknown>;

/**
 * The transactions open in the current async call chain, by database. A repository function
 * called inside `transaction(store, fn)` runs on that transaction's session without being
 * handed it, so repositories nest as they did when transactions were synchronous, and work
 * elsewhere in the process (another window's call) waits or runs outside, never inside it.
 */
const openTransactions = new AsyncLocalStorage<ReadonlyMap<SqlDatabase, SqlSession>>();

function session(store: ProjectStore): SqlSession {
  return openTransactions.getStore()?.get(store.database) ?? store.database;
}

/** Runs `fn`, turning errors the user can act on (busy, read-only, disk full, unreachable server) into StoreErrors. */
export async function guard<T>(store: ProjectStore, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toStoreError(store.dbPath, e);
  }
}

export function run(store: ProjectStore, sql: string, ...params: unknown[]): Promise<RunResult> {
  return guard(store, () => session(store).run(sql, params));
}

export function one<T>(store: ProjectStore, sql: string, ...params: unknown[]): Promise<T | undefined> {
  return guard(store, () => session(store).one<T>(sql, params));
}

export function all<T>(store: ProjectStore, sql: string, ...params: unknown[]): Promise<T[]> {
  return guard(store, () => session(store).all<T>(sql, params));
}

/** Hands each row to `fn` in order (streamed from SQLite, so a large table never sits in memory twice). */
export function each<T>(store: ProjectStore, sql: string, params: readonly unknown[], fn: (row: T) => void): Promise<void> {
  return guard(store, () => session(store).each<T>(sql, params, fn));
}

function inTransaction<T>(store: ProjectStore, kind: TransactionKind, fn: () => T | Promise<T>): Promise<T> {
  return guard(store, () =>
    session(store).transaction(kind, (tx) => {
      const open = new Map(openTransactions.getStore() ?? []);
      open.set(store.database, tx);
      return openTransactions.run(open, async () => fn());
    }),
  );
}

/**
 * Runs `fn` in one transaction: all of its writes land, or (when it throws) none do. Write
 * transactions take the database's write lock up front (SQLite: BEGIN IMMEDIATE; PostgreSQL:
 * an advisory lock, dialect.ts), waiting up to the lock timeout, so a transaction that read
 * first cannot fail later because another process wrote in between. Repository calls inside
 * `fn` join the transaction; nested calls become savepoints.
 */
export function transaction<T>(store: ProjectStore, fn: () => T | Promise<T>): Promise<T> {
  return inTransaction(store, 'write', fn);
}

/**
 * Runs `fn` in one transaction that locks rows instead of taking the project's write lock
 * (PostgreSQL; on SQLite it is a write transaction): for the labelling queue, whose callers
 * select with `lockRows(..., true)` (FOR UPDATE SKIP LOCKED) and so never queue behind each other.
 */
export function rowLockTransaction<T>(store: ProjectStore, fn: () => T | Promise<T>): Promise<T> {
  return inTransaction(store, 'rows', fn);
}

/**
 * Runs read-only `fn` on one consistent snapshot (SQLite: a DEFERRED transaction; PostgreSQL:
 * REPEATABLE READ, READ ONLY): it takes no write lock, so it neither waits for nor blocks writers.
 */
export function readTransaction<T>(store: ProjectStore, fn: () => T | Promise<T>): Promise<T> {
  return inTransaction(store, 'read', fn);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? {});
}

/** Parses a `*_json` column, naming the table, column and row when it is not valid JSON. */
export function parseJson<T>(store: Pick<ProjectStore, 'dbPath'>, text: string | null, where: string): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new StoreError(`${store.dbPath}: ${where} holds invalid JSON`, { cause: e });
  }
}

/** Like parseJson, for columns that are never NULL. */
export function parseJsonObject(store: Pick<ProjectStore, 'dbPath'>, text: string, where: string): JsonObject {
  const v = parseJson<unknown>(store, text, where);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new StoreError(`${store.dbPath}: ${where} should hold a JSON object`);
  }
  return v as JsonObject;
}

/** Checks an id refers to a row, naming what is missing. */
export function requireRow<T>(store: Pick<ProjectStore, 'dbPath'>, row: T | undefined, what: string): T {
  if (row === undefined) throw new ProjectStoreError(store.dbPath, 'not-found', `no ${what}`);
  return row;
}

/** The id of a row just inserted by an `INSERT ... RETURNING id` statement. */
export async function insertReturningId(store: ProjectStore, sql: string, ...params: unknown[]): Promise<number> {
  const row = await one<{ id: number }>(store, sql, ...params);
  if (row === undefined) throw new StoreError(`${store.dbPath}: an insert returned no id (${sql.split('\n')[0]})`);
  return row.id;
}
