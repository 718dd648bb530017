import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_SIZE, MIN_WINDOW_SIZE, placeWindow, readWindowState, writeWindowState, type Rect } from '../../src/core/desktop/windowState';

const dir = mkdtempSync(join(tmpdir(), 'depthseg-winstate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1050 };
const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state file', () => {
  it('round-trips through window-state.json in a folder it creates, leaving no temp file', () => {
    const file = join(dir, 'userData', 'window-state.json');
    expect(readWindowState(file)).toBeNull();
    writeWindowState(file, { bounds: { x: 100.4, y: 80, width: 1200, height: 800 }, maximized: true });
    expect(readWindowState(file)).toEqual({ bounds: { x: 100, y: 80, width: 1200, height: 800 }, maximized: true });
    expect(readdirSync(join(dir, 'userData'))).toEqual(['window-state.json']);
  });

  it('treats a damaged or odd file as no saved state', () => {
    const file = join(dir, 'bad.json');
    for (const text of ['{', '[]', '{"bounds":{"x":0,"y":0,"width":0,"height":600}}', '{"bounds":{"x":"0","y":0,"width":800,"height":600}}', '{"bounds":{"x":0,"y":0,"width":1e9,"height":600}}']) {
      writeFileSync(file, text);
      expect(readWindowState(file), text).toBeNull();
    }
    writeFileSync(file, '{"bounds":{"x":-50,"y":10,"width":800,"height":600}}');
    expect(readWindowState(file)).toEqual({ bounds: { x: -50, y: 10, width: 800, height: 600 }, maximized: false });
  });
});

describe('placeWindow', () => {
  it('opens at the default size, centred by the shell, when nothing was saved', () => {
    expect(placeWindow(null, [laptop])).toEqual({ bounds: DEFAULT_WINDOW_SIZE, maximized: false });
    // A small screen: the default shrinks to it.
    expect(placeWindow(null, [{ x: 0, y: 0, width: 1280, height: 720 }])).toEqual({ bounds: { width: 1280, height: 720 }, maximized: false });
  });

  it('puts the window back where it was while a display shows it, on any display, maximized or not', () => {
    const onRight = { bounds: { x: 2200, y: 100, width: 1600, height: 1000 }, maximized: true };
    expect(placeWindow(onRight, [laptop, rightMonitor])).toEqual(onRight);
    // Partly off-screen is fine while the title bar can be grabbed.
    const hanging = { bounds: { x: 1700, y: 200, width: 1000, height: 700 }, maximized: false };
    expect(placeWindow(hanging, [laptop])).toEqual(hanging);
  });

  it('does not restore a place no display shows: the saved size, centred on the primary display', () => {
    const onRight = { bounds: { x: 2200, y: 100, width: 1600, height: 1000 }, maximized: false };
    expect(placeWindow(onRight, [laptop])).toEqual({ bounds: { width: 1600, height: 1000 }, maximized: false });
    // Only the bottom of the window on screen (title bar above the display): not grabbable.
    const titleAbove = { bounds: { x: 100, y: -500, width: 1000, height: 700 }, maximized: false };
    expect(placeWindow(titleAbove, [laptop]).bounds).toEqual({ width: 1000, height: 700 });
    // A sliver of the title bar is not enough either.
    const sliver = { bounds: { x: 1900, y: 100, width: 1000, height: 700 }, maximized: false };
    expect(placeWindow(sliver, [laptop]).bounds).toEqual({ width: 1000, height: 700 });
  });

  it('shrinks a window larger than its display and keeps it on that display', () => {
    const big = { bounds: { x: 1000, y: 50, width: 2400, height: 1300 }, maximized: false };
    expect(placeWindow(big, [laptop])).toEqual({ bounds: { x: 0, y: 0, width: 1920, height: 1050 }, maximized: false });
    const tiny = { bounds: { x: 10, y: 10, width: 200, height: 100 }, maximized: false };
    expect(placeWindow(tiny, [laptop]).bounds).toEqual({ x: 10, y: 10, ...MIN_WINDOW_SIZE });
  });
});
