/**
 * Hash-based value noise for procedural textures. Everything is a pure function of integer
 * lattice coordinates and a seed, so a texture fixed to a surface looks the same from every
 * frame (and on every run).
 */

/** Integer hash of (x, y, seed) to [0, 1). */
export function hash2(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Smoothly interpolated value noise in [0, 1) with one lattice cell per unit. */
export function valueNoise(x: number, y: number, seed: number): number {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  const fx = x - xi;
  const fy = y - yi;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = hash2(xi, yi, seed);
  const b = hash2(xi + 1, yi, seed);
  const c = hash2(xi, yi + 1, seed);
  const d = hash2(xi + 1, yi + 1, seed);
  const top = a + (b - a) * sx;
  const bottom = c + (d - c) * sx;
  return top + (bottom - top) * sy;
}

/**
 * How much of a pattern with the given period (metres) survives at a pixel footprint
 * (metres per pixel): 1 when the period spans 4 or more pixels, fading to 0 at 1.5 pixels, so
 * distant detail turns into its mean instead of flickering between frames.
 */
export function detailWeight(period: number, footprint: number): number {
  const pixels = period / footprint;
  if (pixels >= 4) return 1;
  if (pixels <= 1.5) return 0;
  return (pixels - 1.5) / 2.5;
}

/** Two octaves of value noise centred on 0 (about -0.5..0.5), the finer one faded by distance. */
export function grain(x: number, y: number, freq: number, seed: number, footprint: number): number {
  const wc = detailWeight(1 / freq, footprint);
  if (wc === 0) return 0;
  const coarse = (valueNoise(x * freq, y * freq, seed) - 0.5) * wc;
  const w = detailWeight(1 / (freq * 4), footprint);
  if (w === 0) return coarse * 0.7;
  const fine = valueNoise(x * freq * 4, y * freq * 4, seed + 17) - 0.5;
  return coarse * 0.7 + fine * 0.5 * w;
}

/**
 * Contrast left for a thin feature (a joint, a grout line) of the given width at a pixel
 * footprint: features thinner than about two pixels fade out rather than sparkle.
 */
export function lineWeight(width: number, footprint: number): number {
  const pixels = width / footprint;
  if (pixels >= 2) return 1;
  if (pixels <= 0.8) return 0;
  return (pixels - 0.8) / 1.2;
}
