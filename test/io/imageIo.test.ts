import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors';
import { parseSize, readLabel, readRgb, readU16, writePng, writePngU16 } from '../../src/core/data/imageIo';

const dir = mkdtempSync(join(tmpdir(), 'depthseg-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('image io', () => {
  it('round-trips an RGB PNG exactly', async () => {
    const data = new Uint8Array(5 * 3 * 3).map((_, i) => (i * 37) % 256);
    const p = join(dir, 'rgb.png');
    await writePng(p, { width: 5, height: 3, channels: 3, data });
    const back = await readRgb(p);
    expect([back.width, back.height, back.channels]).toEqual([5, 3, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('writes labels as one-channel PNGs and resizes them with nearest neighbour', async () => {
    // 4x4 label: left half 7, right half 26
    const data = new Uint8Array(16).map((_, i) => (i % 4 < 2 ? 7 : 26));
    const p = join(dir, 'label.png');
    await writePng(p, { width: 4, height: 4, channels: 1, data });
    const full = await readLabel(p);
    expect(Array.from(full.data)).toEqual(Array.from(data));
    const half = await readLabel(p, { height: 2, width: 2 });
    expect(Array.from(half.data)).toEqual([7, 26, 7, 26]);
    // nearest never invents values in between
    const odd = await readLabel(p, { height: 3, width: 5 });
    expect(new Set(odd.data)).toEqual(new Set([7, 26]));
  });

  it('averages when shrinking an RGB image', async () => {
    // 2x2 checkerboard of 0 and 200 shrinks to one pixel near 100
    const data = new Uint8Array([0, 0, 0, 200, 200, 200, 200, 200, 200, 0, 0, 0]);
    const p = join(dir, 'checker.png');
    await writePng(p, { width: 2, height: 2, channels: 3, data });
    const one = await readRgb(p, { height: 1, width: 1 });
    expect(Math.abs(one.data[0]! - 100)).toBeLessThanOrEqual(2);
  });

  it('round-trips 16-bit depth PNGs', async () => {
    const data = new Uint16Array([0, 1, 255, 256, 12345, 65535]);
    const p = join(dir, 'depth.png');
    await writePngU16(p, { width: 3, height: 2, data });
    const back = await readU16(p);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('names the file and the problem for missing, empty, corrupt and truncated images', async () => {
    await expect(readRgb(join(dir, 'nope.png'))).rejects.toThrow(/nope\.png: file not found/);
    const empty = join(dir, 'empty.png');
    writeFileSync(empty, '');
    await expect(readRgb(empty)).rejects.toThrow(/empty\.png: empty file/);
    const garbage = join(dir, 'garbage.png');
    writeFileSync(garbage, Buffer.from('this is not an image at all'));
    await expect(readRgb(garbage)).rejects.toThrow(DataError);
    await expect(readRgb(garbage)).rejects.toThrow(/garbage\.png: cannot decode image/);

    const big = new Uint8Array(64 * 64 * 3).map((_, i) => (i * 7919) % 251);
    const whole = join(dir, 'whole.png');
    await writePng(whole, { width: 64, height: 64, channels: 3, data: big }, 0);
    const bytes = readFileSync(whole);
    const cut = join(dir, 'cut.png');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readRgb(cut)).rejects.toThrow(/cut\.png: cannot decode image/);
  });

  it('rejects a colour image where a label is expected', async () => {
    const p = join(dir, 'colour-as-label.png');
    await writePng(p, { width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(9) });
    await expect(readLabel(p)).rejects.toThrow(/colour-as-label\.png: a label image must have one channel/);
  });

  it('parses sizes', () => {
    expect(parseSize('128x256')).toEqual({ height: 128, width: 256 });
    expect(() => parseSize('128*256')).toThrow(/HxW/);
  });
});
