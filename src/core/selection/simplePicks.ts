import { shuffled, type Rng } from '../random';
import type { Pick } from './farthestPoint';

function freeRows(n: number, selected: readonly number[], excluded?: ReadonlySet<number>): number[] {
  const taken = new Set(selected);
  const out: number[] = [];
  for (let j = 0; j < n; j++) if (!taken.has(j) && !excluded?.has(j)) out.push(j);
  return out;
}

/** Random selection: the baseline every other method must beat. */
export function selectRandom(
  n: number,
  count: number,
  rng: Rng,
  selected: readonly number[] = [],
  excluded?: ReadonlySet<number>,
): Pick[] {
  return shuffled(freeRows(n, selected, excluded), rng)
    .slice(0, count)
    .map((index, rank) => ({ index, rank, score: 0, diversity: NaN, uncertainty: null, weight: null }));
}

/**
 * Picks the frames with the highest score (depth uncertainty, or segmentation entropy for the
 * classic active-learning comparison), ties broken by lower index.
 */
export function selectTopScores(
  scores: Float32Array | Float64Array,
  count: number,
  selected: readonly number[] = [],
  excluded?: ReadonlySet<number>,
): Pick[] {
  return freeRows(scores.length, selected, excluded)
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, count)
    .map((index, rank) => ({ index, rank, score: scores[index]!, diversity: NaN, uncertainty: scores[index]!, weight: null }));
}
