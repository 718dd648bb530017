import { StoreError } from '../errors';
import { continueIdentityAfterCopy } from './dialect';
import type { ProjectStore } from './projectStore';
import { all, one, run } from './sql';
import type { SqliteProjectStore } from './sqliteStore';

/**
 * The project's tables in an order that inserts every row after the rows it refers to, and
 * whether each has an identity id whose sequence must continue after the copied ids.
 */
export const PROJECT_TABLES: ReadonlyArray<{ name: string; identity: boolean }> = [
  { name: 'projects', identity: true },
  { name: 'datasets', identity: true },
  { name: 'clips', identity: true },
  { name: 'frames', identity: true },
  { name: 'label_masks', identity: true },
  { name: 'mask_events', identity: true },
  { name: 'settings', identity: false },
  { name: 'training_runs', identity: true },
  { name: 'run_metrics', identity: false },
  { name: 'checkpoints', identity: true },
  { name: 'feature_cache', identity: false },
  { name: 'selection_rounds', identity: true },
  { name: 'selection_picks', identity: false },
  { name: 'training_jobs', identity: true },
  { name: 'job_workers', identity: false },
  { name: 'accounts', identity: true },
];

/** Rows per INSERT: few enough to stay far below PostgreSQL's 65535 parameters. */
const BATCH_ROWS = 200;

/** Rows of each table, by name. */
export type TableCounts = Record<string, number>;

export async function countRows(store: ProjectStore): Promise<TableCounts> {
  const out: TableCounts = {};
  for (const t of PROJECT_TABLES) out[t.name] = (await one<{ n: number }>(store, `SELECT count(*) AS n FROM ${t.name}`))!.n;
  return out;
}

async function columnsOf(source: SqliteProjectStore, table: string): Promise<string[]> {
  return (await all<{ name: string }>(source, `SELECT name FROM pragma_table_info('${table}') ORDER BY cid`)).map((r) => r.name);
}

/** The table's primary key columns, comma-separated, to order its rows by. */
async function primaryKeyOf(source: SqliteProjectStore, table: string): Promise<string> {
  const pk = await all<{ name: string }>(source, `SELECT name FROM pragma_table_info('${table}') WHERE pk > 0 ORDER BY pk`);
  return pk.map((r) => r.name).join(', ');
}

async function postgresColumnsOf(target: ProjectStore, table: string): Promise<string[]> {
  return (
    await all<{ column_name: string }>(target, 'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?', table)
  ).map((r) => r.column_name);
}

/**
 * Copies every row of the SQLite project `source` into the PostgreSQL database of `target`,
 * ids and all, then makes the target's id sequences continue after them. Call it inside a
 * transaction on each store: a failure leaves the target without a row of it. Refuses a
 * target that already holds rows or whose tables differ from the source's, naming the table.
 */
export async function copySqliteToPostgres(source: SqliteProjectStore, target: ProjectStore): Promise<TableCounts> {
  if (target.engine !== 'postgres') throw new StoreError(`${target.dbPath}: the target of a migration must be a PostgreSQL database`);
  if (source.schemaVersion !== target.schemaVersion) {
    throw new StoreError(`${source.dbPath} has schema version ${source.schemaVersion} but ${target.dbPath} has ${target.schemaVersion}; open both with the same version of the app`);
  }
  const already = await countRows(target);
  const filled = Object.entries(already).filter(([, n]) => n > 0);
  if (filled.length > 0) {
    throw new StoreError(
      `${target.dbPath}: this database already holds a project (${filled.map(([t, n]) => `${n} ${t}`).join(', ')}); migrate into an empty database (createdb NAME)`,
    );
  }
  for (const t of PROJECT_TABLES) {
    const cols = await columnsOf(source, t.name);
    const theirs = new Set(await postgresColumnsOf(target, t.name));
    const missing = cols.filter((c) => !theirs.has(c));
    if (missing.length > 0) throw new StoreError(`${target.dbPath}: table ${t.name} lacks column(s) ${missing.join(', ')} that ${source.dbPath} has`);
    const list = cols.join(', ');
    const rowSql = `(${cols.map(() => '?').join(', ')})`;
    const order = await primaryKeyOf(source, t.name);
    // Page by page in key order (parents before children), so a large table never sits in memory whole.
    for (let offset = 0; ; offset += BATCH_ROWS) {
      const rows = await all<Record<string, unknown>>(source, `SELECT ${list} FROM ${t.name} ORDER BY ${order} LIMIT ? OFFSET ?`, BATCH_ROWS, offset);
      if (rows.length === 0) break;
      try {
        await run(target, `INSERT INTO ${t.name} (${list}) VALUES ${rows.map(() => rowSql).join(', ')}`, ...rows.flatMap((r) => cols.map((c) => r[c])));
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new StoreError(`${target.dbPath}: copying table ${t.name} (rows ${offset + 1}-${offset + rows.length} of ${source.dbPath}) failed: ${why}`, { cause: e });
      }
    }
    if (t.identity) await one(target, continueIdentityAfterCopy(t.name));
  }
  const copied = await countRows(target);
  const original = await countRows(source);
  for (const t of PROJECT_TABLES) {
    if (copied[t.name] !== original[t.name]) {
      throw new StoreError(`${target.dbPath}: table ${t.name} has ${copied[t.name]} rows after the copy, but ${source.dbPath} has ${original[t.name]}`);
    }
  }
  return copied;
}
