/**
 * Carrying a finished mask to a neighbouring frame of its clip: every pixel of the neighbour
 * (the target) is back-projected with its depth, moved into the finished frame's camera (the
 * source) and looks up the source's class there (nearest pixel). It is the inverse warp of the
 * SDE photometric loss (src/core/ml/geometry: backproject, project, bilinearSample, with T
 * taking target camera points to the source camera), used on labels instead of colours.
 *
 * A pixel is left unpainted (IGNORE_ID), never guessed, where:
 * - it lands outside the source frame or behind its camera (out of view);
 * - the source sees something else there: the point's depth in the source camera disagrees
 *   with the source's own depth at that place by more than `depthTolerance` (relative), i.e.
 *   the point was hidden in the source (disoccluded in the target) or the depth is unsure at
 *   an edge (the z-buffer consistency check);
 * - the source pixel is marked as moving in `moving` (where the caller knows);
 * - the colours disagree (where both frames' images are given): the rigid-scene assumption
 *   the SDE loss itself makes. Both images are blurred with a 3x3 box first (noise, aliasing
 *   and a sub-pixel error of the warp on fine texture average out); the blurred source is
 *   sampled bilinearly where the target pixel lands, and a mean absolute RGB difference
 *   (over the three channels, 0..255) above `colourTolerance` leaves the pixel unpainted as
 *   a `mismatch`: something moved there (a car, a person) or the depth or motion is wrong;
 * - the source pixel is unlabelled.
 *
 * Intrinsics follow src/core/data/camera (the image spans [0, width], pixel u's centre at
 * u + 0.5); geometry puts pixel centres on integers, so its principal point is half a pixel
 * less.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Intrinsics } from '../data/camera';
import { UsageError } from '../errors';
import { IGNORE_ID } from '../labels';
import { MAX_DEPTH, MIN_DEPTH, backproject, bilinearSample, invertIntrinsics, project } from '../ml/geometry';

/** Relative depth difference up to which the source is taken to see the same surface (exact depth). */
export const DEFAULT_DEPTH_TOLERANCE = 0.05;
/**
 * The same for a network's predicted depth, which is coarser: 0.05 left two thirds of the
 * frame unpainted with the tiny SDE network without raising agreement
 * (docs/results/2026-12-03-annotate.md, propagation).
 */
export const PREDICTED_DEPTH_TOLERANCE = 0.15;

/**
 * Mean absolute RGB difference (0..255, of the 3x3-blurred frames) above which a target pixel
 * is taken not to show what the source showed there. From bench:annotate's sweep over 6..24
 * (docs/results/2026-12-03-annotate.md, "The colour check"): with the tiny SDE network's
 * motion it cuts the wrongly carried pixels from 6.6% of the frame to 1.2% while exact motion
 * loses only 2.3 points of the frame painted; lower values leave more of a right warp.
 */
export const DEFAULT_COLOUR_TOLERANCE = 12;

export interface PropagationInput {
  readonly width: number;
  readonly height: number;
  /** The finished frame's class ids, row-major, IGNORE_ID where unlabelled. */
  readonly sourceMask: Uint8Array;
  /** z-depth (along the optical axis) of both frames at width x height; 0 or not finite = no depth (sky), taken as far. */
  readonly sourceDepth: ArrayLike<number>;
  readonly targetDepth: ArrayLike<number>;
  /** The camera, at width x height. */
  readonly intrinsics: Intrinsics;
  /** 4x4 row-major rigid transform of target camera points into the source camera (x_s = R x_t + t), geometry's T. */
  readonly targetToSource: readonly number[];
  /** Source pixels known to move between the frames (non-zero): never carried. */
  readonly moving?: Uint8Array;
  readonly depthTolerance?: number;
  /**
   * Both frames' images, RGB bytes interleaved at width x height, for the colour check (see
   * the file's comment); without them no pixel is left for its colour.
   */
  readonly sourceImage?: Uint8Array;
  readonly targetImage?: Uint8Array;
  /** Mean absolute RGB difference (0..255) up to which the colours agree; DEFAULT_COLOUR_TOLERANCE. */
  readonly colourTolerance?: number;
}

export interface Propagation {
  /** The target's proposal: class ids, IGNORE_ID where unpainted. */
  readonly mask: Uint8Array;
  /** Pixels painted, and the unpainted ones by reason (each pixel counted once, first reason wins). */
  readonly painted: number;
  readonly outOfView: number;
  readonly occluded: number;
  readonly unlabelled: number;
  readonly moving: number;
  /** Left because the colours disagree (the colour check; 0 without images). */
  readonly mismatch: number;
}

/** Depth as the warp takes it: within [MIN_DEPTH, MAX_DEPTH]; none (0, sky, not finite) counts as far. */
function clampedDepth(d: ArrayLike<number>): Float32Array {
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    out[i] = Number.isFinite(v) && v > 0 ? Math.min(MAX_DEPTH, Math.max(MIN_DEPTH, v)) : MAX_DEPTH;
  }
  return out;
}

