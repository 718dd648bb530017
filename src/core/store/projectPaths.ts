/**
 * Paths the database records for files beside it (mask PNGs, checkpoint folders) are
 * relative to the project folder and stay inside their own sub-folder. A row that names
 * anything else (an absolute path, `..`) was not written by this app: reading, replacing or
 * deleting the file it names could touch files outside the project, so such a row is refused
 * with a message naming it, before any file is opened or removed.
 */
import { isAbsolute, posix, win32 } from 'node:path';
import type { ProjectStore } from './projectStore';
import { ProjectStoreError } from './storeErrors';

/**
 * Returns `rel` when it is a relative path under `top/` (e.g. `masks/frame-1-v2.png` under
 * `masks`); throws ProjectStoreError('corrupt') naming `where` otherwise.
 */
export function insideProjectFolder(store: Pick<ProjectStore, 'dbPath'>, rel: string, top: string, where: string): string {
  const parts = rel.split(/[\\/]+/);
  const ok =
    rel.length > 0 &&
    !rel.includes('\0') &&
    !isAbsolute(rel) &&
    !posix.isAbsolute(rel) &&
    !win32.isAbsolute(rel) &&
    parts[0] === top &&
    parts.length >= 2 &&
    parts.every((p) => p !== '..' && p !== '.' && p !== '') &&
    !parts.some((p) => /^[a-zA-Z]:$/.test(p));
  if (!ok) {
    throw new ProjectStoreError(
      store.dbPath,
      'corrupt',
      `${where} names '${rel}', which is not inside the project's ${top}/ folder; the database was changed outside this app, so no file it names is read or removed`,
    );
  }
  return rel;
}
