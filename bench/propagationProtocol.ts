/**
 * The propagation measure of bench:annotate (issue 18 point 3), shared with its test: pairs of
 * neighbouring frames of a synthetic clip with their ground truth (labels, z-depth, camera
 * poses), the camera motion between them, and how well a proposal carried from one frame to
 * the other agrees with the other's labels where it paints.
 */
import type { Intrinsics } from '../src/core/data/camera';
import type { Size } from '../src/core/data/imageIo';
import { type FrameBuffers, type Pose, createBuffers, createSequence, renderFrame, synthIntrinsics } from '../src/core/synth';

const IGNORE = 255;

/**
 * The 4x4 row-major transform of target camera points into the source camera (geometry's T),
 * from both cameras' camera-to-world poses: T = inv(P_source) P_target.
 */
export function targetToSource(source: Pose, target: Pose): number[] {
  const Rs = source.rot;
  const Rt = target.rot;
  const T = new Array<number>(16).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      // (Rs^T Rt)[r][c] = sum_k Rs[k][r] Rt[k][c]
      let v = 0;
      for (let k = 0; k < 3; k++) v += Rs[3 * k + r]! * Rt[3 * k + c]!;
      T[4 * r + c] = v;
    }
    let t = 0;
    for (let k = 0; k < 3; k++) t += Rs[3 * k + r]! * (target.pos[k]! - source.pos[k]!);
    T[4 * r + 3] = t;
  }
  T[15] = 1;
  return T;
}

/** Two frames of one synthetic clip, rendered with their ground truth, and the motion between them. */
export interface SynthFramePair {
  readonly size: Size;
  readonly intrinsics: Intrinsics;
  readonly source: FrameBuffers;
  readonly target: FrameBuffers;
  readonly targetToSource: number[];
  /**
   * The target's pixels whose label the moving actors' own motion changes (non-zero): the
   * target rendered with its actors where they were at the source's time differs there. A
   * warp that takes the scene as rigid cannot carry these right.
   */
  readonly moved: Uint8Array;
}

/** Frame `frame` of sequence `sequence` (dataset seed `seed`) and its neighbour at `offset`. */
export function synthFramePair(seed: number, sequence: number, frame: number, size: Size, offset = 1): SynthFramePair {
  const seq = createSequence(seed, sequence);
  const intrinsics = synthIntrinsics(size);
  const source = createBuffers(size.width, size.height);
  const target = createBuffers(size.width, size.height);
  const frozen = createBuffers(size.width, size.height);
  const sourcePose = renderFrame(seq, frame, intrinsics, source);
  const targetPose = renderFrame(seq, frame + offset, intrinsics, target);
  renderFrame(seq, frame + offset, intrinsics, frozen, frame);
  const moved = target.label.map((l, i) => (l !== frozen.label[i] ? 1 : 0));
  return { size, intrinsics, source, target, targetToSource: targetToSource(sourcePose, targetPose), moved };
}

/**
 * Pixels a proposal paints; of those, the ones the ground truth labels (not 255, ignore) and
 * the ones among them that match it.
 */
export interface AgreementCounts {
  readonly pixels: number;
  readonly painted: number;
  readonly judged: number;
  readonly agree: number;
}

/** The counts over the whole frame, or only over the pixels `within` marks (non-zero). */
export function agreementCounts(proposal: Uint8Array, truth: Uint8Array, within?: Uint8Array): AgreementCounts {
  let pixels = 0;
  let painted = 0;
  let judged = 0;
  let agree = 0;
  for (let i = 0; i < proposal.length; i++) {
    if (within && within[i] === 0) continue;
    pixels++;
    if (proposal[i] === IGNORE) continue;
    painted++;
    if (truth[i] === IGNORE) continue;
    judged++;
    if (proposal[i] === truth[i]) agree++;
  }
  return { pixels, painted, judged, agree };
}

/** Counts summed over frames -> agreement where painted (0..1) and the share painted (0..1). */
export function agreementOf(counts: readonly AgreementCounts[]): { agreement: number; painted: number } {
  const sum = (k: keyof AgreementCounts): number => counts.reduce((s, c) => s + c[k], 0);
  const judged = sum('judged');
  return { agreement: judged > 0 ? sum('agree') / judged : 0, painted: sum('painted') / Math.max(1, sum('pixels')) };
}

/** Where a proposal paints: the share of its painted pixels that match `truth`, and the share of the frame painted. */
export function propagationAgreement(proposal: Uint8Array, truth: Uint8Array): { agreement: number; painted: number } {
  return agreementOf([agreementCounts(proposal, truth)]);
}
