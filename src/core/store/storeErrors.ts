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
  /** Another annotator holds the frame in the team queue (maskWork.ts). */
  | 'leased'
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

/** PostgreSQL's SQLSTATE classes and codes the user can act on (the server, not this app, is at fault). */
const POSTGRES_MESSAGES: ReadonlyArray<[RegExp, StoreErrorReason, string]> = [
  [/^(55P03|40P01|40001)$/, 'busy', 'the project is in use by another process; try again'],
  [/^(28P01|28000)$/, 'cannot-open', 'the PostgreSQL server refused the login (wrong user or password?)'],
  [/^3D000$/, 'not-found', 'this PostgreSQL database does not exist; create it first (createdb NAME) or check the URL'],
  [/^08/, 'cannot-open', 'lost the connection to the PostgreSQL server; check it is running and try again'],
  [/^57P0[123]$/, 'cannot-open', 'the PostgreSQL server is shutting down or starting up; try again in a moment'],
  [/^53100$/, 'disk-full', "the PostgreSQL server's disk is full; free some space there and try again"],
  [/^(25006|42501)$/, 'read-only', 'no permission to write this PostgreSQL database (read-only, or the role lacks the privilege)'],
  [/^XX00[12]$/, 'corrupt', 'the PostgreSQL server reports corrupt data'],
  [/^(53|58)/, 'io', 'the PostgreSQL server reported a resource or system error'],
];

/** The network errors of reaching a database server. */
const NETWORK_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'cannot reach the PostgreSQL server: nothing listens at that host and port (is it running?)',
  ENOTFOUND: 'cannot reach the PostgreSQL server: the host name is unknown',
  EAI_AGAIN: 'cannot reach the PostgreSQL server: the host name could not be looked up',
  ETIMEDOUT: 'cannot reach the PostgreSQL server: the connection timed out',
  EHOSTUNREACH: 'cannot reach the PostgreSQL server: the host is unreachable',
  ECONNRESET: 'lost the connection to the PostgreSQL server; check it is running and try again',
};

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

/** A pg DatabaseError: a five-character SQLSTATE with the server's severity. */
function isPostgresError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'severity' in e && /^[0-9A-Z]{5}$/.test(errorCode(e) ?? '');
}

/** A socket error (it names an address or a host), not a file system one. */
function isNetworkError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && ('address' in e || 'hostname' in e || (e as { syscall?: unknown }).syscall === 'connect' || (e as { code?: unknown }).code === 'ECONNRESET');
}

/**
 * Turns an SQLite, PostgreSQL, network or file-system error the user can act on (busy, read-only, disk full,
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
  if (isPostgresError(e)) {
    for (const [re, reason, text] of POSTGRES_MESSAGES) {
      if (re.test(code)) return new ProjectStoreError(path, reason, `${text} (${code}: ${raw})`, { cause: e });
    }
    return e;
  }
  const network = NETWORK_MESSAGES[code];
  if (network && isNetworkError(e)) return new ProjectStoreError(path, 'cannot-open', `${network} (${code})`, { cause: e });
  const fs = FS_MESSAGES[code];
  if (fs) return new ProjectStoreError(path, fs[0], `${fs[1]} (${code})`, { cause: e });
  return e;
}
