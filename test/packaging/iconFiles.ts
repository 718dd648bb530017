/**
 * Readers for the two icon containers bin/make-icons.mjs writes, written apart from it so that
 * the test checks the files against the formats, not against the writer's own idea of them.
 * ICO: ICONDIR, ICONDIRENTRYs, then PNG or 32-bit BMP (BITMAPINFOHEADER) images.
 * ICNS: 'icns' + length, then typed elements (type, length with head, data).
 */
import sharp from 'sharp';

export interface IconImage {
  /** ICO: 'png' or 'bmp'; ICNS: the element type. */
  readonly kind: string;
  readonly width: number;
  readonly height: number;
  /** Decoded RGBA pixels (width * height * 4). */
  readonly rgba: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function decodePng(data: Buffer): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const { data: px, info } = await sharp(data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgba: new Uint8Array(px) };
}

/** A 32-bit BI_RGB DIB as ICO stores it (height doubled, rows bottom-up, BGRA). */
function decodeDib(data: Buffer): { width: number; height: number; rgba: Uint8Array } {
  if (data.readUInt32LE(0) !== 40) throw new Error(`BMP header size ${data.readUInt32LE(0)}, expected 40`);
  const width = data.readInt32LE(4);
  const height = data.readInt32LE(8) / 2;
  if (data.readUInt16LE(14) !== 32) throw new Error(`BMP depth ${data.readUInt16LE(14)}, expected 32`);
  if (data.readUInt32LE(16) !== 0) throw new Error('BMP is compressed');
  const maskRow = Math.ceil(width / 32) * 4;
  if (data.length < 40 + width * height * 4 + maskRow * height) throw new Error('BMP shorter than its pixels and mask');
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const src = 40 + (height - 1 - y) * width * 4;
    for (let x = 0; x < width; x++) {
      const s = src + x * 4;
      const d = (y * width + x) * 4;
      rgba[d] = data[s + 2]!;
      rgba[d + 1] = data[s + 1]!;
      rgba[d + 2] = data[s]!;
      rgba[d + 3] = data[s + 3]!;
    }
  }
  return { width, height, rgba };
}

export async function readIco(file: Buffer): Promise<IconImage[]> {
  if (file.readUInt16LE(0) !== 0 || file.readUInt16LE(2) !== 1) throw new Error('not an ICO file (ICONDIR reserved 0, type 1)');
  const count = file.readUInt16LE(4);
  const images: IconImage[] = [];
  for (let k = 0; k < count; k++) {
    const e = 6 + 16 * k;
    const declared = file.readUInt8(e) || 256;
    const declaredH = file.readUInt8(e + 1) || 256;
    const size = file.readUInt32LE(e + 8);
    const offset = file.readUInt32LE(e + 12);
    if (offset + size > file.length) throw new Error(`ICO entry ${k} runs past the end of the file`);
    const data = file.subarray(offset, offset + size);
    const isPng = data.subarray(0, 8).equals(PNG_SIGNATURE);
    const img = isPng ? await decodePng(data) : decodeDib(data);
    if (img.width !== declared || img.height !== declaredH) {
      throw new Error(`ICO entry ${k} says ${declared}x${declaredH} but holds ${img.width}x${img.height}`);
    }
    images.push({ kind: isPng ? 'png' : 'bmp', ...img });
  }
  return images;
}

/** Pixel sizes of the ICNS element types that hold PNG data. */
export const ICNS_PNG_SIZES: Readonly<Record<string, number>> = {
  icp4: 16,
  icp5: 32,
  icp6: 64,
  ic07: 128,
  ic08: 256,
  ic09: 512,
  ic10: 1024,
  ic11: 32,
  ic12: 64,
  ic13: 256,
  ic14: 512,
};

export async function readIcns(file: Buffer): Promise<IconImage[]> {
  if (file.toString('latin1', 0, 4) !== 'icns') throw new Error("not an ICNS file (no 'icns' magic)");
  if (file.readUInt32BE(4) !== file.length) throw new Error(`ICNS length ${file.readUInt32BE(4)}, file has ${file.length} bytes`);
  const images: IconImage[] = [];
  for (let o = 8; o < file.length; ) {
    const type = file.toString('latin1', o, o + 4);
    const length = file.readUInt32BE(o + 4);
    if (length < 8 || o + length > file.length) throw new Error(`ICNS element ${type} has a bad length ${length}`);
    const data = file.subarray(o + 8, o + length);
    const expected = ICNS_PNG_SIZES[type];
    if (expected === undefined) throw new Error(`ICNS element ${type} is not a PNG element type`);
    if (!data.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`ICNS element ${type} does not hold a PNG`);
    const img = await decodePng(data);
    if (img.width !== expected || img.height !== expected) {
      throw new Error(`ICNS element ${type} must be ${expected}x${expected}, holds ${img.width}x${img.height}`);
    }
    images.push({ kind: type, ...img });
    o += length;
  }
  return images;
}
