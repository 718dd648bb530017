/**
 * Sun shadows of the static boxes (buildings, walls, tree crowns, hedges) on the ground: each
 * box's shadow is the convex hull of its corners projected along the sun direction onto the
 * ground plane, kept as half-planes with a bounding box. Ground faces keep the few shadows
 * that overlap them, so a pixel tests only those. Shadows are fixed in the world, so they move
 * with the geometry like any texture.
 */
import type { Vec3 } from './road';

export interface ShadowPolygon {
  readonly minX: number;
  readonly maxX: number;
  readonly minZ: number;
  readonly maxZ: number;
  /** Inside when nx[i] * x + nz[i] * z <= c[i] for every edge i. */
  readonly nx: Float64Array;
  readonly nz: Float64Array;
  readonly c: Float64Array;
}

/** Convex hull (counter-clockwise in x-z) of 2D points, monotone chain. */
function hull(points: [number, number][]): [number, number][] {
  const pts = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * The shadow on the ground plane y = groundY of solid whose corners are `corners` (world, y
 * down), lit from `sunDir` (unit, pointing to the sun, sunDir[1] < 0). Null when the sun is
 * too low to give a bounded shadow.
 */
export function shadowOf(corners: readonly Vec3[], sunDir: Vec3, groundY: number): ShadowPolygon | null {
  if (sunDir[1] > -0.05) return null;
  const pts: [number, number][] = corners.map((v) => {
    const t = (v[1] - groundY) / sunDir[1]; // >= 0 for points above the ground
    return [v[0] - t * sunDir[0], v[2] - t * sunDir[2]];
  });
  const h = hull(pts);
  if (h.length < 3) return null;
  const n = h.length;
  const nx = new Float64Array(n);
  const nz = new Float64Array(n);
  const c = new Float64Array(n);
  let minX = Infinity;
  let maxX = -Infinity;
  let minZ = Infinity;
  let maxZ = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = h[i]!;
    const b = h[(i + 1) % n]!;
    // counter-clockwise hull: inside is to the left of a->b; outward normal (dy, -dx)
    nx[i] = b[1] - a[1];
    nz[i] = -(b[0] - a[0]);
    c[i] = nx[i]! * a[0] + nz[i]! * a[1];
    minX = Math.min(minX, a[0]);
    maxX = Math.max(maxX, a[0]);
    minZ = Math.min(minZ, a[1]);
    maxZ = Math.max(maxZ, a[1]);
  }
  return { minX, maxX, minZ, maxZ, nx, nz, c };
}

export function inShadow(list: readonly ShadowPolygon[], x: number, z: number): boolean {
  for (let k = 0; k < list.length; k++) {
    const s = list[k]!;
    if (x < s.minX || x > s.maxX || z < s.minZ || z > s.maxZ) continue;
    let inside = true;
    for (let i = 0; i < s.nx.length; i++) {
      if (s.nx[i]! * x + s.nz[i]! * z > s.c[i]!) {
        inside = false;
        break;
      }
    }
    if (inside) return true;
  }
  return false;
}

/** The shadows whose bounding box overlaps the x-z bounding box of `verts`. */
export function shadowsOver(all: readonly ShadowPolygon[], verts: readonly Vec3[]): ShadowPolygon[] {
  let minX = Infinity;
  let maxX = -Infinity;
  let minZ = Infinity;
  let maxZ = -Infinity;
  for (const v of verts) {
    minX = Math.min(minX, v[0]);
    maxX = Math.max(maxX, v[0]);
    minZ = Math.min(minZ, v[2]);
    maxZ = Math.max(maxZ, v[2]);
  }
  return all.filter((s) => s.maxX >= minX && s.minX <= maxX && s.maxZ >= minZ && s.minZ <= maxZ);
}
