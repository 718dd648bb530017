/**
 * Mask -> RGBA pixels for display, written into a caller-provided Uint8ClampedArray (the
 * `data` of an ImageData the size of the mask), for the whole mask or only a dirty
 * rectangle. Painting a stroke on a 2048x1024 frame then converts and uploads only the few
 * hundred pixels the stroke touched. Plain TypeScript, no DOM.
 *
 * Colours come from a 256-entry lookup table (one RGBA word per byte value) built once per
 * palette/opacity; values without a colour (unused byte values) are transparent. Ignore
 * (255) is transparent, or, with `ignoreStyle: 'hatched'`, thin grey diagonal stripes.
 */
import { IGNORE_ID, type Rgb } from './classes';
import type { Rect } from './rect';

export type IgnoreStyle = 'transparent' | 'hatched';

export interface MaskPalette {
  /** RGBA words (in the platform's byte order) for byte values 0..255. */
  readonly lut: Uint32Array;
  readonly ignoreStyle: IgnoreStyle;
  /** RGBA word of a hatch stripe pixel. */
  readonly hatch: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function packRgba(r: number, g: number, b: number, a: number): number {
  return LITTLE_ENDIAN
    ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/**
 * A palette for `colors` (indexed by class id: the label set's colours, classTable().colors)
 * with alpha = opacity (0..1) for every class.
 */
export function buildMaskPalette(colors: readonly Rgb[], opacity = 1, ignoreStyle: IgnoreStyle = 'transparent'): MaskPalette {
  if (!(opacity >= 0 && opacity <= 1)) throw new RangeError(`opacity must be in 0..1, got ${opacity}`);
  const alpha = Math.round(opacity * 255);
  const lut = new Uint32Array(256); // 0 = transparent
  colors.forEach(([r, g, b], id) => {
    if (id !== IGNORE_ID) lut[id] = packRgba(r, g, b, alpha);
  });
  return { lut, ignoreStyle, hatch: packRgba(160, 160, 160, Math.round(alpha * 0.5)) };
}

/**
 * Writes the RGBA pixels of `rect` (default: the whole mask) of a width x height mask into
 * `out`, a width x height x 4 RGBA buffer; pixels outside `rect` are left as they are.
 */
export function renderMaskRgba(
  mask: Uint8Array,
  width: number,
  height: number,
  palette: MaskPalette,
  out: Uint8ClampedArray,
  rect: Rect = { x: 0, y: 0, width, height },
): void {
  if (mask.length !== width * height) {
    throw new RangeError(`mask has ${mask.length} bytes, expected ${width}x${height}`);
  }
  if (out.length !== width * height * 4) {
    throw new RangeError(`RGBA buffer has ${out.length} bytes, expected ${width}x${height}x4`);
  }
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(width, rect.x + rect.width);
  const y1 = Math.min(height, rect.y + rect.height);
  if (x1 <= x0 || y1 <= y0) return;
  const words =
    out.byteOffset % 4 === 0
      ? new Uint32Array(out.buffer, out.byteOffset, width * height)
      : null;
  const { lut, hatch } = palette;
  const hatched = palette.ignoreStyle === 'hatched';
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) {
      const v = mask[row + x];
      let word = lut[v];
      if (hatched && v === IGNORE_ID && ((x + y) & 7) < 2) word = hatch;
      if (words) {
        words[row + x] = word;
      } else {
        const o = (row + x) * 4;
        out[o] = LITTLE_ENDIAN ? word & 255 : word >>> 24;
        out[o + 1] = LITTLE_ENDIAN ? (word >>> 8) & 255 : (word >>> 16) & 255;
        out[o + 2] = LITTLE_ENDIAN ? (word >>> 16) & 255 : (word >>> 8) & 255;
        out[o + 3] = LITTLE_ENDIAN ? word >>> 24 : word & 255;
      }
    }
  }
}
