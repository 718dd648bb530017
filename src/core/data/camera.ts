/**
 * Pinhole camera intrinsics: parsing Cityscapes' camera json, deriving intrinsics from a
 * horizontal field of view, and scaling them to a resized image.
 *
 * Convention: fx, fy, cx, cy are in pixels of an image of `width` x `height`; pixel
 * coordinates are continuous with the image spanning [0, width] x [0, height], so resizing
 * the image by a factor s multiplies all four by s (the same convention as normalised
 * intrinsics, K divided by the image size).
 */
import { existsSync, readFileSync } from 'node:fs';
import { DataError, UsageError } from '../errors';
import type { Size } from './imageIo';

export interface Intrinsics {
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
  /** Size of the image these intrinsics refer to. */
  readonly width: number;
  readonly height: number;
}

/** Intrinsics divided by the image size (fx / width, cx / width, fy / height, cy / height). */
export interface NormalizedIntrinsics {
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
}

const REQUIRED_FIELDS = ['fx', 'fy', 'u0', 'v0'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses the text of a Cityscapes camera json (`{"intrinsic": {"fx", "fy", "u0", "v0"}, ...}`)
 * whose values are in pixels of an image of `imageSize`. `file` names the source in errors.
 */
export function parseCameraJson(text: string, file: string, imageSize: Size): Intrinsics {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataError(file, `camera json is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (!isObject(json)) throw new DataError(file, 'camera json must be an object with an "intrinsic" field');
  const intrinsic = json['intrinsic'];
  if (!isObject(intrinsic)) {
    throw new DataError(file, 'camera json has no "intrinsic" object (need intrinsic.fx, fy, u0, v0 in pixels)');
  }
  const missing = REQUIRED_FIELDS.filter((k) => intrinsic[k] === undefined);
  if (missing.length > 0) {
    throw new DataError(file, `camera json is missing ${missing.map((k) => `intrinsic.${k}`).join(', ')} (need fx, fy, u0, v0 in pixels)`);
  }
  const bad = REQUIRED_FIELDS.filter((k) => typeof intrinsic[k] !== 'number' || !Number.isFinite(intrinsic[k]));
  if (bad.length > 0) {
    throw new DataError(file, `camera json: ${bad.map((k) => `intrinsic.${k} = ${JSON.stringify(intrinsic[k])}`).join(', ')} must be finite numbers`);
  }
  const k: Intrinsics = {
    fx: intrinsic['fx'] as number,
    fy: intrinsic['fy'] as number,
    cx: intrinsic['u0'] as number,
    cy: intrinsic['v0'] as number,
    width: imageSize.width,
    height: imageSize.height,
  };
  checkIntrinsics(k, file);
  return k;
}

/** Reads a Cityscapes camera json file; see parseCameraJson. */
export function readCameraJson(path: string, imageSize: Size): Intrinsics {
  if (!existsSync(path)) throw new DataError(path, 'camera json not found');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(path, `cannot read camera json: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return parseCameraJson(text, path, imageSize);
}

/**
 * Checks that focal lengths are positive and the principal point lies inside the image it
 * refers to (a principal point outside usually means intrinsics of another resolution).
 */
export function checkIntrinsics(k: Intrinsics, file: string): void {
  if (!(k.width > 0 && k.height > 0)) throw new DataError(file, `intrinsics refer to an image of ${k.width}x${k.height} pixels`);
  if (!(k.fx > 0 && k.fy > 0)) throw new DataError(file, `focal lengths must be positive (fx ${k.fx}, fy ${k.fy})`);
  if (!(k.cx > 0 && k.cx < k.width && k.cy > 0 && k.cy < k.height)) {
    throw new DataError(
      file,
      `principal point (${k.cx}, ${k.cy}) lies outside the ${k.width}x${k.height} image: are these intrinsics for another resolution?`,
    );
  }
}

/**
 * Intrinsics of an ideal pinhole camera (square pixels, principal point at the image centre)
 * with the given horizontal field of view in degrees.
 */
export function intrinsicsFromHorizontalFov(fovDegrees: number, size: Size): Intrinsics {
  if (!(fovDegrees > 0 && fovDegrees < 180)) {
    throw new UsageError(`horizontal field of view must be between 0 and 180 degrees (got ${fovDegrees})`);
  }
  if (!(size.width > 0 && size.height > 0)) throw new UsageError(`image size must be positive (got ${size.height}x${size.width})`);
  const f = size.width / 2 / Math.tan((fovDegrees * Math.PI) / 360);
  return { fx: f, fy: f, cx: size.width / 2, cy: size.height / 2, width: size.width, height: size.height };
}

/** Intrinsics of the same camera after resizing its image to `to` (each axis on its own). */
export function scaleIntrinsics(k: Intrinsics, to: Size): Intrinsics {
  if (!(to.width > 0 && to.height > 0)) throw new UsageError(`image size must be positive (got ${to.height}x${to.width})`);
  const sx = to.width / k.width;
  const sy = to.height / k.height;
  return { fx: k.fx * sx, fy: k.fy * sy, cx: k.cx * sx, cy: k.cy * sy, width: to.width, height: to.height };
}

export function normalizeIntrinsics(k: Intrinsics): NormalizedIntrinsics {
  return { fx: k.fx / k.width, fy: k.fy / k.height, cx: k.cx / k.width, cy: k.cy / k.height };
}

/** The 3x3 camera matrix K, row-major. */
export function intrinsicsMatrix(k: Intrinsics): number[] {
  return [k.fx, 0, k.cx, 0, k.fy, k.cy, 0, 0, 1];
}
