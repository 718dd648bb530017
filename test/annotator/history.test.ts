import { describe, expect, it } from 'vitest';
import { EditHistory } from '../../src/renderer/src/annotator/history';
import { MaskDocument } from '../../src/renderer/src/annotator/maskDocument';

function stroke(m: MaskDocument, h: EditHistory, x0: number, y0: number, x1: number, y1: number, v: number): void {
  // Painted as many small moves, like a mouse drag, then committed once.
  const steps = 10;
  for (let k = 0; k < steps; k++) {
    const a = { x: x0 + ((x1 - x0) * k) / steps, y: y0 + ((y1 - y0) * k) / steps };
    const b = { x: x0 + ((x1 - x0) * (k + 1)) / steps, y: y0 + ((y1 - y0) * (k + 1)) / steps };
    h.touch(m.paintStroke([a, b], 2.5, v));
  }
  h.commit();
}

describe('EditHistory', () => {
  it('undo restores the byte-identical mask and redo reapplies, one step per stroke', () => {
    const m = new MaskDocument(64, 40);
    const h = new EditHistory(m);
    const s0 = m.data.slice();
    stroke(m, h, 3, 3, 60, 35, 1);
    const s1 = m.data.slice();
    h.touch(m.floodFill(0, 39, 2));
    h.commit();
    const s2 = m.data.slice();
    h.touch(m.fillPolygon([{ x: 10, y: 10 }, { x: 50, y: 12 }, { x: 30, y: 38 }], 3));
    h.commit();
    const s3 = m.data.slice();
    expect(h.depth).toEqual({ undo: 3, redo: 0 });

    expect(h.undo()).not.toBeNull();
    expect(m.data).toEqual(s2);
    expect(h.undo()).not.toBeNull();
    expect(m.data).toEqual(s1);
    expect(h.undo()).not.toBeNull();
    expect(m.data).toEqual(s0);
    expect(h.undo()).toBeNull();
    expect(h.depth).toEqual({ undo: 0, redo: 3 });

    h.redo();
    expect(m.data).toEqual(s1);
    h.redo();
    expect(m.data).toEqual(s2);
    h.redo();
    expect(m.data).toEqual(s3);
    expect(h.redo()).toBeNull();
  });

  it('the rectangle returned by undo holds every pixel it changed', () => {
    const m = new MaskDocument(50, 50);
    const h = new EditHistory(m);
    stroke(m, h, 10, 20, 40, 22, 4);
    const after = m.data.slice();
    const rect = h.undo();
    expect(rect).not.toBeNull();
    const r = rect as NonNullable<typeof rect>;
    for (let i = 0; i < m.data.length; i++) {
      if (m.data[i] !== after[i]) {
        const x = i % 50;
        const y = Math.floor(i / 50);
        expect(x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height).toBe(true);
      }
    }
    // Tight: pixel centres (i + 0.5, j + 0.5) within 2.5 of the segment (10,20)-(40,22)
    // span columns 8..41 and rows 18..23.
    expect(r).toEqual({ x: 8, y: 18, width: 34, height: 6 });
  });

  it('a new edit after undo drops the redo stack', () => {
    const m = new MaskDocument(30, 30);
    const h = new EditHistory(m);
    stroke(m, h, 2, 2, 28, 2, 1);
    stroke(m, h, 2, 10, 28, 10, 2);
    h.undo();
    expect(h.canRedo).toBe(true);
    stroke(m, h, 2, 20, 28, 20, 3);
    expect(h.canRedo).toBe(false);
    expect(h.redo()).toBeNull();
    expect(m.get(15, 10)).toBe(255);
    expect(m.get(15, 20)).toBe(3);
    h.undo();
    h.undo();
    expect([...m.data].every((v) => v === 255)).toBe(true);
  });

  it('says where a step it handed out is: done, undone, or gone once a new edit drops it', () => {
    const m = new MaskDocument(30, 30);
    const h = new EditHistory(m);
    expect(h.lastStep).toBeNull();
    stroke(m, h, 2, 2, 28, 2, 1);
    const first = h.lastStep!;
    stroke(m, h, 2, 10, 28, 10, 2);
    const second = h.lastStep!;
    expect(second).not.toBe(first);
    expect([h.whereIs(first), h.whereIs(second)]).toEqual(['done', 'done']);
    h.undo();
    expect(h.lastStep).toBe(first);
    expect([h.whereIs(first), h.whereIs(second)]).toEqual(['done', 'undone']);
    h.redo();
    expect(h.whereIs(second)).toBe('done');
    h.undo();
    stroke(m, h, 2, 20, 28, 20, 3);
    expect(h.whereIs(second)).toBe('gone');
    h.reset();
    expect([h.whereIs(first), h.lastStep]).toEqual(['gone', null]);
  });

  it('an edit that changes nothing makes no step and keeps the redo stack', () => {
    const m = new MaskDocument(20, 20);
    const h = new EditHistory(m);
    stroke(m, h, 5, 5, 15, 5, 1);
    h.undo();
    h.touch(m.eraseStroke([{ x: 10, y: 15 }], 2)); // erasing ignore: no change
    expect(h.commit()).toBeNull();
    expect(h.depth).toEqual({ undo: 0, redo: 1 });
    h.redo();
    expect(m.get(10, 5)).toBe(1);
  });

  it('undo with a stroke still pending commits it first, then undoes it', () => {
    const m = new MaskDocument(20, 20);
    const h = new EditHistory(m);
    stroke(m, h, 2, 2, 18, 2, 1);
    const s1 = m.data.slice();
    h.touch(m.paintStroke([{ x: 5, y: 12 }], 3, 2));
    h.undo();
    expect(m.data).toEqual(s1);
    h.redo();
    expect(m.get(5, 12)).toBe(2);
  });

  it('a thin diagonal stroke is stored as its changed pixels, not its bounding box', () => {
    const m = new MaskDocument(1000, 1000);
    const h = new EditHistory(m);
    h.touch(m.paintStroke([{ x: 0, y: 0 }, { x: 1000, y: 1000 }], 1, 5));
    h.commit();
    const changed = m.data.filter((v) => v === 5).length;
    // 6 bytes per changed pixel (index + before + after) instead of 2 MB for the box.
    expect(h.bytesUsed).toBe(6 * changed);
    expect(h.bytesUsed).toBeLessThan(40_000);
    h.undo();
    expect(m.data.every((v) => v === 255)).toBe(true);
  });

  it('history memory stays within the cap, dropping the oldest steps', () => {
    const m = new MaskDocument(100, 100);
    const cap = 20_000;
    const h = new EditHistory(m, cap);
    const snapshots: Uint8Array[] = [];
    for (let k = 0; k < 40; k++) {
      // Alternating full-mask fills: 2 x 10000 bytes each as a dense patch.
      h.touch(m.fillPolygon([{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }, { x: 0, y: 100 }], k % 2));
      h.commit();
      snapshots.push(m.data.slice());
      expect(h.bytesUsed).toBeLessThanOrEqual(cap);
    }
    expect(h.depth.undo).toBe(1);
    h.undo();
    expect(m.data).toEqual(snapshots[38]);
    expect(h.undo()).toBeNull();

    // Small strokes: many fit.
    const m2 = new MaskDocument(100, 100);
    const h3 = new EditHistory(m2, 5_000);
    for (let k = 0; k < 200; k++) {
      h3.touch(m2.paintStroke([{ x: (k * 7) % 100, y: (k * 13) % 100 }], 2, k % 19));
      h3.commit();
      expect(h3.bytesUsed).toBeLessThanOrEqual(5_000);
    }
    expect(h3.depth.undo).toBeGreaterThan(50);
  });

  it('a step larger than the cap is applied but cannot be undone', () => {
    const m = new MaskDocument(50, 50);
    const h = new EditHistory(m, 1000);
    h.touch(m.replaceAll(new Uint8Array(2500).fill(3)));
    h.commit();
    expect(h.bytesUsed).toBe(0);
    expect(h.canUndo).toBe(false);
    expect(m.get(10, 10)).toBe(3);
    // Later steps diff against the new base, so undoing them is still exact.
    h.touch(m.paintStroke([{ x: 10, y: 10 }], 2, 4));
    h.commit();
    h.undo();
    expect(m.data.every((v) => v === 3)).toBe(true);
  });

  it('reset takes the current mask as the new base', () => {
    const m = new MaskDocument(10, 10);
    const h = new EditHistory(m);
    stroke(m, h, 1, 1, 9, 9, 2);
    m.replaceAll(new Uint8Array(100).fill(6));
    h.reset();
    expect(h.canUndo).toBe(false);
    h.touch(m.paintStroke([{ x: 5, y: 5 }], 1, 1));
    h.commit();
    h.undo();
    expect(m.data.every((v) => v === 6)).toBe(true);
  });
});
