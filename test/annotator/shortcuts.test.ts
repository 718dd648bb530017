import { describe, expect, it } from 'vitest';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET } from '../../src/core/labels';
import { classTable } from '../../src/renderer/src/annotator/classes';
import { type KeyPress, shortcutFor as shortcutIn, stepBrushSize } from '../../src/renderer/src/annotator/shortcuts';

const cityscapes = classTable(CITYSCAPES_LABEL_SET);
const shortcutFor = (k: KeyPress) => shortcutIn(k, cityscapes);

const key = (code: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  code,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('annotator shortcuts', () => {
  it('maps undo/redo with Ctrl or Cmd, and Shift for redo', () => {
    expect(shortcutFor(key('KeyZ', { ctrlKey: true }))).toEqual({ kind: 'undo' });
    expect(shortcutFor(key('KeyZ', { metaKey: true }))).toEqual({ kind: 'undo' });
    expect(shortcutFor(key('KeyZ', { ctrlKey: true, shiftKey: true }))).toEqual({ kind: 'redo' });
    expect(shortcutFor(key('KeyY', { ctrlKey: true }))).toEqual({ kind: 'redo' });
    expect(shortcutFor(key('KeyZ'))).toBeUndefined();
  });

  it('maps class digits, tools and the rest; Ctrl+digit is not a class', () => {
    expect(shortcutFor(key('Digit3'))).toEqual({ kind: 'class', classId: 2 });
    expect(shortcutFor(key('Digit4', { shiftKey: true }))).toEqual({ kind: 'class', classId: 13 });
    expect(shortcutFor(key('Digit0', { shiftKey: true }))).toEqual({ kind: 'class', classId: 255 });
    expect(shortcutFor(key('Digit0', { ctrlKey: true }))).toEqual({ kind: 'fit' });
    expect(shortcutFor(key('Digit3', { ctrlKey: true }))).toBeUndefined();
    expect(shortcutFor(key('KeyE'))).toEqual({ kind: 'tool', tool: 'eraser' });
    expect(shortcutFor(key('KeyF'))).toEqual({ kind: 'tool', tool: 'fill' });
    expect(shortcutFor(key('KeyS'))).toEqual({ kind: 'tool', tool: 'superpixel' });
    expect(shortcutFor(key('KeyR'))).toEqual({ kind: 'tool', tool: 'region' });
    expect(shortcutFor(key('KeyT'))).toEqual({ kind: 'tool', tool: 'take' });
    expect(shortcutFor(key('KeyA'))).toEqual({ kind: 'accept-proposal', onlyActiveClass: false });
    expect(shortcutFor(key('KeyA', { shiftKey: true }))).toEqual({ kind: 'accept-proposal', onlyActiveClass: true });
    expect(shortcutFor(key('KeyS', { ctrlKey: true }))).toBeUndefined(); // Ctrl+S saves (the view's)
    expect(shortcutFor(key('KeyN'))).toEqual({ kind: 'next-in-clip' });
    expect(shortcutFor(key('KeyN', { shiftKey: true }))).toEqual({ kind: 'previous-in-clip' });
    expect(shortcutFor(key('BracketRight'))).toEqual({ kind: 'brush-size', direction: 1 });
    expect(shortcutFor(key('Escape'))).toEqual({ kind: 'polygon-cancel' });
    expect(shortcutFor(key('KeyE', { altKey: true }))).toBeUndefined();
  });

  it("picks the label set's classes: CamVid has no class on Shift+2 (and Shift+2 is no tool either)", () => {
    const camvid = classTable(CAMVID_LABEL_SET);
    expect(shortcutIn(key('Digit9'), camvid)).toEqual({ kind: 'class', classId: 8 });
    expect(shortcutIn(key('Digit1', { shiftKey: true }), camvid)).toEqual({ kind: 'class', classId: 10 });
    expect(shortcutIn(key('Digit2', { shiftKey: true }), camvid)).toBeUndefined();
    expect(shortcutIn(key('Digit0', { shiftKey: true }), camvid)).toEqual({ kind: 'class', classId: 255 });
  });

  it('steps brush sizes up and down and stops at the ends', () => {
    expect(stepBrushSize(20, 1)).toBe(28);
    expect(stepBrushSize(20, -1)).toBe(16);
    expect(stepBrushSize(21, -1)).toBe(20);
    expect(stepBrushSize(120, 1)).toBe(120);
    expect(stepBrushSize(1, -1)).toBe(1);
  });
});
