import { describe, expect, it } from 'vitest';
import { computeSuperpixels, computeSuperpixelsAsync, defaultRegionSize, rgbToLab } from '../../src/core/assist/superpixels';
import { UsageError } from '../../src/core/errors';

/** A w x h RGB image: grey background, a red rectangle [x0, x1) x [y0, y1), a little deterministic noise. */
function rectangleImage(w: number, h: number, r: { x0: number; y0: number; x1: number; y1: number }): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1;
      const noise = ((x * 7 + y * 13) % 9) - 4;
      const c = inside ? [200, 40, 40] : [110, 110, 110];
      for (let k = 0; k < 3; k++) rgb[(y * w + x) * 3 + k] = c[k]! + noise;
    }
  }
  return rgb;
}

/** Whether every label's pixels form one 4-connected piece. */
function connected(labels: Uint32Array, w: number, h: number, count: number): boolean {
  const seen = new Uint8Array(w * h);
  const pieces = new Array<number>(count).fill(0);
  for (let s = 0; s < w * h; s++) {
    if (seen[s]) continue;
    pieces[labels[s]!]!++;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      for (const q of [x > 0 ? p - 1 : -1, x + 1 < w ? p + 1 : -1, p - w, p + w]) {
        if (q < 0 || q >= w * h || seen[q] || labels[q] !== labels[p]) continue;
        seen[q] = 1;
        stack.push(q);
      }
    }
  }
  return pieces.every((n) => n === 1);
}

describe('SLIC superpixels', () => {
  it("follow a drawn rectangle's edges: no superpixel has pixels on both sides", () => {
    const w = 96;
    const h = 64;
    const rect = { x0: 21, y0: 13, x1: 70, y1: 47 }; // edges off the 8-pixel grid
    const sp = computeSuperpixels(rectangleImage(w, h, rect), w, h, { regionSize: 8 });
    expect(sp.count).toBeGreaterThan(40);
    expect(sp.count).toBeLessThan(200);
    const inside = new Array<number>(sp.count).fill(0);
    const total = new Array<number>(sp.count).fill(0);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const k = sp.labels[y * w + x]!;
        total[k]!++;
        if (x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1) inside[k]!++;
      }
    }
    const mixed = inside.filter((n, k) => n > 0 && n < total[k]!).length;
    expect(mixed).toBe(0);
    expect(connected(sp.labels, w, h, sp.count)).toBe(true);
    expect(Math.max(...sp.labels)).toBe(sp.count - 1);
    // Mean colours: a red superpixel's a* is high, a grey one's near 0.
    const red = sp.labels[30 * w + 40]!;
    const grey = sp.labels[2 * w + 2]!;
    expect(sp.meanLab[3 * red + 1]).toBeGreaterThan(40);
    expect(Math.abs(sp.meanLab[3 * grey + 1]!)).toBeLessThan(3);
  });

  it('gives the same labels stepping asynchronously as in one go', async () => {
    const rgb = rectangleImage(40, 30, { x0: 5, y0: 5, x1: 20, y1: 25 });
    const a = computeSuperpixels(rgb, 40, 30, { regionSize: 6 });
    const b = await computeSuperpixelsAsync(rgb, 40, 30, { regionSize: 6 });
    expect(b.count).toBe(a.count);
    expect(b.labels).toEqual(a.labels);
  });

  it('converts sRGB to CIELAB (white, black, pure red)', () => {
    const lab = rgbToLab(Uint8Array.from([255, 255, 255, 0, 0, 0, 255, 0, 0]), 3);
    expect(lab[0]).toBeCloseTo(100, 0);
    expect(lab[3]).toBeCloseTo(0, 0);
    expect(lab[6]).toBeCloseTo(53.2, 0);
    expect(lab[7]).toBeCloseTo(80.1, 0);
  });

  it('picks about 1,500 superpixels by default, at least 6 pixels apart', () => {
    expect(defaultRegionSize(2048, 1024)).toBe(37);
    expect(defaultRegionSize(64, 32)).toBe(6);
  });

  it('refuses bad input in words', () => {
    expect(() => computeSuperpixels(new Uint8Array(10), 4, 4)).toThrow(/4x4 needs 48 bytes, got 10/);
    expect(() => computeSuperpixels(new Uint8Array(48), 4, 4, { regionSize: 1 })).toThrow(UsageError);
    expect(() => computeSuperpixels(new Uint8Array(48), 4, 4, { compactness: 0 })).toThrow(/compactness/);
    expect(() => computeSuperpixels(new Uint8Array(3 * 2048 * 1024), 2048, 1024, { regionSize: 4 })).toThrow(/larger region size/);
  });
});