function check(p: PropagationInput): void {
  const { width: w, height: h } = p;
  const n = w * h;
  if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new UsageError(`propagation: the frame size must be whole pixels, got ${w}x${h}`);
  const sizes: [string, number | undefined][] = [
    ['sourceMask', p.sourceMask.length],
    ['sourceDepth', p.sourceDepth.length],
    ['targetDepth', p.targetDepth.length],
    ['moving', p.moving?.length],
    ['sourceImage', p.sourceImage && p.sourceImage.length / 3],
    ['targetImage', p.targetImage && p.targetImage.length / 3],
  ];
  for (const [name, len] of sizes) {
    if (len === undefined || len === n) continue;
    if (name.endsWith('Image')) throw new UsageError(`propagation: ${name} has ${len * 3} bytes, a ${w}x${h} RGB frame needs ${n * 3}`);
    throw new UsageError(`propagation: ${name} has ${len} values, a ${w}x${h} frame needs ${n}`);
  }
  if (!p.sourceImage !== !p.targetImage) {
    throw new UsageError(`propagation: the colour check needs both frames' images, got only ${p.sourceImage ? 'sourceImage' : 'targetImage'}`);
  }
  if (p.intrinsics.width !== w || p.intrinsics.height !== h) {
    throw new UsageError(`propagation: the intrinsics are for ${p.intrinsics.width}x${p.intrinsics.height}, the frames are ${w}x${h}: scale them first`);
  }
  if (p.targetToSource.length !== 16 || !p.targetToSource.every(Number.isFinite)) {
    throw new UsageError('propagation: targetToSource must be 16 finite numbers (a 4x4 row-major transform)');
  }
  const tol = p.depthTolerance ?? DEFAULT_DEPTH_TOLERANCE;
  if (!(tol > 0)) throw new UsageError(`propagation: depthTolerance must be positive, got ${tol}`);
  const colour = p.colourTolerance ?? DEFAULT_COLOUR_TOLERANCE;
  if (!(colour >= 0 && colour <= 255)) throw new UsageError(`propagation: colourTolerance must be within 0..255, got ${colour}`);
}

/** An RGB image (interleaved bytes) blurred with a 3x3 box, edges clamped, as floats. */
function boxBlur3(rgb: Uint8Array, w: number, h: number): Float32Array {
  const rows = new Float32Array(rgb.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = 3 * (y * w + Math.max(0, x - 1));
      const m = 3 * (y * w + x);
      const r = 3 * (y * w + Math.min(w - 1, x + 1));
      for (let c = 0; c < 3; c++) rows[m + c] = rgb[l + c]! + rgb[m + c]! + rgb[r + c]!;
    }
  }
  const out = new Float32Array(rgb.length);
  for (let y = 0; y < h; y++) {
    const up = 3 * w * Math.max(0, y - 1);
    const here = 3 * w * y;
    const down = 3 * w * Math.min(h - 1, y + 1);
    for (let j = 0; j < 3 * w; j++) out[here + j] = (rows[up + j]! + rows[here + j]! + rows[down + j]!) / 9;
  }
  return out;
}

/** The finished frame's mask carried to the target frame; see the file's comment. */
export async function propagateMask(p: PropagationInput): Promise<Propagation> {
  check(p);
  const { width: w, height: h, intrinsics: k } = p;
  const n = w * h;
  const tol = p.depthTolerance ?? DEFAULT_DEPTH_TOLERANCE;
  const colourTol = p.colourTolerance ?? DEFAULT_COLOUR_TOLERANCE;
  const targetBlurred = p.targetImage && boxBlur3(p.targetImage, w, h);
  const [pixelsT, zT, seenT, validT, colourT] = tf.tidy(() => {
    const K = tf.tensor3d([k.fx, 0, k.cx - 0.5, 0, k.fy, k.cy - 0.5, 0, 0, 1], [1, 3, 3]);
    const T = tf.tensor3d(Array.from(p.targetToSource), [1, 4, 4]);
    const points = backproject(tf.tensor4d(clampedDepth(p.targetDepth), [1, h, w, 1]), invertIntrinsics(K));
    const { pixels, z } = project(points, K, T);
    const { sampled, valid } = bilinearSample(tf.tensor4d(clampedDepth(p.sourceDepth), [1, h, w, 1]), pixels);
    // The blurred source's colour where each target pixel lands.
    const colour = p.sourceImage ? bilinearSample(tf.tensor4d(boxBlur3(p.sourceImage, w, h), [1, h, w, 3]), pixels).sampled : tf.zeros([1]);
    return [pixels, z, sampled, valid, colour];
  });
  let xy: Float32Array;
  let z: Float32Array;
  let seen: Float32Array;
  let valid: Float32Array;
  let sourceColour: Float32Array;
  try {
    [xy, z, seen, valid, sourceColour] = (await Promise.all([pixelsT.data(), zT.data(), seenT.data(), validT.data(), colourT.data()])) as Float32Array[];
  } finally {
    tf.dispose([pixelsT, zT, seenT, validT, colourT]);
  }
  const mask = new Uint8Array(n).fill(IGNORE_ID);
  let painted = 0;
  let outOfView = 0;
  let occluded = 0;
  let unlabelled = 0;
  let moving = 0;
  let mismatch = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i]!;
    if (!(valid[i]! > 0 && zi > 0 && Number.isFinite(zi))) {
      outOfView++;
      continue;
    }
    // The source's depth there (at most MAX_DEPTH): a point past it counts as far as well.
    const ds = seen[i]!;
    if (Math.abs(Math.min(zi, MAX_DEPTH) - ds) > tol * ds) {
      occluded++;
      continue;
    }
    const s = Math.round(xy[n + i]!) * w + Math.round(xy[i]!);
    if (p.moving && p.moving[s] !== 0) {
      moving++;
      continue;
    }
    if (targetBlurred) {
      const j = 3 * i;
      const diff = Math.abs(targetBlurred[j]! - sourceColour[j]!) + Math.abs(targetBlurred[j + 1]! - sourceColour[j + 1]!) + Math.abs(targetBlurred[j + 2]! - sourceColour[j + 2]!);
      if (diff > 3 * colourTol) {
        mismatch++;
        continue;
      }
    }
    const c = p.sourceMask[s]!;
    if (c === IGNORE_ID) {
      unlabelled++;
      continue;
    }
    mask[i] = c;
    painted++;
  }
  return { mask, painted, outOfView, occluded, unlabelled, moving, mismatch };
}
