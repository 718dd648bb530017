import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file so that a reader (or a crash) sees either the old content or the new one,
 * never a torn file: write a temp file in the same folder, fsync it, rename it over the
 * target, fsync the folder.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: { mode?: number } = {}): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w', opts.mode ?? 0o666);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dirname(path));
}

function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems do not allow fsync on a directory; the rename is still atomic.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
