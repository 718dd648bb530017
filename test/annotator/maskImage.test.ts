import { describe, expect, it } from 'vitest';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET } from '../../src/core/labels';
import { classTable } from '../../src/renderer/src/annotator/classes';
import { MaskDocument } from '../../src/renderer/src/annotator/maskDocument';
import { buildMaskPalette as build, renderMaskRgba } from '../../src/renderer/src/annotator/maskImage';

const TRAIN_CLASSES = classTable(CITYSCAPES_LABEL_SET).classes;
/** The Cityscapes palette (what a Cityscapes project's annotator uses). */
const buildMaskPalette = (opacity?: number, ignoreStyle?: 'transparent' | 'hatched') => build(classTable(CITYSCAPES_LABEL_SET).colors, opacity, ignoreStyle);

function pixel(out: Uint8ClampedArray, width: number, x: number, y: number): number[] {
  const o = (y * width + x) * 4;
  return [out[o], out[o + 1], out[o + 2], out[o + 3]];
}

describe('maskImage', () => {
  it('colours each class with its Cityscapes colour and the opacity; ignore is transparent', () => {
    const mask = Uint8Array.from([0, 10, 13, 255, 18, 100]);
    const out = new Uint8ClampedArray(6 * 4);
    renderMaskRgba(mask, 3, 2, buildMaskPalette(0.5), out);
    expect(pixel(out, 3, 0, 0)).toEqual([128, 64, 128, 128]); // road
    expect(pixel(out, 3, 1, 0)).toEqual([70, 130, 180, 128]); // sky
    expect(pixel(out, 3, 2, 0)).toEqual([0, 0, 142, 128]); // car
    expect(pixel(out, 3, 0, 1)).toEqual([0, 0, 0, 0]); // ignore
    expect(pixel(out, 3, 1, 1)).toEqual([119, 11, 32, 128]); // bicycle
    expect(pixel(out, 3, 2, 1)).toEqual([0, 0, 0, 0]); // not a class
  });

  it("colours a CamVid mask with CamVid's colours; values past its 11 classes are transparent", () => {
    const out = new Uint8ClampedArray(3 * 4);
    renderMaskRgba(Uint8Array.from([8, 13, 0]), 3, 1, build(classTable(CAMVID_LABEL_SET).colors, 1), out);
    expect(pixel(out, 3, 0, 0)).toEqual([64, 0, 128, 255]); // car
    expect(pixel(out, 3, 1, 0)).toEqual([0, 0, 0, 0]); // 13: not a CamVid class
    expect(pixel(out, 3, 2, 0)).toEqual([128, 128, 128, 255]); // sky
  });

  it('updates only the dirty rectangle, and matches a full render there', () => {
    const w = 40;
    const h = 30;
    const m = new MaskDocument(w, h);
    const palette = buildMaskPalette(1);
    const out = new Uint8ClampedArray(w * h * 4);
    renderMaskRgba(m.data, w, h, palette, out);
    const rect = m.paintStroke([{ x: 10, y: 10 }, { x: 25, y: 18 }], 3, 11);
    expect(rect).not.toBeNull();
    const sentinel = out.slice();
    // Poison everything outside the rect to prove it is left alone.
    for (let i = 0; i < w * h; i++) {
      const x = i % w;
      const y = Math.floor(i / w);
      const r = rect as NonNullable<typeof rect>;
      if (x < r.x || y < r.y || x >= r.x + r.width || y >= r.y + r.height) sentinel.fill(7, i * 4, i * 4 + 4);
    }
    renderMaskRgba(m.data, w, h, palette, sentinel, rect ?? undefined);
    const full = new Uint8ClampedArray(w * h * 4);
    renderMaskRgba(m.data, w, h, palette, full);
    let inside = 0;
    for (let i = 0; i < w * h; i++) {
      const x = i % w;
      const y = Math.floor(i / w);
      const r = rect as NonNullable<typeof rect>;
      const got = [...sentinel.subarray(i * 4, i * 4 + 4)];
      if (x < r.x || y < r.y || x >= r.x + r.width || y >= r.y + r.height) {
        expect(got).toEqual([7, 7, 7, 7]);
      } else {
        inside++;
        expect(got).toEqual([...full.subarray(i * 4, i * 4 + 4)]);
      }
    }
    expect(inside).toBe((rect?.width ?? 0) * (rect?.height ?? 0));
    expect(pixel(full, w, 17, 14)).toEqual([...TRAIN_CLASSES[11].color, 255]);
  });

  it('hatches ignore pixels when asked', () => {
    const out = new Uint8ClampedArray(8 * 1 * 4);
    renderMaskRgba(new Uint8Array(8).fill(255), 8, 1, buildMaskPalette(1, 'hatched'), out);
    const alphas = [0, 1, 2, 3, 4, 5, 6, 7].map((x) => out[x * 4 + 3]);
    expect(alphas).toEqual([128, 128, 0, 0, 0, 0, 0, 0]);
  });

  it('writes through an unaligned view too, and rejects buffers of the wrong size', () => {
    const backing = new Uint8ClampedArray(1 + 4 * 4);
    const out = backing.subarray(1);
    renderMaskRgba(Uint8Array.from([1, 255, 2, 0]), 2, 2, buildMaskPalette(1), out);
    expect([...out.subarray(0, 4)]).toEqual([244, 35, 232, 255]);
    expect([...out.subarray(8, 12)]).toEqual([70, 70, 70, 255]);
    expect(() => renderMaskRgba(new Uint8Array(4), 2, 2, buildMaskPalette(), new Uint8ClampedArray(15))).toThrow(
      /RGBA buffer has 15 bytes, expected 2x2x4/,
    );
    expect(() => buildMaskPalette(1.5)).toThrow(/opacity/);
  });
});
