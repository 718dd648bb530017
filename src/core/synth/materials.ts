/**
 * Procedural surface textures. Each material maps surface coordinates (p, q) in metres (the
 * face's texture frame, fixed to the surface) to a colour before lighting, or discards the
 * pixel (holes in fences, leaves, bicycle frames, round signs). `footprint` is the size of the
 * pixel on the surface in metres; fine detail fades with it so distant texture does not
 * flicker.
 *
 * Parameter layouts (Face.params) per material are documented at each case below.
 */
import { detailWeight, grain, hash2, lineWeight, valueNoise } from './noise';
import { Material, type Face } from './scene';

/** Colour written by shade(), 0..1 per channel before lighting. */
export const shaded = new Float64Array(3);

const frac = (x: number): number => x - Math.floor(x);

function set(r: number, g: number, b: number): true {
  shaded[0] = r;
  shaded[1] = g;
  shaded[2] = b;
  return true;
}

function tinted(face: Face, k: number): true {
  return set(face.color[0] * k, face.color[1] * k, face.color[2] * k);
}

/** Distance from point (x, y) to the segment (ax, ay)-(bx, by). */
function segDist(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/** Coverage of a line of half width `half` at distance `dist`, smoothed over fw. */
function band(dist: number, half: number, fw: number): number {
  return Math.max(0, Math.min(1, (half - dist) / fw + 0.5));
}

/** Coverage of dashes (on for the first `duty` of each unit period of x), smoothed over fw (in x units). */
function dash(x: number, duty: number, fw: number): number {
  const f = frac(x);
  if (f < duty) return Math.min(1, Math.min(f, duty - f) / fw + 0.5);
  return Math.max(0, 0.5 - Math.min(f - duty, 1 - f) / fw);
}

/** Colour of the window at the last windowCover() call. */
const win = new Float64Array(3);

/** Coverage 0..1 of x in [0, w] smoothed over fw (a box filter of a step at each end). */
function cover(x: number, w: number, fw: number): number {
  return Math.max(0, Math.min(1, x / fw + 0.5, (w - x) / fw + 0.5));
}

/**
 * Façade windows: params [seed, faceWidth, spacing, winWidth, floorHeight, winHeight, shopFront].
 * Returns how much of the pixel a window covers (edges smoothed over the pixel footprint, so
 * windows do not stair-step), with its colour in `win`.
 */
function windowCover(face: Face, p: number, q: number, foot: number): number {
  const pr = face.params;
  const width = pr[1]!;
  const spacing = pr[2]!;
  if (spacing <= 0 || p < 0.5 || p > width - 0.5 || q < 0.7) return 0;
  const floorH = pr[4]!;
  const winW = pr[3]!;
  const winH = pr[5]!;
  const shop = pr[6]! > 0 && q < floorH;
  const n = Math.floor((width - 1.2) / spacing);
  if (n < 1) return 0;
  const start = (width - n * spacing) / 2;
  const fp = p - start;
  if (fp < -0.3 || fp >= n * spacing + 0.3) return 0;
  const col = Math.max(0, Math.min(n - 1, Math.floor(fp / spacing)));
  const inCell = fp - col * spacing;
  const w = shop ? spacing - 0.3 : winW;
  const h = shop ? floorH - 1.0 : winH;
  const x = inCell - (spacing - w) / 2;
  const floor = Math.floor(q / floorH);
  const y = shop ? q - 0.3 : q - floor * floorH - (floorH - winH) * 0.6;
  const fw = Math.max(foot * 0.6, 0.005);
  const a = cover(x, w, fw) * cover(y, h, fw);
  if (a === 0) return 0;
  const border = 0.09;
  const glass = cover(x - border, w - 2 * border, fw) * cover(y - border, h - 2 * border, fw);
  const cell = hash2(col, floor, pr[0]!);
  const yy = Math.max(0, Math.min(1, y / h));
  const refl = 0.25 + 0.35 * yy + 0.2 * cell;
  const curtain = cell > 0.7 ? 0.35 * Math.max(0, Math.min(1, (yy - 0.55) * h / fw + 0.5)) : 0;
  const fr = 0.8;
  win[0] = fr * (1 - glass) + (0.16 * refl + curtain * 0.9) * glass;
  win[1] = fr * (1 - glass) + (0.2 * refl + curtain * 0.8) * glass;
  win[2] = fr * 0.95 * (1 - glass) + (0.28 * refl + curtain * 0.6) * glass;
  return a;
}

/** Blends the window colour over the wall colour already in `shaded`. */
function withWindows(face: Face, p: number, q: number, foot: number): true {
  const a = windowCover(face, p, q, foot);
  if (a > 0) {
    shaded[0] = shaded[0]! * (1 - a) + win[0]! * a;
    shaded[1] = shaded[1]! * (1 - a) + win[1]! * a;
    shaded[2] = shaded[2]! * (1 - a) + win[2]! * a;
  }
  return true;
}

/** Whether a double-sided face is seen from its back (set by the rasteriser per face). */
export const view = { back: false };

export function shade(face: Face, p: number, q: number, foot: number): boolean {
  const pr = face.params;
  switch (face.material) {
    case Material.Asphalt: {
      // params [seed, s0, dLeft, laneWidth, lanesPerDirection, parkingWidth]; p = d - dLeft, q = s - s0
      const d = pr[2]! + p;
      const s = pr[1]! + q;
      const lane = pr[3]!;
      const lanes = pr[4]!;
      const edge = lane * lanes;
      const ad = Math.abs(d);
      const half = 0.06;
      // Markings with edges smoothed over the pixel footprint (analytic anti-aliasing), so
      // they warp between frames like the rest of the surface instead of stair-stepping.
      const fw = Math.max(foot * 0.5, 0.01);
      let m = band(ad, half, fw) * dash(s / 9, 0.35, fw / 9); // dashed centre line
      if (lanes > 1) m = Math.max(m, band(Math.abs(ad - lane), half, fw) * dash(s / 6 + 0.5, 0.3, fw / 6));
      m = Math.max(m, band(Math.abs(ad - edge), half * 1.3, fw)); // solid edge line
      const pw = pr[5]!;
      if (pw > 0 && ad > edge && ad < edge + pw) m = Math.max(m, 1 - Math.min(1, frac(s / 5.5 + 0.015) * 5.5 / Math.max(0.06, fw)) ); // bay dividers
      const g = grain(d, s, 1.2, pr[0]!, foot);
      const patch = valueNoise(d * 0.25, s * 0.12, pr[0]! + 5) - 0.5;
      // darker wheel tracks in each lane, a smooth profile across it
      const inLane = ad < edge ? frac(ad / lane) - 0.5 : 0;
      const track = Math.max(0, 1 - Math.abs(Math.abs(inLane) - 0.27) / 0.1) * 0.12;
      const k = 1 + 0.6 * g + 0.5 * patch - track;
      const wear = 0.85 + 0.15 * g;
      return set(
        face.color[0] * k * (1 - m) + 0.86 * wear * m,
        face.color[1] * k * (1 - m) + 0.86 * wear * m,
        face.color[2] * k * (1 - m) + 0.82 * wear * m,
      );
    }
    case Material.Paving: {
      // params [seed, s0, dLeft, tile]; sidewalk slabs in road coordinates
      const d = pr[2]! + p;
      const s = pr[1]! + q;
      const tile = pr[3]!;
      const td = d / tile;
      const ts = s / tile;
      const jw = lineWeight(tile * 0.06, foot);
      const joint = jw > 0 && (frac(td) < 0.06 || frac(ts) < 0.06);
      const t = (hash2(Math.floor(td), Math.floor(ts), pr[0]!) - 0.5) * detailWeight(tile, foot);
      const g = grain(d, s, 1.5, pr[0]! + 3, foot);
      return tinted(face, joint ? 1 - 0.35 * jw : 1 + 0.25 * t + 0.5 * g);
    }
    case Material.Kerb: {
      // params [seed, s0]; p along the kerb (face u axis), q across
      const s = pr[1]! + p;
      const jw = lineWeight(0.03, foot);
      const joint = frac(s) < 0.03 && jw > 0;
      const t = (hash2(Math.floor(s), 0, pr[0]!) - 0.5) * detailWeight(1, foot);
      return tinted(face, (joint ? 1 - 0.3 * jw : 1 + 0.12 * t) + 0.2 * grain(s, q, 5, pr[0]!, foot));
    }
    case Material.Plaster:
    case Material.Brick: {
      // params: see windowCover()
      const seed = pr[0]!;
      const stain = valueNoise(p * 0.4, q * 0.6, seed + 9) - 0.5;
      if (face.material === Material.Brick) {
        const rowH = 0.3;
        const row = Math.floor(q / rowH);
        const x = p / 0.6 + (row & 1) * 0.5;
        const jw = lineWeight(rowH * 0.12, foot);
        const joint = jw > 0 && (frac(q / rowH) < 0.12 || frac(x) < 0.06);
        const b = (hash2(Math.floor(x), row, seed) - 0.5) * detailWeight(rowH, foot);
        tinted(face, joint ? 1 - 0.4 * jw : 1 + 0.3 * b + 0.3 * stain + 0.15 * grain(p, q, 3, seed, foot));
        return withWindows(face, p, q, foot);
      }
      tinted(face, 1 + 0.45 * stain + 0.3 * grain(p, q, 1.5, seed, foot));
      return withWindows(face, p, q, foot);
    }
    case Material.Concrete: {
      // params [seed]; block wall 0.8 x 0.4 m
      const seed = pr[0]!;
      const row = Math.floor(q / 0.4);
      const x = p / 0.8 + (row & 1) * 0.5;
      const jw = lineWeight(0.025, foot);
      const joint = jw > 0 && (frac(q / 0.4) < 0.06 || frac(x) < 0.03);
      const b = (hash2(Math.floor(x), row, seed) - 0.5) * detailWeight(0.4, foot);
      const g = grain(p, q, 3, seed, foot);
      return tinted(face, joint ? 1 - 0.35 * jw : 1 + 0.2 * b * jw + 0.3 * g);
    }
    case Material.Fence: {
      // params [seed, height]; pickets 0.09 m every 0.2 m, rails at 0.25 and height - 0.25
      const h = pr[1]!;
      const rail = Math.abs(q - 0.25) < 0.05 || Math.abs(q - (h - 0.25)) < 0.05;
      const post = frac(p / 2.4) < 0.05;
      // pickets finer than about 1.5 pixels are drawn as a solid panel instead of sparkling holes
      const picket = detailWeight(0.2, foot) === 0 || frac(p / 0.2) < 0.45;
      if (!rail && !post && !picket) return false;
      const g = grain(p, q * 0.2, 8, pr[0]!, foot);
      return tinted(face, (post ? 0.85 : rail ? 0.9 : 1) + 0.3 * g);
    }
    case Material.Metal: {
      const g = valueNoise(p * 8, q * 0.7, pr[0] ?? 1) - 0.5;
      return tinted(face, 1 + 0.25 * g);
    }
    case Material.Sign: {
      // params [seed, shape (0 round, 1 square), size]; p, q across the plate from one corner
      const size = pr[2]!;
      const x = p / size - 0.5;
      const y = q / size - 0.5;
      if (pr[1] === 0 && x * x + y * y > 0.25) return false;
      if (view.back) return set(0.55, 0.56, 0.58);
      if (pr[1] === 0) {
        const r = Math.hypot(x, y);
        if (r > 0.38) return set(0.8, 0.1, 0.1);
        if (Math.abs(y) < 0.08 && Math.abs(x) < 0.28) return set(0.1, 0.1, 0.1);
        return set(0.92, 0.92, 0.9);
      }
      const m = Math.max(Math.abs(x), Math.abs(y));
      if (m > 0.42) return set(0.93, 0.93, 0.93);
      if (Math.abs(x) < 0.08 && y > -0.3 && y < 0.25) return set(0.95, 0.95, 0.95);
      return tinted(face, 1);
    }
    case Material.TrafficLight: {
      // params [seed, lit (0 red, 1 amber, 2 green)]; front face 0.3 x 0.8 m, q from the bottom
      const lit = pr[1]!;
      for (let i = 0; i < 3; i++) {
        const cy = 0.65 - i * 0.25;
        if (Math.hypot(p - 0.15, q - cy) < 0.09) {
          const on = i === lit ? 1 : 0.18;
          if (i === 0) return set(1 * on, 0.15 * on, 0.1 * on);
          if (i === 1) return set(1 * on, 0.7 * on, 0.1 * on);
          return set(0.2 * on, 1 * on, 0.4 * on);
        }
      }
      return tinted(face, 1);
    }
    case Material.Leaves: {
      // params [seed, width, height]; ragged outline: discard near the face border where noise is low
      const seed = pr[0]!;
      const w = pr[1]!;
      const h = pr[2]!;
      const edge = Math.min(p, w - p, q, h - q) / Math.min(w, h);
      const n = valueNoise(p * 1.3, q * 1.3, seed);
      if (edge < 0.22 && n < 0.75 - edge * 3) return false;
      const leaf = (valueNoise(p * 4, q * 4, seed + 2) - 0.5) * detailWeight(0.25, foot);
      const k = 0.7 + 0.6 * n + 0.6 * leaf;
      return set(face.color[0] * k, face.color[1] * k, face.color[2] * k);
    }
    case Material.Bark: {
      const g = valueNoise(p * 6, q * 1.2, pr[0] ?? 3) - 0.5;
      return tinted(face, 1 + 0.4 * g);
    }
    case Material.Grass: {
      // params [seed, s0, dLeft] in road coordinates when on the ground
      const d = (pr[2] ?? 0) + p;
      const s = (pr[1] ?? 0) + q;
      const g = grain(d, s, 2.2, pr[0]!, foot);
      const dry = valueNoise(d * 0.4, s * 0.4, pr[0]! + 4);
      return set(
        face.color[0] * (1 + 0.6 * g) + 0.2 * dry,
        face.color[1] * (1 + 0.6 * g),
        face.color[2] * (1 + 0.4 * g) + 0.04 * dry,
      );
    }
    case Material.CarPaint: {
      const g = valueNoise(p * 2, q * 2, pr[0] ?? 7) - 0.5;
      const shine = q > 0.55 ? 1.12 : 1;
      return tinted(face, shine + 0.1 * g);
    }
    case Material.Glass: {
      const g = valueNoise(p * 1.5, q * 3, pr[0] ?? 11);
      return set(0.1 + 0.15 * g, 0.12 + 0.16 * g, 0.16 + 0.2 * g);
    }
    case Material.Tyre:
      return set(0.06, 0.06, 0.07);
    case Material.Cloth: {
      const g = valueNoise(p * 10, q * 10, pr[0] ?? 13) - 0.5;
      return tinted(face, 1 + 0.25 * g * detailWeight(0.1, foot));
    }
    case Material.Bicycle: {
      // params [seed]; side profile 1.7 x 1.0 m, q up from the ground
      const ring = (cx: number) => Math.abs(Math.hypot(p - cx, q - 0.34) - 0.31) < 0.045;
      const bar =
        segDist(p, q, 0.36, 0.34, 0.72, 0.88) < 0.04 ||
        segDist(p, q, 0.72, 0.88, 0.8, 0.32) < 0.04 ||
        segDist(p, q, 0.36, 0.34, 0.8, 0.32) < 0.04 ||
        segDist(p, q, 0.72, 0.86, 1.26, 0.86) < 0.04 ||
        segDist(p, q, 0.8, 0.32, 1.26, 0.86) < 0.04 ||
        segDist(p, q, 1.26, 0.86, 1.36, 0.34) < 0.04 ||
        segDist(p, q, 1.2, 1.0, 1.32, 0.92) < 0.05;
      if (bar) return tinted(face, 1);
      if (ring(0.36) || ring(1.36)) return set(0.07, 0.07, 0.08);
      return false;
    }
    case Material.Plain:
    default: {
      const g = valueNoise(p * 3, q * 3, pr[0] ?? 17) - 0.5;
      return tinted(face, 1 + 0.15 * g);
    }
  }
}
