/**
 * Plain-TypeScript reference for checking the renderer's geometry: warp frame t+1 into frame t
 * with frame t's depth, the intrinsics and the relative pose inv(T_{t+1}) * T_t, sampling
 * bilinearly, and compare the photometric error with that of the unwarped frame.
 */
import type { RasterU8, RasterU16 } from '../../src/core/data/imageIo';

export interface Pinhole {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/** Inverse of a rigid 4x4 row-major transform. */
export function invertRigid(T: readonly number[]): number[] {
  const R = [T[0]!, T[1]!, T[2]!, T[4]!, T[5]!, T[6]!, T[8]!, T[9]!, T[10]!];
  const t = [T[3]!, T[7]!, T[11]!];
  // R^T and -R^T t
  const out = [
    R[0]!, R[3]!, R[6]!, 0,
    R[1]!, R[4]!, R[7]!, 0,
    R[2]!, R[5]!, R[8]!, 0,
    0, 0, 0, 1,
  ];
  for (let i = 0; i < 3; i++) out[i * 4 + 3] = -(out[i * 4]! * t[0]! + out[i * 4 + 1]! * t[1]! + out[i * 4 + 2]! * t[2]!);
  return out;
}

export function multiply(A: readonly number[], B: readonly number[]): number[] {
  const out = new Array<number>(16).fill(0);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) out[i * 4 + j]! += A[i * 4 + k]! * B[k * 4 + j]!;
  return out;
}

export interface WarpResult {
  /** Mean absolute difference (0..255 per channel) between frame t and warped frame t+1. */
  warpedError: number;
  /** The same over the same pixels without warping. */
  identityError: number;
  validPixels: number;
}

/**
 * Pixels of frame t next to a depth discontinuity (a 3x3 neighbour more than 5 % nearer or
 * farther, or without depth): there a single depth per pixel cannot say which surface the
 * pixel's colour came from, and disocclusions appear, so no warp can match them.
 */
export function depthEdges(depth: RasterU16): Uint8Array {
  const W = depth.width;
  const H = depth.height;
  const out = new Uint8Array(W * H);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const d = depth.data[r * W + c]!;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || cc < 0 || rr >= H || cc >= W) continue;
          const e = depth.data[rr * W + cc]!;
          if (e === 0 || Math.abs(e - d) > 0.05 * d) out[r * W + c] = 1;
        }
      }
    }
  }
  return out;
}

/**
 * `skip(i)` excludes pixel i of frame t (moving objects, occlusion boundaries). Pixel centres
 * are at (col + 0.5, row + 0.5) in the intrinsics' convention.
 */
export function warpError(
  frameT: RasterU8,
  depthT: RasterU16,
  frameT1: RasterU8,
  k: Pinhole,
  poseT: readonly number[],
  poseT1: readonly number[],
  skip: (i: number) => boolean,
): WarpResult {
  const W = frameT.width;
  const H = frameT.height;
  const rel = multiply(invertRigid(poseT1), poseT);
  let warped = 0;
  let identity = 0;
  let n = 0;
  for (let row = 0; row < H; row++) {
    for (let col = 0; col < W; col++) {
      const i = row * W + col;
      const d = depthT.data[i]!;
      if (d === 0 || skip(i)) continue;
      const z = d / 100;
      const x = ((col + 0.5 - k.cx) / k.fx) * z;
      const y = ((row + 0.5 - k.cy) / k.fy) * z;
      const X = rel[0]! * x + rel[1]! * y + rel[2]! * z + rel[3]!;
      const Y = rel[4]! * x + rel[5]! * y + rel[6]! * z + rel[7]!;
      const Z = rel[8]! * x + rel[9]! * y + rel[10]! * z + rel[11]!;
      if (Z <= 0.1) continue;
      // sample position in pixel-index coordinates (pixel centres at integers)
      const u = (k.fx * X) / Z + k.cx - 0.5;
      const v = (k.fy * Y) / Z + k.cy - 0.5;
      if (u < 0 || v < 0 || u > W - 1 || v > H - 1) continue;
      const u0 = Math.min(W - 2, Math.floor(u));
      const v0 = Math.min(H - 2, Math.floor(v));
      const au = u - u0;
      const av = v - v0;
      for (let c = 0; c < 3; c++) {
        const p = (r: number, q: number) => frameT1.data[(r * W + q) * 3 + c]!;
        const s =
          (1 - av) * ((1 - au) * p(v0, u0) + au * p(v0, u0 + 1)) + av * ((1 - au) * p(v0 + 1, u0) + au * p(v0 + 1, u0 + 1));
        const ref = frameT.data[i * 3 + c]!;
        warped += Math.abs(ref - s);
        identity += Math.abs(ref - frameT1.data[i * 3 + c]!);
      }
      n++;
    }
  }
  return { warpedError: warped / (3 * n), identityError: identity / (3 * n), validPixels: n };
}
