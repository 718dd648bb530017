import { describe, expect, it } from 'vitest';
import { computeSuperpixels } from '../../src/core/assist/superpixels';
import { MaskDocument, MaskError } from '../../src/renderer/src/annotator/maskDocument';
import { SuperpixelMap } from '../../src/renderer/src/annotator/superpixelMap';

/**
 * A 6x4 frame of four superpixels:
 *   0 0 0 1 1 1
 *   0 0 0 1 1 1
 *   2 2 3 3 3 3
 *   2 2 3 3 3 3
 * with colours 0 and 2 dark, 1 and 3 bright.
 */
function fourCells(): SuperpixelMap {
  const labels = Uint16Array.from([0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 2, 2, 3, 3, 3, 3]);
  return new SuperpixelMap(6, 4, labels, 4, Float32Array.from([20, 0, 0, 90, 0, 0, 22, 0, 0, 88, 0, 0]));
}

/** A w x h two-colour image: the left part (x < split) dark blue, the rest light yellow, with mild noise. */
function twoColours(w: number, h: number, split: (y: number) => number): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const noise = ((x * 5 + y * 11) % 7) - 3;
      const c = x < split(y) ? [30, 40, 120] : [230, 220, 120];
      for (let k = 0; k < 3; k++) rgb[(y * w + x) * 3 + k] = c[k]! + noise;
    }
  }
  return rgb;
}

const painted = (doc: MaskDocument, value: number): number => doc.data.filter((v) => v === value).length;

describe('the superpixel map', () => {
  it('knows each label: pixels, box, neighbours, colour distance', () => {
    const sp = fourCells();
    expect([...sp.pixelsOf(2)]).toEqual([12, 13, 18, 19]);
    expect(sp.boxOf(3)).toEqual({ x: 2, y: 2, width: 4, height: 2 });
    expect([...sp.neighboursOf(0)]).toEqual([1, 2, 3]);
    expect([...sp.neighboursOf(2)]).toEqual([0, 3]);
    expect(sp.colourDistance(0, 1)).toBeCloseTo(70);
    expect([...sp.similarRegion(0, 5)]).toEqual([1, 0, 1, 0]);
  });

  it('decodes the API bytes (16 bits, little-endian) and refuses a wrong size in words', () => {
    const sp = SuperpixelMap.fromBytes(2, 1, Uint8Array.from([1, 0, 0, 1]), 257, new Array<number>(3 * 257).fill(0));
    expect([...sp.labels]).toEqual([1, 256]);
    expect(() => SuperpixelMap.fromBytes(2, 2, new Uint8Array(4), 1, [0, 0, 0])).toThrow(/needs 8 bytes, got 4/);
    expect(() => new SuperpixelMap(2, 1, Uint16Array.from([0, 5]), 2, new Float32Array(6))).toThrow(/label 5 .* not below the count 2/);
  });
});

describe('the superpixel brush', () => {
  it('paints every superpixel the stroke touches, whole, and nothing else', () => {
    const sp = fourCells();
    const doc = new MaskDocument(6, 4);
    // A dot of radius 0.5 at pixel (1, 0) touches superpixel 0 only.
    const rect = doc.paintSuperpixelStroke([{ x: 1.5, y: 0.5 }], 0.5, 7, sp);
    expect(rect).toEqual({ x: 0, y: 0, width: 3, height: 2 });
    expect([...doc.data.slice(0, 6)]).toEqual([7, 7, 7, 255, 255, 255]);
    expect(painted(doc, 7)).toBe(6);
    // A stroke along row 3 touches 2 and 3; the marks of the stroke skip what it painted already.
    const done = new Uint8Array(4);
    doc.paintSuperpixelStroke([{ x: 0.5, y: 3.5 }, { x: 5.5, y: 3.5 }], 0.5, 4, sp, done);
    expect([...done]).toEqual([0, 0, 1, 1]);
    expect(painted(doc, 4)).toBe(12);
    doc.data.fill(255);
    expect(doc.paintSuperpixelStroke([{ x: 0.5, y: 3.5 }], 0.5, 4, sp, done)).toBeNull();
    expect(painted(doc, 4)).toBe(0);
  });

  it('refuses superpixels of another size and a bad radius', () => {
    const doc = new MaskDocument(5, 4);
    expect(() => doc.paintSuperpixelStroke([{ x: 1, y: 1 }], 2, 1, fourCells())).toThrow(/superpixels are 6x4 but the mask is 5x4/);
    expect(() => new MaskDocument(6, 4).paintSuperpixelStroke([{ x: 1, y: 1 }], 0, 1, fourCells())).toThrow(MaskError);
  });
});

describe('the region fill', () => {
  it('on a two-colour image stays inside the clicked colour region, where the flood fill takes the frame', () => {
    const w = 80;
    const h = 60;
    const split = (y: number): number => 30 + Math.round(y / 3); // a slanted edge
    const s = computeSuperpixels(twoColours(w, h, split), w, h, { regionSize: 8 });
    const sp = new SuperpixelMap(w, h, s.labels, s.count, s.meanLab);
    const doc = new MaskDocument(w, h);
    const rect = doc.fillImageRegion(5, 30, 3, sp, 12);
    expect(rect).not.toBeNull();
    let inside = 0;
    let outside = 0;
    let left = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const isLeft = x < split(y);
        if (isLeft) left++;
        if (doc.get(x, y) === 3) {
          if (isLeft) inside++;
          else outside++;
        }
      }
    }
    expect(outside).toBe(0);
    expect(inside).toBe(left);
    // The mask's flood fill on the same empty mask covers everything.
    const flood = new MaskDocument(w, h);
    flood.floodFill(5, 30, 3);
    expect(painted(flood, 3)).toBe(w * h);
  });

  it("keeps to the mask's class at the click too, and does nothing on a pixel of the value already", () => {
    const sp = fourCells();
    const doc = new MaskDocument(6, 4);
    doc.data[1] = 5; // a painted pixel inside superpixel 0
    doc.fillImageRegion(0, 0, 2, sp, 5);
    // superpixels 0 and 2 (dark) minus the painted pixel
    expect(painted(doc, 2)).toBe(6 + 4 - 1);
    expect(doc.get(1, 0)).toBe(5);
    expect(doc.fillImageRegion(0, 0, 2, sp, 5)).toBeNull();
    expect(doc.fillImageRegion(-1, 0, 2, sp, 5)).toBeNull();
    expect(() => doc.fillImageRegion(3, 0, 2, sp, -1)).toThrow(/tolerance must be a number >= 0/);
  });
});
