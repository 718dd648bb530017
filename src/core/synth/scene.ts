/**
 * What the renderer draws: flat convex polygons in world coordinates, each with a Cityscapes
 * labelId, a material (how its surface is textured) and a texture frame fixed to the surface
 * (origin + two unit axes), so texture detail moves exactly with the geometry.
 */
import type { Vec3 } from './road';

import type { ShadowPolygon } from './shadows';

export type { Vec3 };

export const enum Material {
  Asphalt,
  Paving,
  Kerb,
  Plaster,
  Brick,
  Concrete,
  Fence,
  Metal,
  Sign,
  TrafficLight,
  Leaves,
  Bark,
  Grass,
  CarPaint,
  Glass,
  Tyre,
  Cloth,
  Bicycle,
  Plain,
}

export interface Face {
  /** Vertices of a convex planar polygon, in order around it. */
  readonly verts: readonly Vec3[];
  /** Unit normal pointing to the front side. */
  readonly normal: Vec3;
  /** Texture frame: surface coordinates p = (X - origin)·uAxis, q = (X - origin)·vAxis. */
  readonly origin: Vec3;
  readonly uAxis: Vec3;
  readonly vAxis: Vec3;
  readonly label: number;
  readonly material: Material;
  /** Base colour, linear 0..1. */
  readonly color: Vec3;
  /** Drawn from both sides (signs, fences, bicycles); otherwise back faces are culled. */
  readonly doubleSided: boolean;
  /** Per-face parameters for the material (seed, arc length offset, window grid ...). */
  readonly params: readonly number[];
  /** Sun shadows that may fall on this face (ground faces only). */
  readonly shadows?: readonly ShadowPolygon[];
}

/** Lighting of one sequence. */
export interface Lighting {
  /** Unit vector pointing towards the sun (world axes, y down). */
  readonly sunDir: Vec3;
  readonly sunIntensity: number;
  readonly ambient: number;
  readonly skyZenith: Vec3;
  readonly skyHorizon: Vec3;
  /** Global exposure multiplier. */
  readonly exposure: number;
  /** Aerial perspective: colours fade to the horizon colour as 1 - exp(-haze * distance in m). */
  readonly haze: number;
}

export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a: Vec3, k: number): Vec3 => [a[0] * k, a[1] * k, a[2] * k];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
export const normalize = (a: Vec3): Vec3 => {
  const n = Math.hypot(a[0], a[1], a[2]);
  return n > 0 ? [a[0] / n, a[1] / n, a[2] / n] : [0, 0, 0];
};

export interface FaceStyle {
  readonly label: number;
  readonly material: Material;
  readonly color: Vec3;
  readonly doubleSided?: boolean;
  readonly params?: readonly number[];
}

/**
 * A quad from its corners v0 v1 v2 v3 (v0->v1 is the texture u axis, v0->v3 the v axis); the
 * front normal is (v1 - v0) x (v3 - v0): for a wall seen from the front, v0 -> v1 runs left to
 * right along its base and v0 -> v3 goes up.
 */
export function quad(v0: Vec3, v1: Vec3, v2: Vec3, v3: Vec3, style: FaceStyle): Face {
  const u = normalize(sub(v1, v0));
  const w = sub(v3, v0);
  const normal = normalize(cross(u, w));
  // v axis: the part of v0->v3 orthogonal to u, so (p, q) are metric surface coordinates.
  const vAxis = normalize(sub(w, scale(u, dot(w, u))));
  return {
    verts: [v0, v1, v2, v3],
    normal,
    origin: v0,
    uAxis: u,
    vAxis,
    label: style.label,
    material: style.material,
    color: style.color,
    doubleSided: style.doubleSided ?? false,
    params: style.params ?? [],
  };
}

/**
 * The faces of an upright box standing on height `y0` (y down, so the box spans y0 - height
 * .. y0), centred at `center` (x, z), its length along the unit ground direction `dir`.
 * Bottom face omitted. Texture v axis on the sides points up from the base.
 */
export function box(
  center: Vec3,
  dir: Vec3,
  length: number,
  width: number,
  height: number,
  style: FaceStyle,
  opts: { top?: FaceStyle; front?: FaceStyle; sides?: FaceStyle; back?: FaceStyle } = {},
): Face[] {
  const f: Vec3 = [dir[0], 0, dir[2]];
  const r: Vec3 = [f[2], 0, -f[0]]; // right of f, with y down
  const hl = length / 2;
  const hw = width / 2;
  const y0 = center[1];
  const y1 = y0 - height;
  const at = (a: number, b: number, y: number): Vec3 => [
    center[0] + f[0] * a + r[0] * b,
    y,
    center[2] + f[2] * a + r[2] * b,
  ];
  // Corners on the ground: back-left, back-right, front-right, front-left.
  const bl = (y: number) => at(-hl, -hw, y);
  const br = (y: number) => at(-hl, hw, y);
  const fr = (y: number) => at(hl, hw, y);
  const fl = (y: number) => at(hl, -hw, y);
  // Each side seen from outside: left to right along the base, then up.
  return [
    quad(fr(y0), fl(y0), fl(y1), fr(y1), opts.front ?? style), // front (faces +f)
    quad(bl(y0), br(y0), br(y1), bl(y1), opts.back ?? style), // back (faces -f)
    quad(br(y0), fr(y0), fr(y1), br(y1), opts.sides ?? style), // right side (faces +r)
    quad(fl(y0), bl(y0), bl(y1), fl(y1), opts.sides ?? style), // left side (faces -r)
    quad(bl(y1), br(y1), fr(y1), fl(y1), opts.top ?? style), // top (faces up)
  ];
}
