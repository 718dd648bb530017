import type { Rng } from '../random';
import type { FeatureMatrix } from './featureMatrix';

/** One frame chosen by a selection, with the numbers that explain why. */
export interface Pick {
  /** Row index in the feature matrix. */
  readonly index: number;
  /** Order in which it was picked (0 = first). */
  readonly rank: number;
  /** The score that won: diversity + weight x uncertainty. */
  readonly score: number;
  /** Its minimum feature distance to everything selected before it (Infinity for the very first). */
  readonly diversity: number;
  /** Its depth uncertainty, where one was given. */
  readonly uncertainty: number | null;
  /** The weight of the uncertainty in its score (null where no uncertainty was given). */
  readonly weight: number | null;
}

/**
 * How the uncertainty is weighed against the distance: a fixed number, or 'balanced': the
 * standard deviation of the candidates' min distances to the selected set over that of their
 * uncertainties, so that both terms spread alike over the frames and either can decide a pick,
 * whatever the feature width (distances grow with sqrt(dims)) and the teacher's disparity range.
 */
export type UncertaintyWeight = number | 'balanced';

export interface FarthestPointOptions {
  /** How many new frames to pick. */
  readonly count: number;
  /** Rows already selected (e.g. frames already labelled); they count as selected. */
  readonly selected?: readonly number[];
  /** Per-row uncertainty; the score becomes min distance + weight x uncertainty. */
  readonly uncertainty?: Float32Array | Float64Array;
  /** Weight of the uncertainty (default 'balanced'; method.md's fixed 1000 where features are as wide as the paper's). */
  readonly weight?: UncertaintyWeight;
  /** Picks the first frame when nothing is selected yet. */
  readonly rng: Rng;
  /** Rows that may not be picked (e.g. skipped frames). */
  readonly excluded?: ReadonlySet<number>;
  /** Called after each pick (for progress). */
  readonly onPick?: (picked: number, total: number) => void;
}

/**
 * Iterative farthest-point selection (method.md, Algorithm 1): repeatedly adds the frame whose
 * minimum distance to the selected set (plus weight x uncertainty) is largest. Keeps one running
 * minimum per frame instead of an N x N distance matrix: O(N) memory, O(N x D) time per pick.
 */
export function selectFarthestPoints(features: FeatureMatrix, opts: FarthestPointOptions): Pick[] {
  const n = features.rows;
  const u = opts.uncertainty;
  // Without uncertainty the weight plays no part; 'balanced' is fixed once something is selected.
  let weight: number | null = u ? (typeof opts.weight === 'number' ? opts.weight : null) : 0;
  if (u && u.length !== n) throw new Error(`uncertainty has ${u.length} values for ${n} frames`);
  const taken = new Uint8Array(n);
  // Running minimum of the squared distance to the selected set: O(N) memory, never N x N.
  const minSq = new Float64Array(n).fill(Infinity);
  const data = features.data;
  const dims = features.dims;
  const update = (s: number): void => {
    const so = s * dims;
    for (let j = 0; j < n; j++) {
      if (taken[j]) continue;
      const bound = minSq[j]!;
      const jo = j * dims;
      // Four partial sums (faster than one in V8); stop early once the row cannot get closer.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let k = 0;
      for (; k + 3 < dims; k += 4) {
        const d0 = data[jo + k]! - data[so + k]!;
        const d1 = data[jo + k + 1]! - data[so + k + 1]!;
        const d2 = data[jo + k + 2]! - data[so + k + 2]!;
        const d3 = data[jo + k + 3]! - data[so + k + 3]!;
        a0 += d0 * d0;
        a1 += d1 * d1;
        a2 += d2 * d2;
        a3 += d3 * d3;
        if ((k & 63) === 60 && a0 + a1 + a2 + a3 >= bound) break;
      }
      for (; k < dims; k++) {
        const d = data[jo + k]! - data[so + k]!;
        a0 += d * d;
      }
      const sq = a0 + a1 + a2 + a3;
      if (sq < bound) minSq[j] = sq;
    }
  };
  const minDist = (j: number): number => Math.sqrt(minSq[j]!);
  for (const s of opts.selected ?? []) {
    if (s < 0 || s >= n) throw new Error(`selected row ${s} is outside 0..${n - 1}`);
    if (taken[s]) continue;
    taken[s] = 1;
    update(s);
  }
  for (const x of opts.excluded ?? []) if (x >= 0 && x < n) taken[x] = 1;
  let available = 0;
  for (let j = 0; j < n; j++) if (!taken[j]) available++;
  const count = Math.min(opts.count, available);
  const picks: Pick[] = [];
  const nothingSelected = (opts.selected ?? []).length === 0;
  const balance = (): number => {
    const d: number[] = [];
    const v: number[] = [];
    for (let j = 0; j < n; j++) {
      if (taken[j] || !Number.isFinite(minSq[j]!)) continue;
      d.push(minDist(j));
      v.push(u![j]!);
    }
    return balancedWeight(d, v);
  };
  for (let r = 0; r < count; r++) {
    let best = -1;
    let bestScore = -Infinity;
    if (weight === null && !(r === 0 && nothingSelected)) weight = balance();
    // Before anything is selected a 'balanced' weight has no distances to match: the most uncertain frame goes first.
    const w = weight ?? 1;
    if (r === 0 && nothingSelected && w === 0) {
      // Start from one random frame (method.md); with uncertainty, the most uncertain wins.
      const free: number[] = [];
      for (let j = 0; j < n; j++) if (!taken[j]) free.push(j);
      best = free[opts.rng.int(free.length)]!;
      bestScore = Infinity;
    } else {
      for (let j = 0; j < n; j++) {
        if (taken[j]) continue;
        const base = Number.isFinite(minSq[j]!) ? minDist(j) : 0;
        const score = base + (u ? w * u[j]! : 0);
        if (score > bestScore) {
          bestScore = score;
          best = j;
        }
      }
    }
    taken[best] = 1;
    picks.push({
      index: best,
      rank: r,
      score: bestScore,
      diversity: minDist(best),
      uncertainty: u ? u[best]! : null,
      weight: u ? w : null,
    });
    update(best);
    opts.onPick?.(r + 1, count);
  }
  return picks;
}

/**
 * The 'balanced' uncertainty weight for candidates with min distances `d` and uncertainties
 * `u` (paired): std(d) / std(u). 0 where the uncertainties are all equal (they cannot tell frames
 * apart); 1 where the distances are (any positive weight lets the uncertainty decide).
 */
export function balancedWeight(d: readonly number[], u: readonly number[]): number {
  if (d.length !== u.length) throw new Error(`${d.length} distances for ${u.length} uncertainties`);
  const sdU = standardDeviation(u);
  if (!(sdU > 1e-9 * largest(u))) return 0; // equal up to rounding
  const sdD = standardDeviation(d);
  return sdD > 1e-9 * largest(d) ? sdD / sdU : 1;
}

function largest(x: readonly number[]): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

function standardDeviation(x: readonly number[]): number {
  if (x.length < 2) return 0;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) * (v - mean);
  return Math.sqrt(ss / x.length);
}
