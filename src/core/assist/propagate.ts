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
 * - the source pixel is unlabelled, or marked as moving in `moving` (where the caller knows).
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
  ];
  for (const [name, len] of sizes) {
    if (len !== undefined && len !== n) throw new UsageError(`propagation: ${name} has ${len} values, a ${w}x${h} frame needs ${n}`);
  }
  if (p.intrinsics.width !== w || p.intrinsics.height !== h) {
    throw new UsageError(`propagation: the intrinsics are for ${p.intrinsics.width}x${p.intrinsics.height}, the frames are ${w}x${h}: scale them first`);
  }
  if (p.targetToSource.length !== 16 || !p.targetToSource.every(Number.isFinite)) {
    throw new UsageError('propagation: targetToSource must be 16 finite numbers (a 4x4 row-major transform)');
  }
  const tol = p.depthTolerance ?? DEFAULT_DEPTH_TOLERANCE;
  if (!(tol > 0)) throw new UsageError(`propagation: depthTolerance must be positive, got ${tol}`);
}

/** The finished frame's mask carried to the target frame; see the file's comment. */
export async function propagateMask(p: PropagationInput): Promise<Propagation> {
  check(p);
  const { width: w, height: h, intrinsics: k } = p;
  const n = w * h;
  const tol = p.depthTolerance ?? DEFAULT_DEPTH_TOLERANCE;
  const [pixelsT, zT, seenT, validT] = tf.tidy(() => {
    const K = tf.tensor3d([k.fx, 0, k.cx - 0.5, 0, k.fy, k.cy - 0.5, 0, 0, 1], [1, 3, 3]);
    const T = tf.tensor3d(Array.from(p.targetToSource), [1, 4, 4]);
    const points = backproject(tf.tensor4d(clampedDepth(p.targetDepth), [1, h, w, 1]), invertIntrinsics(K));
    const { pixels, z } = project(points, K, T);
    const { sampled, valid } = bilinearSample(tf.tensor4d(clampedDepth(p.sourceDepth), [1, h, w, 1]), pixels);
    return [pixels, z, sampled, valid];
  });
  let xy: Float32Array;
  let z: Float32Array;
  let seen: Float32Array;
  let valid: Float32Array;
  try {
    [xy, z, seen, valid] = (await Promise.all([pixelsT.data(), zT.data(), seenT.data(), validT.data()])) as Float32Array[];
  } finally {
    tf.dispose([pixelsT, zT, seenT, validT]);
  }
  const mask = new Uint8Array(n).fill(IGNORE_ID);
  let painted = 0;
  let outOfView = 0;
  let occluded = 0;
  let unlabelled = 0;
  let moving = 0;
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
    const c = p.sourceMask[s]!;
    if (c === IGNORE_ID) {
      unlabelled++;
      continue;
    }
    mask[i] = c;
    painted++;
  }
  return { mask, painted, outOfView, occluded, unlabelled, moving };
}
