import type Database from 'better-sqlite3';
import { StoreError } from '../errors';
import type { ProjectStore } from './projectStore';
import { ProjectStoreError, toStoreError } from './storeErrors';

/** A JSON object as kept in the `*_json` columns. */
export type JsonObject = Record<string, unknown>;

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per connection. */
export function statement(store: ProjectStore, sql: string): Database.Statement {
  let byText = cache.get(store.db);
  if (!byText) {
    byText = new Map();
    cache.set(store.db, byText);
  }
  let st = byText.get(sql);
  if (!st) {
    st = guard(store, () => store.db.prepare(sql));
    byText.set(sql, st);
  }
  return st;
}

/** Runs `fn`, turning errors the user can act on (busy, read-only, disk full) into StoreErrors. */
export function guard<T>(store: ProjectStore, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toStoreError(store.dbPath, e);
  }
}

export function run(store: ProjectStore, sql: string, ...params: unknown[]): Database.RunResult {
  return guard(store, () => statement(store, sql).run(...params));
}

export function one<T>(store: ProjectStore, sql: string, ...params: unknown[]): T | undefined {
  return guard(store, () => statement(store, sql).get(...params) as T | undefined);
}

export function all<T>(store: ProjectStore, sql: string, ...params: unknown[]): T[] {
  return guard(store, () => statement(store, sql).all(...params) as T[]);
}

/**
 * Runs `fn` in one transaction: all of its writes land, or (when it throws) none do. Write
 * transactions start IMMEDIATE, taking the write lock up front (waiting up to the busy
 * timeout), so a transaction that read first cannot fail later because another process wrote
 * in between. Nested calls become savepoints. `fn` must be synchronous.
 */
export function transaction<T>(store: ProjectStore, fn: () => T): T {
  const tx = store.db.transaction(() => {
    const out = fn();
    if (out !== null && typeof out === 'object' && typeof (out as { then?: unknown }).then === 'function') {
      throw new TypeError('transaction callbacks must be synchronous (got a promise); nothing was written');
    }
    return out;
  });
  return guard(store, () => tx.immediate());
}

/**
 * Runs read-only `fn` on one consistent snapshot (a DEFERRED transaction: it takes no write
 * lock, so it neither waits for nor blocks writers in other processes).
 */
export function readTransaction<T>(store: ProjectStore, fn: () => T): T {
  return guard(store, () => store.db.transaction(fn).deferred());
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? {});
}

/** Parses a `*_json` column, naming the table, column and row when it is not valid JSON. */
export function parseJson<T>(store: ProjectStore, text: string | null, where: string): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new StoreError(`${store.dbPath}: ${where} holds invalid JSON`, { cause: e });
  }
}

/** Like parseJson, for columns that are never NULL. */
export function parseJsonObject(store: ProjectStore, text: string, where: string): JsonObject {
  const v = parseJson<unknown>(store, text, where);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new StoreError(`${store.dbPath}: ${where} should hold a JSON object`);
  }
  return v as JsonObject;
}

/** Checks an id refers to a row, naming what is missing. */
export function requireRow<T>(store: ProjectStore, row: T | undefined, what: string): T {
  if (row === undefined) throw new ProjectStoreError(store.dbPath, 'not-found', `no ${what}`);
  return row;
}
