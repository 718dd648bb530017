import { describe, expect, it } from 'vitest';
import { IGNORE, frameSuperpixels, largestWrongRegion, pixelAccuracy, runTool, strokeInto, summarise, type Frame } from '../../bench/annotateProtocol';
import { MaskDocument } from '../../src/renderer/src/annotator/maskDocument';

/** A 48x32 frame: class 1 (blue) on the left 16 columns, class 2 (yellow) elsewhere, a 4x4 ignore corner. */
function tinyFrame(): Frame {
  const w = 48;
  const h = 32;
  const rgb = new Uint8Array(w * h * 3);
  const gt = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const left = x < 16;
      gt[p] = x >= 44 && y < 4 ? IGNORE : left ? 1 : 2;
      const c = left ? [30, 40, 160] : [230, 210, 60];
      for (let k = 0; k < 3; k++) rgb[3 * p + k] = c[k]! + ((x * 3 + y * 5) % 5);
    }
  }
  return { name: 'tiny', width: w, height: h, rgb, gt };
}

describe("the annotation benchmark's scripted annotator", () => {
  it('measures pixel accuracy over the counted pixels only', () => {
    const gt = Uint8Array.from([1, 2, IGNORE, 2]);
    expect(pixelAccuracy(Uint8Array.from([1, 0, 0, 2]), gt)).toBeCloseTo(2 / 3);
    expect(pixelAccuracy(Uint8Array.from([IGNORE, IGNORE, 5, IGNORE]), gt)).toBe(0);
  });

  it('strokes into the largest wrong region, along its middle, with a brush that fits', () => {
    const f = tinyFrame();
    const mask = new Uint8Array(f.width * f.height).fill(IGNORE);
    const region = largestWrongRegion(mask, f.gt, f.width, f.height)!;
    expect(region.cls).toBe(2);
    expect(region.pixels.length).toBe(32 * 32 - 16);
    const stroke = strokeInto(region, f.width, f.height, 4);
    expect(stroke.radius).toBe(4);
    // Every point of the scribble lies where the disc fits inside the region: painting it never spills into class 1.
    const doc = new MaskDocument(f.width, f.height);
    doc.paintStroke(stroke.points, stroke.radius, region.cls);
    let spilled = 0;
    let gained = 0;
    for (let p = 0; p < f.gt.length; p++) {
      if (doc.data[p] === 2 && f.gt[p] !== 2) spilled++;
      if (doc.data[p] === 2 && f.gt[p] === 2) gained++;
    }
    expect(spilled).toBe(0);
    expect(gained).toBeGreaterThan(200);
    expect(f.gt[stroke.click.y * f.width + stroke.click.x]).toBe(2);
  });

  it('brings the tiny frame to 95% with each tool; the region fill, the superpixel brush and the assist in fewer strokes than the brush', () => {
    const f = tinyFrame();
    const { map } = frameSuperpixels(f);
    const settings = { radius: 3, cap: 100, tolerance: 12 };
    const brush = runTool('brush', f, map, settings);
    const fill = runTool('brush_fill', f, map, settings);
    const sp = runTool('superpixel', f, map, settings);
    const assist = runTool('assist_colour', f, map, settings);
    for (const r of [brush, fill, sp, assist]) expect(r.strokes95).not.toBeNull();
    // A scribble in each class, then the assist proposes the rest by colour.
    expect(assist.strokes95).toBeLessThanOrEqual(3);
    expect(assist.strokes95!).toBeLessThan(brush.strokes95!);
    expect(assist.updateMs).toHaveLength(assist.accuracy.length);
    expect(fill.strokes95).toBeLessThanOrEqual(2); // one click a colour region
    expect(sp.strokes95!).toBeLessThan(brush.strokes95!);
    expect(brush.accuracy.every((a, i) => i === 0 || a >= brush.accuracy[i - 1]!)).toBe(true);
    const s = summarise([brush, { ...brush, strokes90: null, strokes95: null }], 100);
    expect(s).toMatchObject({ noc90: (brush.strokes90! + 100) / 2, reached90: 1, reached95: 1, frames: 2 });
  });

  it("counts fewer strokes with class features that know what colour cannot tell (assist_seg), and refuses a network assist without its features", () => {
    // Eight-pixel stripes of two classes in one grey: colour says nothing, position little.
    const w = 64;
    const h = 32;
    const rgb = new Uint8Array(w * h * 3);
    const gt = new Uint8Array(w * h);
    for (let p = 0; p < w * h; p++) {
      const x = p % w;
      gt[p] = Math.floor(x / 8) % 2 === 0 ? 1 : 2;
      rgb.fill(120 + (gt[p] === 1 ? 0 : 6) + ((p * 7) % 3), 3 * p, 3 * p + 3);
    }
    const f: Frame = { name: 'stripes', width: w, height: h, rgb, gt };
    const { map } = frameSuperpixels(f);
    // A perfect segmentation run's class probabilities: each superpixel's share of each class.
    const classes = 3;
    const data = new Float32Array(map.count * classes);
    for (let k = 0; k < map.count; k++) {
      const px = map.pixelsOf(k);
      for (const p of px) data[k * classes + gt[p]!] += 1 / px.length;
    }
    const settings = { radius: 2, cap: 60, tolerance: 12 };
    const colour = runTool('assist_colour', f, map, settings);
    const seg = runTool('assist_seg', f, map, settings, { data, dims: classes, segDims: classes });
    expect(seg.strokes90).not.toBeNull();
    expect(seg.strokes90!).toBeLessThan(colour.strokes90 ?? Infinity);
    expect(() => runTool('assist_seg', f, map, settings)).toThrow(/assist_seg needs the network features of the superpixels \(seg\)/);
  });
});
