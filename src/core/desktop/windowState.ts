/**
 * The desktop window's size and place, remembered across runs in a small JSON file in the
 * app's user-data folder (window-state.json), and where to put the window on the displays
 * there are now: a saved place is used only while a display still shows it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../fsAtomic';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  /** The window's bounds when not maximized (Electron: getNormalBounds). */
  readonly bounds: Rect;
  readonly maximized: boolean;
}

/** Where a new window goes: bounds with a place, or only a size (the shell centres it). */
export interface WindowPlacement {
  readonly bounds: Rect | { readonly width: number; readonly height: number };
  readonly maximized: boolean;
}

export const DEFAULT_WINDOW_SIZE = { width: 1400, height: 900 } as const;
export const MIN_WINDOW_SIZE = { width: 640, height: 480 } as const;
/** How much of the window's top edge (its title bar) a display must show to count as visible. */
const GRAB = { width: 96, height: 32 } as const;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e6;

/** The saved state, or null when there is none or it is damaged (then the defaults apply). */
export function readWindowState(file: string): WindowState | null {
  if (!existsSync(file)) return null;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { bounds?: Partial<Record<keyof Rect, unknown>>; maximized?: unknown };
    const b = v.bounds;
    if (!b || !isInt(b.x) || !isInt(b.y) || !isInt(b.width) || !isInt(b.height)) return null;
    if (b.width <= 0 || b.height <= 0) return null;
    return { bounds: { x: b.x, y: b.y, width: b.width, height: b.height }, maximized: v.maximized === true };
  } catch {
    return null;
  }
}

/** Saves the state so that a crash leaves the old file or the new one, never half of one. */
export function writeWindowState(file: string, state: WindowState): void {
  const { x, y, width, height } = state.bounds;
  const rounded = { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) };
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify({ bounds: rounded, maximized: state.maximized }, null, 2)}\n`);
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/**
 * Where to open the window, given the saved state and the work areas of the displays now
 * connected (the first is the primary display). The saved place is kept when a display shows
 * enough of the window's top edge to grab it, the size shrunk to that display if it no longer
 * fits; otherwise the saved size (shrunk to the primary display) without a place, so that the
 * shell centres the window on the primary display. No saved state: the default size.
 */
export function placeWindow(saved: WindowState | null, workAreas: readonly Rect[]): WindowPlacement {
  const primary = workAreas[0];
  const fit = (size: { width: number; height: number }, area: Rect | undefined) => ({
    width: Math.max(Math.min(size.width, area?.width ?? size.width), Math.min(MIN_WINDOW_SIZE.width, area?.width ?? Infinity)),
    height: Math.max(Math.min(size.height, area?.height ?? size.height), Math.min(MIN_WINDOW_SIZE.height, area?.height ?? Infinity)),
  });
  if (!saved) return { bounds: fit(DEFAULT_WINDOW_SIZE, primary), maximized: false };
  const titleBar: Rect = { x: saved.bounds.x, y: saved.bounds.y, width: saved.bounds.width, height: Math.min(GRAB.height, saved.bounds.height) };
  const shown = workAreas.find((area) => {
    const o = overlap(titleBar, area);
    return o.width >= Math.min(GRAB.width, saved.bounds.width) && o.height >= Math.min(GRAB.height, saved.bounds.height);
  });
  if (!shown) return { bounds: fit(saved.bounds, primary), maximized: saved.maximized };
  const size = fit(saved.bounds, shown);
  // Shrunk to the display: keep it on that display.
  const x = Math.min(Math.max(saved.bounds.x, shown.x), shown.x + shown.width - size.width);
  const y = Math.min(Math.max(saved.bounds.y, shown.y), shown.y + shown.height - size.height);
  const moved = size.width !== saved.bounds.width || size.height !== saved.bounds.height;
  return { bounds: moved ? { x, y, ...size } : { ...saved.bounds }, maximized: saved.maximized };
}
