import pg from 'pg';
import { beginStatements, DEFAULT_LOCK_TIMEOUT_MS, postgresPlaceholders, savepoint } from './dialect';
import type { RunResult, SqlDatabase, SqlSession, TransactionKind } from './sqlSession';

/** Only the part of a pg Pool or PoolClient a session needs. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

const INT8 = 20;
const NUMERIC = 1700;

/**
 * count(*) and sum() answer bigint or numeric, which pg hands over as text (JavaScript numbers
 * cannot hold every 64-bit integer). A project's counts and ids stay far below 2^53, so they are
 * read as numbers, like SQLite gives them; a value past that is refused rather than rounded.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) {
      return (text: string) => {
        const n = Number(text);
        if (!Number.isSafeInteger(n) && oid === INT8) throw new RangeError(`PostgreSQL returned ${text}, beyond the integers this app reads exactly`);
        return n;
      };
    }
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** A statement that only reads (SELECT, or WITH ... SELECT without a data-changing part). */
function isRead(sql: string): boolean {
  return /^\s*(SELECT|WITH)\b/i.test(sql) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(sql);
}

async function query(on: Queryable, sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
  return on.query(postgresPlaceholders(sql), [...params]);
}

/** Statements on one client (a transaction), or on the pool (each statement its own transaction). */
class PostgresSession implements SqlSession {
  private savepoints = 0;

  constructor(
    private readonly on: Queryable,
    private readonly inTransaction: boolean,
    private readonly lockTimeoutMs: number,
    private readonly pool?: pg.Pool,
  ) {}

  /**
   * A write outside a transaction runs in one of its own, so it too takes the write lock and
   * writers take turns as they do on SQLite; reads run at once.
   */
  private exec(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    if (this.inTransaction || isRead(sql)) return this.raw(sql, params);
    return this.transaction('write', (tx) => (tx as PostgresSession).raw(sql, params));
  }

  private raw(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    return query(this.on, sql, params);
  }

  async run(sql: string, params: readonly unknown[]): Promise<RunResult> {
    return { changes: (await this.exec(sql, params)).rowCount ?? 0 };
  }

  async one<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    return (await this.exec(sql, params)).rows[0] as T | undefined;
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return (await this.exec(sql, params)).rows as T[];
  }

  async each<T>(sql: string, params: readonly unknown[], fn: (row: T) => void): Promise<void> {
    for (const row of (await this.exec(sql, params)).rows) fn(row as T);
  }

  async transaction<T>(kind: TransactionKind, fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    if (this.inTransaction) return this.nested(fn);
    const client = await this.pool!.connect();
    let broken: Error | undefined;
    try {
      for (const s of beginStatements('postgres', kind, this.lockTimeoutMs)) await client.query(s);
      const out = await fn(new PostgresSession(client, true, this.lockTimeoutMs));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackFailed) {
        broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed));
      }
      throw e;
    } finally {
      // A client whose rollback failed is in an unknown state: the pool drops it.
      client.release(broken);
    }
  }

  private async nested<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    const name = `depthseg_sp${++this.savepoints}`;
    await this.on.query(savepoint.open(name));
    try {
      const out = await fn(this);
      await this.on.query(savepoint.release(name));
      return out;
    } catch (e) {
      await this.on.query(savepoint.rollback(name));
      await this.on.query(savepoint.release(name));
      throw e;
    } finally {
      this.savepoints--;
    }
  }
}

export interface PostgresDatabaseOptions {
  /** How long a write waits for another writer (default 5000 ms), as SQLite's busy timeout. */
  lockTimeoutMs?: number;
  /** Connections kept open at most (default 4). */
  maxConnections?: number;
  /** How long connecting may take before it fails (default 10000 ms). */
  connectTimeoutMs?: number;
}

/** The PostgreSQL engine: a pg Pool; a transaction runs on one client from BEGIN to COMMIT. */
export class PostgresDatabase implements SqlDatabase {
  readonly engine = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly root: PostgresSession;

  constructor(url: string, opts: PostgresDatabaseOptions = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.maxConnections ?? 4,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      allowExitOnIdle: true,
      types,
    });
    // An idle client losing its server (a restart) must not crash the process: the next query reconnects.
    this.pool.on('error', () => undefined);
    this.root = new PostgresSession(this.pool, false, opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, this.pool);
  }

  run(sql: string, params: readonly unknown[]): Promise<RunResult> {
    return this.root.run(sql, params);
  }

  one<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    return this.root.one<T>(sql, params);
  }

  all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.root.all<T>(sql, params);
  }

  each<T>(sql: string, params: readonly unknown[], fn: (row: T) => void): Promise<void> {
    return this.root.each(sql, params, fn);
  }

  transaction<T>(kind: TransactionKind, fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.root.transaction(kind, fn);
  }

  async close(): Promise<void> {
    if (!this.pool.ended && !this.pool.ending) await this.pool.end();
  }
}
