import { describe, expect, it } from 'vitest';
import { MaskDocument, MaskError, type Point } from '../../src/renderer/src/annotator/maskDocument';
import { type Rect, rectContains } from '../../src/renderer/src/annotator/rect';

/** Squared distance from (px, py) to segment a-b. */
function dist2ToSegment(px: number, py: number, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((px - a.x) * dx + (py - a.y) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const ex = a.x + t * dx - px;
  const ey = a.y + t * dy - py;
  return ex * ex + ey * ey;
}

/** Whether pixel (x, y)'s centre lies within r of the polyline through `pts` (a disc for one point). */
function underStroke(x: number, y: number, pts: readonly Point[], r: number): boolean {
  return pts.some((a, k) => dist2ToSegment(x + 0.5, y + 0.5, a, pts[Math.min(k + 1, pts.length - 1)]!) <= r * r);
}

/** Every pixel that differs between before and after lies inside rect; returns how many. */
function expectChangesInside(before: Uint8Array, after: Uint8Array, width: number, rect: Rect | null): number {
  let changed = 0;
  const outside: number[] = [];
  for (let i = 0; i < after.length; i++) {
    if (before[i] !== after[i]) {
      changed++;
      if (!rect || !rectContains(rect, i % width, Math.floor(i / width))) outside.push(i);
    }
  }
  expect(outside, 'changed pixels outside the dirty rectangle').toEqual([]);
  return changed;
}

/** A deterministic pseudo-random sequence (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('MaskDocument', () => {
  it('starts all ignore and rejects bytes of the wrong length', () => {
    const m = new MaskDocument(4, 3);
    expect([...m.data]).toEqual(new Array(12).fill(255));
    expect(() => new MaskDocument(4, 3, new Uint8Array(11))).toThrow(MaskError);
    expect(() => new MaskDocument(4, 3, new Uint8Array(11))).toThrow(/11 bytes.*4x3.*12/);
    expect(() => new MaskDocument(0, 3)).toThrow(/positive/);
  });

  it('a stroke between two far points leaves no gap along the line', () => {
    const m = new MaskDocument(200, 100);
    const a = { x: 5.5, y: 10.5 };
    const b = { x: 190.5, y: 90.5 };
    const rect = m.paintStroke([a, b], 2, 7);
    // Every pixel whose centre is on the segment (sampled every 0.1 px) is painted.
    for (let t = 0; t <= 1; t += 0.001) {
      const x = Math.floor(a.x + t * (b.x - a.x));
      const y = Math.floor(a.y + t * (b.y - a.y));
      expect(m.get(x, y), `(${x}, ${y})`).toBe(7);
    }
    // And the stroke is r = 2 thick everywhere: each column crossed has at least 3 painted rows.
    for (let x = 10; x <= 185; x++) {
      let n = 0;
      for (let y = 0; y < 100; y++) if (m.get(x, y) === 7) n++;
      expect(n, `column ${x}`).toBeGreaterThanOrEqual(3);
    }
    // Disc ends: centres 3.5..7.5 around x = 5.5 and up to 192.5 around x = 190.5.
    expect(rect).toEqual({ x: 3, y: 8, width: 190, height: 85 });
  });

  it('takes a proposal where a stroke passes: only unpainted pixels under the brush, only where something is proposed', () => {
    const random = rng(7);
    for (let trial = 0; trial < 10; trial++) {
      const w = 40;
      const h = 30;
      const m = new MaskDocument(w, h);
      m.paintStroke([{ x: 0, y: 15 }, { x: 40, y: 15 }], 3, 4); // a painted band across the middle
      // The proposal: class 1 on the left half, 2 on the right, nothing in the top rows.
      const proposal = Uint8Array.from({ length: w * h }, (_, i) => (i < w * 3 ? 255 : i % w < w / 2 ? 1 : 2));
      const pts: Point[] = [];
      for (let k = 0, n = 1 + Math.floor(random() * 3); k < n; k++) pts.push({ x: random() * 40, y: random() * 30 });
      const r = 1 + random() * 6;
      const before = m.data.slice();
      const rect = m.takeStroke(pts, r, proposal);
      for (let i = 0; i < w * h; i++) {
        const [x, y] = [i % w, Math.floor(i / w)];
        const expected = underStroke(x, y, pts, r) && before[i] === 255 ? proposal[i] : before[i];
        expect(m.data[i], `trial ${trial} pixel (${x}, ${y})`).toBe(expected);
      }
      expectChangesInside(before, m.data, w, rect);
    }
    expect(() => new MaskDocument(4, 4).takeStroke([{ x: 1, y: 1 }], 2, new Uint8Array(15))).toThrow(/the proposal has 15 pixels but the mask 16/);
  });

  it('paints exactly the pixels whose centre is within the radius of the polyline', () => {
    const random = rng(42);
    for (let trial = 0; trial < 20; trial++) {
      const w = 40;
      const h = 30;
      const m = new MaskDocument(w, h);
      const pts: Point[] = [];
      const nPts = 1 + Math.floor(random() * 4);
      for (let k = 0; k < nPts; k++) pts.push({ x: random() * 50 - 5, y: random() * 40 - 5 });
      const r = 0.3 + random() * 5;
      const before = m.data.slice();
      const rect = m.paintStroke(pts, r, 3);
      const wrong: string[] = [];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if ((m.get(x, y) === 3) !== underStroke(x, y, pts, r)) wrong.push(`(${x}, ${y})`);
        }
      }
      expect(wrong, `trial ${trial}`).toEqual([]);
      expectChangesInside(before, m.data, w, rect);
    }
  });

  it('a single point paints a disc: radius 3 at a pixel centre covers 29 pixels', () => {
    const m = new MaskDocument(20, 20);
    const rect = m.paintStroke([{ x: 10.5, y: 10.5 }], 3, 1);
    // Integer offsets (dx, dy) with dx^2 + dy^2 <= 9: 29 of them.
    expect(m.data.filter((v) => v === 1).length).toBe(29);
    expect(rect).toEqual({ x: 7, y: 7, width: 7, height: 7 });
  });

  it('clips strokes at the border and returns null when nothing is inside', () => {
    const m = new MaskDocument(10, 10);
    const rect = m.paintStroke([{ x: -3, y: 5 }, { x: 2, y: 5 }], 1, 4);
    expect(rect).toEqual({ x: 0, y: 4, width: 3, height: 2 });
    expect(m.paintStroke([{ x: -30, y: -30 }, { x: -20, y: -40 }], 2, 4)).toBeNull();
    expect(() => m.paintStroke([{ x: 1, y: 1 }], 0, 4)).toThrow(/radius/);
    expect(() => m.paintStroke([{ x: 1, y: 1 }], 1, 300)).toThrow(/0\.\.255/);
  });

  it('the eraser paints ignore (255)', () => {
    const m = new MaskDocument(10, 10, new Uint8Array(100).fill(2));
    m.eraseStroke([{ x: 5, y: 5 }], 1);
    expect(m.get(4, 4)).toBe(255);
    expect(m.get(0, 0)).toBe(2);
  });

  it('polygon fill of a right triangle fills the expected pixel count', () => {
    const m = new MaskDocument(20, 20);
    // Centres (i + 0.5, j + 0.5) with x + y < 10, i.e. i + j <= 8: 9 + 8 + ... + 1 = 45.
    const rect = m.fillPolygon([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 0, y: 10 }], 5);
    expect(m.data.filter((v) => v === 5).length).toBe(45);
    expect(m.get(8, 0)).toBe(5);
    expect(m.get(9, 0)).toBe(255);
    expect(m.get(0, 8)).toBe(5);
    expect(rect).toEqual({ x: 0, y: 0, width: 9, height: 9 });
  });

  it('polygon fill of a large triangle is close to its area and two halves tile a square', () => {
    const m = new MaskDocument(300, 300);
    m.fillPolygon([{ x: 10.2, y: 20.7 }, { x: 280.3, y: 50.1 }, { x: 120.9, y: 290.4 }], 1);
    const area = Math.abs((280.3 - 10.2) * (290.4 - 20.7) - (120.9 - 10.2) * (50.1 - 20.7)) / 2;
    const filled = m.data.filter((v) => v === 1).length;
    expect(Math.abs(filled - area) / area).toBeLessThan(0.01);

    // Two triangles sharing a diagonal fill a 40x40 square exactly once.
    const sq = new MaskDocument(50, 50, new Uint8Array(2500));
    const t1 = new MaskDocument(50, 50, new Uint8Array(2500));
    const t2 = new MaskDocument(50, 50, new Uint8Array(2500));
    sq.fillPolygon([{ x: 3, y: 3 }, { x: 43, y: 3 }, { x: 43, y: 43 }, { x: 3, y: 43 }], 1);
    t1.fillPolygon([{ x: 3, y: 3 }, { x: 43, y: 3 }, { x: 43, y: 43 }], 1);
    t2.fillPolygon([{ x: 3, y: 3 }, { x: 43, y: 43 }, { x: 3, y: 43 }], 1);
    expect(sq.data.filter((v) => v === 1).length).toBe(1600);
    const sum = t1.data.map((v, i) => v + t2.data[i]);
    expect([...sum]).toEqual([...sq.data]);
  });

  it('flood fill repaints exactly the clicked 4-connected region', () => {
    // Class 1 forms two regions that touch only diagonally (at (2,2)-(3,3)).
    // prettier-ignore
    const bytes = Uint8Array.from([
      1, 1, 0, 0, 0, 0,
      1, 0, 0, 0, 2, 0,
      1, 1, 1, 0, 2, 0,
      0, 0, 0, 1, 1, 1,
      0, 2, 0, 1, 0, 1,
      0, 2, 0, 1, 1, 1,
    ]);
    const m = new MaskDocument(6, 6, bytes.slice());
    const rect = m.floodFill(0, 0, 9);
    // prettier-ignore
    expect([...m.data]).toEqual([
      9, 9, 0, 0, 0, 0,
      9, 0, 0, 0, 2, 0,
      9, 9, 9, 0, 2, 0,
      0, 0, 0, 1, 1, 1,
      0, 2, 0, 1, 0, 1,
      0, 2, 0, 1, 1, 1,
    ]);
    expect(rect).toEqual({ x: 0, y: 0, width: 3, height: 3 });

    // Class 0 forms three regions: top right (10 pixels), bottom left (7), and (4,4) alone.
    const m2 = new MaskDocument(6, 6, bytes.slice());
    const r2 = m2.floodFill(5, 0, 7);
    expect(m2.data.filter((v) => v === 7).length).toBe(10);
    expect(m2.get(1, 1)).toBe(7);
    expect(m2.get(3, 2)).toBe(7);
    expect(m2.get(5, 2)).toBe(7);
    expect(m2.get(0, 3)).toBe(0);
    expect(m2.get(2, 5)).toBe(0);
    expect(m2.get(4, 4)).toBe(0);
    expect(r2).toEqual({ x: 1, y: 0, width: 5, height: 3 });

    // Same value or outside: nothing to do.
    expect(m2.floodFill(5, 0, 7)).toBeNull();
    expect(m2.floodFill(-1, 0, 3)).toBeNull();
  });

  it('flood fill handles a frame-sized spiral without recursion', () => {
    const w = 301;
    const h = 301;
    const m = new MaskDocument(w, h, new Uint8Array(w * h));
    // Walls of class 1 every other row, open at alternating ends: one long snake of 0s.
    for (let y = 1; y < h; y += 2) {
      for (let x = 0; x < w; x++) m.data[y * w + x] = 1;
      m.data[y * w + (((y - 1) / 2) % 2 === 0 ? w - 1 : 0)] = 0;
    }
    const zeros = m.data.filter((v) => v === 0).length;
    const before = m.data.slice();
    const rect = m.floodFill(0, 0, 4);
    expect(m.data.filter((v) => v === 4).length).toBe(zeros);
    expect(expectChangesInside(before, m.data, w, rect)).toBe(zeros);
  });

  it('dirty rectangles bound every change of random operations', () => {
    const random = rng(7);
    const w = 64;
    const h = 48;
    const m = new MaskDocument(w, h);
    for (let k = 0; k < 60; k++) {
      const before = m.data.slice();
      const value = Math.floor(random() * 4);
      const op = k % 3;
      let rect: Rect | null;
      if (op === 0) {
        rect = m.paintStroke(
          [{ x: random() * w, y: random() * h }, { x: random() * w, y: random() * h }],
          0.5 + random() * 4,
          value,
        );
      } else if (op === 1) {
        rect = m.fillPolygon(
          [0, 1, 2, 3].map(() => ({ x: random() * 80 - 8, y: random() * 60 - 6 })),
          value,
        );
      } else {
        rect = m.floodFill(Math.floor(random() * w), Math.floor(random() * h), value);
      }
      expectChangesInside(before, m.data, w, rect);
      if (rect) {
        expect(rect.x).toBeGreaterThanOrEqual(0);
        expect(rect.y).toBeGreaterThanOrEqual(0);
        expect(rect.x + rect.width).toBeLessThanOrEqual(w);
        expect(rect.y + rect.height).toBeLessThanOrEqual(h);
      }
    }
  });
});
