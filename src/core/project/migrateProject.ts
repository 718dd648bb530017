import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError, UsageError } from '../errors';
import {
  copySqliteToPostgres,
  DB_FILE,
  listMasks,
  openPostgresStore,
  openSqliteStore,
  POSTGRES_POINTER_FILE,
  projectEngine,
  redactPostgresUrl,
  transaction,
  writePostgresPointer,
  type ProjectStore,
  type TableCounts,
} from '../store';

/** What the SQLite database becomes once its project lives in PostgreSQL: kept, but no longer opened. */
export const MIGRATED_DB_FILE = `${DB_FILE}.migrated`;

export interface MigrateSummary {
  readonly projectDir: string;
  /** The PostgreSQL database, password hidden. */
  readonly database: string;
  /** Rows copied, by table. */
  readonly rows: TableCounts;
  /** Mask PNGs whose bytes were checked against the copied rows. */
  readonly masks: number;
  /** Where the SQLite database was kept. */
  readonly sqliteKeptAs: string;
}

/** The SHA-256 of every saved mask's PNG, by frame, refusing a row whose file is missing. */
async function maskDigests(store: ProjectStore): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const m of await listMasks(store)) {
    if (m.maskPath === null) continue;
    const abs = join(store.dir, m.maskPath);
    if (!existsSync(abs)) throw new DataError(abs, `the label mask of frame ${m.frameId} is missing: nothing was migrated (restore the file, or save the mask again)`);
    out.set(m.frameId, createHash('sha256').update(readFileSync(abs)).digest('hex'));
  }
  return out;
}

/**
 * Moves the SQLite project in `dir` into the empty PostgreSQL database at `url`, losing
 * nothing: every row is copied with its id in one PostgreSQL transaction while the SQLite
 * write lock keeps other writers out; row counts and every mask PNG's bytes are checked
 * against the copy before it commits. Only then does the folder get its pointer file, and
 * project.sqlite is kept as project.sqlite.migrated. Masks and checkpoints stay where they
 * are. A failure at any point before the pointer is written leaves the SQLite project as it
 * was (the PostgreSQL database keeps at most an empty schema, so the migration can be rerun).
 */
export async function migrateProject(dir: string, url: string): Promise<MigrateSummary> {
  const root = resolve(dir);
  const engine = projectEngine(root);
  if (engine === undefined) throw new UsageError(`${root} is not a DepthSeg project (no ${DB_FILE}); nothing to migrate`);
  if (engine === 'postgres') throw new UsageError(`${root} is already a PostgreSQL project (it has ${POSTGRES_POINTER_FILE}); nothing to migrate`);
  const source = await openSqliteStore(root, { create: false });
  let rows: TableCounts;
  let masks: number;
  try {
    const target = await openPostgresStore(url, root, { create: true });
    try {
      ({ rows, masks } = await transaction(source, async () => {
        const before = await maskDigests(source);
        const copied = await transaction(target, async () => {
          const counts = await copySqliteToPostgres(source, target);
          const after = await maskDigests(target);
          for (const [frameId, digest] of before) {
            if (after.get(frameId) !== digest) throw new DataError(join(root, 'masks'), `the mask of frame ${frameId} does not match after the copy; nothing was migrated`);
          }
          return counts;
        });
        // Still holding the SQLite write lock: from now on the folder opens its PostgreSQL database.
        writePostgresPointer(root, url);
        return { rows: copied, masks: before.size };
      }));
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
  const keptAs = join(root, MIGRATED_DB_FILE);
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(join(root, `${DB_FILE}${suffix}`))) renameSync(join(root, `${DB_FILE}${suffix}`), `${keptAs}${suffix}`);
  }
  return { projectDir: root, database: redactPostgresUrl(url), rows, masks, sqliteKeptAs: keptAs };
}
