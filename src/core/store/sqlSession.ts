/**
 * One way to run SQL on a project database, whatever the engine. Repositories write their SQL
 * once, with `?` placeholders and the subset of SQL that SQLite and PostgreSQL share; the
 * engine translates what differs (dialect.ts) and runs it. Every call returns a promise: the
 * PostgreSQL client is asynchronous, and the SQLite engine answers with resolved promises.
 */
export type SqlEngine = 'sqlite' | 'postgres';

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/**
 * write: takes the project's write lock first (writers take turns); read: one snapshot, no
 * lock; rows: writes that lock only the rows they touch (PostgreSQL `FOR UPDATE [SKIP LOCKED]`,
 * the team queue's leases), so they neither wait for nor block other writers' turns. SQLite
 * has one writer at a time whatever the kind: there `rows` is a write transaction.
 */
export type TransactionKind = 'write' | 'read' | 'rows';

export interface SqlSession {
  run(sql: string, params: readonly unknown[]): Promise<RunResult>;
  one<T>(sql: string, params: readonly unknown[]): Promise<T | undefined>;
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /** Hands each row to `fn` in order (SQLite streams them; PostgreSQL reads them first). */
  each<T>(sql: string, params: readonly unknown[], fn: (row: T) => void): Promise<void>;
  /**
   * Runs `fn` with a session whose statements form one transaction: all of its writes land, or
   * (when it throws) none do. A `write` transaction takes the database's write lock up front,
   * so what it read cannot change before it writes; a `read` one sees one consistent snapshot
   * and blocks no writer. Called on a session that is itself in a transaction, it becomes a
   * savepoint of that transaction.
   */
  transaction<T>(kind: TransactionKind, fn: (tx: SqlSession) => Promise<T>): Promise<T>;
}

/** A project database: its root session, and how to let it go. */
export interface SqlDatabase extends SqlSession {
  readonly engine: SqlEngine;
  close(): Promise<void>;
}
