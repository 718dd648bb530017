#!/usr/bin/env node
// Renders the app icons from build/icon.svg with sharp (a dependency already) and writes the
// files electron-builder and the app use. The outputs are committed; run this again after
// changing the SVG: node bin/make-icons.mjs
//   build/icon.png      1024 px (Linux packages; electron-builder makes the smaller sizes)
//   build/icon.ico      Windows: 16-48 px and 64, 128 as 32-bit bitmaps, 256 px as PNG
//   build/icon.icns     macOS: PNG elements from 16 to 1024 px (ic07-ic14, icp4-icp6)
//   resources/icon.png  512 px, the window icon the main process sets on Linux
// ICO and ICNS are written here from the PNGs (both formats are a small directory of images).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(join(root, 'build', 'icon.svg'));

/** The mark at `size` px: RGBA PNG bytes. */
async function png(size) {
  // density scales the SVG's own 1024 px so that small sizes are drawn, not downsampled blurs.
  return sharp(svg, { density: Math.max(1, (72 * size) / 1024) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** Raw RGBA pixels of the mark at `size` px. */
async function rgba(size) {
  const { data, info } = await sharp(svg, { density: Math.max(1, (72 * size) / 1024) })
    .resize(size, size)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`expected RGBA, got ${info.channels} channels`);
  return data;
}

/**
 * A 32-bit ICO bitmap: BITMAPINFOHEADER (height doubled: colour rows, then the AND mask),
 * BGRA rows bottom-up, then a 1-bit AND mask (all zero: the alpha channel decides).
 */
function dib(size, pixels) {
  const maskRow = Math.ceil(size / 32) * 4;
  const out = Buffer.alloc(40 + size * size * 4 + maskRow * size);
  out.writeUInt32LE(40, 0); // header size
  out.writeInt32LE(size, 4); // width
  out.writeInt32LE(size * 2, 8); // height: image + mask
  out.writeUInt16LE(1, 12); // planes
  out.writeUInt16LE(32, 14); // bits per pixel
  out.writeUInt32LE(0, 16); // BI_RGB
  out.writeUInt32LE(size * size * 4 + maskRow * size, 20); // image size
  let o = 40;
  for (let y = size - 1; y >= 0; y--) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      out[o++] = pixels[i + 2]; // B
      out[o++] = pixels[i + 1]; // G
      out[o++] = pixels[i]; // R
      out[o++] = pixels[i + 3]; // A
    }
  }
  return out;
}

/** ICO: ICONDIR (6 bytes), one 16-byte ICONDIRENTRY per image, then the images. */
export function icoFile(images) {
  const head = Buffer.alloc(6 + 16 * images.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2); // 1: icon
  head.writeUInt16LE(images.length, 4);
  let offset = head.length;
  images.forEach(({ size, data }, k) => {
    const e = 6 + 16 * k;
    head.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    head.writeUInt8(size >= 256 ? 0 : size, e + 1);
    head.writeUInt8(0, e + 2); // no palette
    head.writeUInt8(0, e + 3);
    head.writeUInt16LE(1, e + 4); // planes
    head.writeUInt16LE(32, e + 6); // bits per pixel
    head.writeUInt32LE(data.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([head, ...images.map((i) => i.data)]);
}

/** ICNS: 'icns' and the file length, then elements of a 4-letter type, length (with its 8-byte head) and data. */
export function icnsFile(elements) {
  const parts = elements.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

/** The ICNS element types that hold a PNG, with the pixel size of each. */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32], // 16@2x
  ['icp6', 64],
  ['ic12', 64], // 32@2x
  ['ic07', 128],
  ['ic08', 256],
  ['ic13', 256], // 128@2x
  ['ic09', 512],
  ['ic14', 512], // 256@2x
  ['ic10', 1024], // 512@2x
];

async function main() {
  const write = (rel, data) => {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
    process.stdout.write(`${rel}  ${data.length} bytes\n`);
  };
  const pngs = new Map();
  const pngOf = async (size) => {
    if (!pngs.has(size)) pngs.set(size, await png(size));
    return pngs.get(size);
  };

  write('build/icon.png', await pngOf(1024));
  write('resources/icon.png', await pngOf(512));

  const ico = [];
  for (const size of [16, 24, 32, 48, 64, 128]) ico.push({ size, data: dib(size, await rgba(size)) });
  ico.push({ size: 256, data: await pngOf(256) });
  write('build/icon.ico', icoFile(ico));

  const icns = [];
  for (const [type, size] of ICNS_TYPES) icns.push({ type, data: await pngOf(size) });
  write('build/icon.icns', icnsFile(icns));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
