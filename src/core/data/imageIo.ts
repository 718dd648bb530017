import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { DataError } from '../errors';
import { writeFileAtomic } from '../fsAtomic';

/** An image in memory: interleaved channels, row-major. */
export interface RasterU8 {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

export interface RasterU16 {
  readonly width: number;
  readonly height: number;
  readonly data: Uint16Array;
}

export interface Size {
  readonly height: number;
  readonly width: number;
}

/** Parses "HxW" (e.g. "128x256"). */
export function parseSize(text: string): Size {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`size must be HxW, e.g. 128x256 (got '${text}')`);
  return { height: Number(m[1]), width: Number(m[2]) };
}

sharp.cache(false);

function checkFile(path: string): void {
  if (!existsSync(path)) throw new DataError(path, 'file not found');
  const st = statSync(path);
  if (!st.isFile()) throw new DataError(path, 'not a regular file');
  if (st.size === 0) throw new DataError(path, 'empty file (0 bytes)');
}

function decodeFailure(path: string, e: unknown): DataError {
  const msg = e instanceof Error ? e.message : String(e);
  return new DataError(path, `cannot decode image (corrupt or truncated?): ${msg}`, { cause: e });
}

/**
 * Reads a colour image as 8-bit RGB, optionally resized to `size` with an area-averaging
 * filter when shrinking (bilinear when enlarging).
 */
export async function readRgb(path: string, size?: Size): Promise<RasterU8> {
  checkFile(path);
  try {
    let img = sharp(path, { failOn: 'truncated' }).removeAlpha().toColourspace('srgb');
    if (size) {
      const meta = await sharp(path).metadata();
      const shrinking = (meta.width ?? 0) >= size.width && (meta.height ?? 0) >= size.height;
      img = img.resize(size.width, size.height, {
        fit: 'fill',
        kernel: shrinking ? 'linear' : 'linear',
        fastShrinkOnLoad: false,
      });
    }
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, decoded ${info.channels}`);
    return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw decodeFailure(path, e);
  }
}

/**
 * Reads a single-channel 8-bit label image (class index per pixel), optionally resized with
 * nearest-neighbour so no new values appear.
 */
export async function readLabel(path: string, size?: Size): Promise<RasterU8> {
  checkFile(path);
  try {
    const meta = await sharp(path).metadata();
    if (meta.channels !== undefined && meta.channels > 2 && !meta.isPalette) {
      throw new DataError(path, `a label image must have one channel (class index per pixel); it has ${meta.channels}`);
    }
    let img = sharp(path, { failOn: 'truncated' });
    if (size) img = img.resize(size.width, size.height, { fit: 'fill', kernel: 'nearest' });
    const { data, info } = await img.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw decodeFailure(path, e);
  }
}

/** Reads a 16-bit single-channel PNG (e.g. depth in centimetres). */
export async function readU16(path: string): Promise<RasterU16> {
  checkFile(path);
  try {
    const { data, info } = await sharp(path, { failOn: 'truncated' })
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    const out = new Uint16Array(info.width * info.height);
    const view = new Uint16Array(data.buffer, data.byteOffset, out.length);
    out.set(view);
    return { width: info.width, height: info.height, data: out };
  } catch (e) {
    throw decodeFailure(path, e);
  }
}

/** Encodes an 8-bit image (1 or 3 channels) as PNG. */
export async function encodePng(r: RasterU8, compressionLevel = 6): Promise<Buffer> {
  const img = sharp(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength), {
    raw: { width: r.width, height: r.height, channels: r.channels as 1 | 3 | 4 },
  });
  return (r.channels === 1 ? img.toColourspace('b-w') : img)
    .png({ compressionLevel })
    .toBuffer();
}

/** Encodes a 16-bit single-channel image as PNG. */
export async function encodePngU16(r: RasterU16, compressionLevel = 6): Promise<Buffer> {
  return sharp(r.data, {
    raw: { width: r.width, height: r.height, channels: 1 },
  })
    .toColourspace('grey16')
    .png({ compressionLevel })
    .toBuffer();
}

/** Writes an 8-bit PNG atomically, creating the folder if needed. */
export async function writePng(path: string, r: RasterU8, compressionLevel = 6): Promise<void> {
  const buf = await encodePng(r, compressionLevel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, buf);
}

/** Writes a 16-bit single-channel PNG atomically. */
export async function writePngU16(path: string, r: RasterU16, compressionLevel = 6): Promise<void> {
  const buf = await encodePngU16(r, compressionLevel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, buf);
}
