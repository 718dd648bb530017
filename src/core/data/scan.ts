/**
 * Folder scanning shared by the dataset readers: listing files and folders with errors that
 * name the folder, natural sort of file names, image headers, bounded concurrency.
 */
import { existsSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { extname, isAbsolute, join, relative } from 'node:path';
import sharp from 'sharp';
import { DataError } from '../errors';
import type { Size } from './imageIo';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Throws DataError(path, reason) unless path is a folder. */
export function requireDirectory(path: string, reason = 'folder not found'): void {
  if (!isDirectory(path)) throw new DataError(path, reason);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Natural order: "frame2" before "frame10"; ties broken by plain code-unit order. */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

function entries(dir: string) {
  requireDirectory(dir);
  let list: Dirent<Buffer>[];
  try {
    list = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (e) {
    throw new DataError(dir, `cannot list folder: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return list.map((e) => {
    const name = e.name.toString('utf8');
    // A name that is not UTF-8 cannot be opened again through a JavaScript string (its bytes
    // become U+FFFD), so reading it later would say "not found" about a file that is there.
    if (!Buffer.from(name, 'utf8').equals(e.name)) {
      const shown = [...e.name].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
      throw new DataError(join(dir, shown), 'the file name is not valid UTF-8 (bytes shown as \\xNN); rename it to UTF-8 to use it');
    }
    return { name, isFile: () => e.isFile(), isDirectory: () => e.isDirectory(), isSymbolicLink: () => e.isSymbolicLink() };
  });
}

/** Names of the regular files in a folder (symlinks to files included), natural order. */
export function listFiles(dir: string): string[] {
  return entries(dir)
    .filter((e) => e.isFile() || (e.isSymbolicLink() && isFile(join(dir, e.name))))
    .map((e) => e.name)
    .sort(naturalCompare);
}

/** Names of the sub-folders of a folder (symlinks to folders included), natural order. */
export function listDirs(dir: string): string[] {
  return entries(dir)
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && isDirectory(join(dir, e.name))))
    .map((e) => e.name)
    .sort(naturalCompare);
}

/** Width and height of an image from its header (nothing is decoded). */
export async function readImageSize(path: string): Promise<Size> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(path).metadata();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new DataError(path, isFile(path) ? `cannot read image header (corrupt or not an image?): ${msg}` : 'file not found', { cause: e });
  }
  if (!meta.width || !meta.height) throw new DataError(path, 'image header has no size');
  return { width: meta.width, height: meta.height };
}

/** Maps over items with at most `limit` calls of fn in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Refuses a path that leads outside the dataset folder once symbolic links are followed (a
 * link to a file elsewhere on the disk), or that climbs out with `..`: a dataset is read only
 * inside its own folder. Returns `path`.
 */
export function requireInsideRoot(root: string, path: string): string {
  const lexical = relative(root, path);
  if (lexical === '' || lexical.startsWith('..') || isAbsolute(lexical)) {
    throw new DataError(path, `is outside the dataset folder ${root}`);
  }
  if (!existsSync(path)) return path;
  const realRoot = realpathSync(root);
  const real = realpathSync(path);
  const inside = relative(realRoot, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new DataError(
      path,
      `is a symbolic link to ${real}, outside the dataset folder ${root}; a dataset is read only inside its folder: copy the file in, or add the folder that holds it as the dataset`,
    );
  }
  return path;
}
