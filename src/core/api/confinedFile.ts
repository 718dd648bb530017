/** File access for the UI, confined to the open project's folder and its datasets' roots. */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { DataError } from '../errors';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The real path of `rel` under `root`, refusing names that climb out (`..`, absolute paths)
 * and symbolic links that lead outside every allowed root.
 */
export function confinedFile(root: string, rel: string, allowedRoots: readonly string[]): string {
  const abs = resolve(root, rel);
  if (isAbsolute(rel) || !inside(resolve(root), abs)) {
    throw new DataError(abs, `is outside ${root} (named '${rel}')`);
  }
  if (!existsSync(abs)) throw new DataError(abs, 'does not exist');
  const real = realpathSync(abs);
  const realRoots = allowedRoots.filter((r) => existsSync(r)).map((r) => realpathSync(r));
  if (!realRoots.some((r) => inside(r, real))) {
    throw new DataError(abs, `leads to ${real}, outside the open project and its datasets`);
  }
  return real;
}
