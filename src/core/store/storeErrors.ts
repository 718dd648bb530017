import { StoreError } from '../errors';

/** What went wrong, so the UI can offer the right way out (retry, free space, pick another folder). */
export type StoreErrorReason =
  | 'busy'
  | 'read-only'
  | 'disk-full'
  | 'cannot-open'
  | 'corrupt'
  | 'not-a-project'
  | 'newer-schema'
  | 'not-found'
  | 'conflict'
  | 'io';

/** A StoreError that names the file it is about and says why, in a form code can branch on. */
export class ProjectStoreError extends StoreError {
  constructor(
    readonly path: string,
    readonly reason: StoreErrorReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${detail}`, options);
    this.name = 'ProjectStoreError';
  }
}

const SQLITE_MESSAGES: ReadonlyArray<[RegExp, StoreErrorReason, string]> = [
  [/^SQLITE_(BUSY|LOCKED)/, 'busy', 'the project is in use by another process; try again'],
  [/^SQLITE_READONLY/, 'read-only', 'the project folder or database is read-only; cannot save changes'],
  [/^SQLITE_FULL/, 'disk-full', 'the disk is full; free some space and try again'],
  [/^SQLITE_CANTOPEN/, 'cannot-open', 'cannot open the project database (missing folder or no permission?)'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'corrupt', 'the project database is corrupt or not a database'],
  [/^SQLITE_IOERR/, 'io', 'the disk reported an error while reading or writing the project database'],
  [/^SQLITE_PERM|^SQLITE_AUTH/, 'read-only', 'no permission to write the project database'],
];

const FS_MESSAGES: Record<string, [StoreErrorReason, string]> = {
  ENOSPC: ['disk-full', 'the disk is full; free some space and try again'],
  EDQUOT: ['disk-full', 'the disk quota is exhausted; free some space and try again'],
  EROFS: ['read-only', 'the project folder is on a read-only file system'],
  EACCES: ['read-only', 'no permission to write in the project folder'],
  EPERM: ['read-only', 'no permission to write in the project folder'],
  EIO: ['io', 'the disk reported an input/output error'],
  ENOTDIR: ['io', 'a file is in the way where the project keeps a folder; move it away and try again'],
  EEXIST: ['io', 'a file is in the way where the project keeps a folder; move it away and try again'],
  EISDIR: ['io', 'a folder is in the way where the project writes a file; move it away and try again'],
};

function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Turns an SQLite or file-system error the user can act on (busy, read-only, disk full,
 * corrupt, ...) into a ProjectStoreError naming `path`. Anything else (a constraint broken by
 * a bug, a TypeError) comes back unchanged so it is not disguised as the user's problem.
 */
export function toStoreError(path: string, e: unknown): unknown {
  if (e instanceof StoreError) return e;
  const code = errorCode(e);
  if (code === undefined) return e;
  const raw = e instanceof Error ? e.message : String(e);
  for (const [re, reason, text] of SQLITE_MESSAGES) {
    if (re.test(code)) return new ProjectStoreError(path, reason, `${text} (${code}: ${raw})`, { cause: e });
  }
  const fs = FS_MESSAGES[code];
  if (fs) return new ProjectStoreError(path, fs[0], `${fs[1]} (${code})`, { cause: e });
  return e;
}
