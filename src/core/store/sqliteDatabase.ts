import type Database from 'better-sqlite3';
import { beginStatements, savepoint } from './dialect';
import { SerialQueue } from './serialQueue';
import type { RunResult, SqlDatabase, SqlSession, TransactionKind } from './sqlSession';

/**
 * The SQLite engine: better-sqlite3 answers at once, wrapped in resolved promises. One
 * connection is one session, so its statements and transactions take turns (SerialQueue); a
 * transaction keeps the connection from BEGIN to COMMIT even while its callback awaits.
 */
class SqliteStatements {
  private readonly prepared = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  statement(sql: string): Database.Statement {
    let st = this.prepared.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.prepared.set(sql, st);
    }
    return st;
  }

  run(sql: string, params: readonly unknown[]): RunResult {
    return { changes: this.statement(sql).run(...params).changes };
  }

  one<T>(sql: string, params: readonly unknown[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, params: readonly unknown[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  each<T>(sql: string, params: readonly unknown[], fn: (row: T) => void): void {
    for (const row of this.statement(sql).iterate(...params)) fn(row as T);
  }
}

/** A session inside an open transaction: statements run at once; nested transactions are savepoints. */
class SqliteTransaction implements SqlSession {
  private savepoints = 0;

  constructor(private readonly st: SqliteStatements) {}

  async run(sql: string, params: readonly unknown[]): Promise<RunResult> {
    return this.st.run(sql, params);
  }

  async one<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    return this.st.one<T>(sql, params);
  }

  async all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.st.all<T>(sql, params);
  }

  async each<T>(sql: string, params: readonly unknown[], fn: (row: T) => void): Promise<void> {
    this.st.each(sql, params, fn);
  }

  async transaction<T>(_kind: TransactionKind, fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    const name = `depthseg_sp${++this.savepoints}`;
    this.st.db.exec(savepoint.open(name));
    try {
      const out = await fn(this);
      this.st.db.exec(savepoint.release(name));
      return out;
    } catch (e) {
      if (this.st.db.inTransaction) {
        this.st.db.exec(savepoint.rollback(name));
        this.st.db.exec(savepoint.release(name));
      }
      throw e;
    } finally {
      this.savepoints--;
    }
  }
}

export class SqliteDatabase implements SqlDatabase {
  readonly engine = 'sqlite' as const;
  private readonly st: SqliteStatements;
  private readonly queue = new SerialQueue();

  constructor(readonly db: Database.Database) {
    this.st = new SqliteStatements(db);
  }

  run(sql: string, params: readonly unknown[]): Promise<RunResult> {
    return this.queue.run(async () => this.st.run(sql, params));
  }

  one<T>(sql: string, params: readonly unknown[]): Promise<T | undefined> {
    return this.queue.run(async () => this.st.one<T>(sql, params));
  }

  all<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return this.queue.run(async () => this.st.all<T>(sql, params));
  }

  each<T>(sql: string, params: readonly unknown[], fn: (row: T) => void): Promise<void> {
    return this.queue.run(async () => this.st.each(sql, params, fn));
  }

  transaction<T>(kind: TransactionKind, fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      // The busy timeout applies to BEGIN IMMEDIATE: it waits for another process's writer.
      for (const s of beginStatements('sqlite', kind, 0)) this.st.db.exec(s);
      try {
        const out = await fn(new SqliteTransaction(this.st));
        this.st.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.st.db.inTransaction) this.st.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    // Let queued work finish first, so no statement meets a closed connection.
    await this.queue.run(async () => {
      if (this.db.open) this.db.close();
    });
  }
}
