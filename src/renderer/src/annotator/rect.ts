/**
 * Integer pixel rectangles (x, y = top-left pixel, width/height in pixels) as used for dirty
 * regions. Plain data; no DOM.
 */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The smallest rectangle holding both; either may be null (= nothing). */
export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

/** A rectangle from inclusive pixel bounds; null when empty. */
export function rectFromBounds(x0: number, y0: number, x1: number, y1: number): Rect | null {
  if (x1 < x0 || y1 < y0) return null;
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Whether pixel (px, py) lies inside r. */
export function rectContains(r: Rect, px: number, py: number): boolean {
  return px >= r.x && py >= r.y && px < r.x + r.width && py < r.y + r.height;
}
