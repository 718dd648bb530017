/**
 * Choosing which frames to label (method.md, way 3, Algorithm 1), one method per name:
 *   random  the baseline;
 *   ds      diversity only: farthest points in the standardised SDE feature space;
 *   us      uncertainty only: the frames the student imitates the teacher worst on;
 *   ds_us   both: farthest points on min distance to the selected set + weight x u_j.
 *           method.md fixes the weight at 1000 for the paper's features; distances between
 *           standardised features grow with sqrt(feature width), so at this workbench's widths
 *           1000 x u dwarfs every distance and ds_us picks what us picks. The default weight is
 *           therefore 'balanced' (farthestPoint.ts): both terms spread alike over the frames.
 *   entropy classic active learning: the frames with the highest mean segmentation entropy
 *           (needs a segmentation model, hence labels).
 * The uncertainty of us and ds_us comes from a student trained on the frames already selected,
 * so while nothing is selected they pick by diversity alone (the method's first 25 frames).
 * Selections grow in rounds (25 -> 50 -> 100 ...), the student retrained every round.
 */
import { UsageError } from '../errors';
import { createRng, type Rng } from '../random';
import { selectFarthestPoints, type Pick, type UncertaintyWeight } from './farthestPoint';
import { rowDistance, type FeatureMatrix } from './featureMatrix';
import { selectRandom, selectTopScores } from './simplePicks';

export const SELECTION_METHODS = ['random', 'ds', 'us', 'ds_us', 'entropy'] as const;
export type SelectionMethod = (typeof SELECTION_METHODS)[number];
/** The default weight of the uncertainty in ds_us (see the module comment). */
export const DEFAULT_UNCERTAINTY_WEIGHT: UncertaintyWeight = 'balanced';
/** method.md's fixed weight: score = min distance + 1000 x u_j, for the paper's feature width. */
export const METHOD_UNCERTAINTY_WEIGHT = 1000;

/** Reads a weight given as text: a number >= 0, or 'balanced'. */
export function parseUncertaintyWeight(value: string | number, what = 'weight'): UncertaintyWeight {
  if (value === 'balanced') return value;
  const w = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(w) || w < 0) throw new UsageError(`${what} must be a number >= 0 or 'balanced' (got '${value}')`);
  return w;
}
/** The method's first round. */
export const FIRST_ROUND_SIZE = 25;

export function parseSelectionMethod(value: string, what = 'method'): SelectionMethod {
  if (!(SELECTION_METHODS as readonly string[]).includes(value)) {
    throw new UsageError(`${what} must be one of ${SELECTION_METHODS.join(', ')} (got '${value}')`);
  }
  return value as SelectionMethod;
}

/** What a round of `method` scores frames by, once `selectedCount` frames are selected. */
export type RoundBasis = 'random' | 'diversity' | 'uncertainty' | 'diversity+uncertainty' | 'entropy';

export function roundBasis(method: SelectionMethod, selectedCount: number, haveScores = false): RoundBasis {
  switch (method) {
    case 'random':
      return 'random';
    case 'ds':
      return 'diversity';
    case 'us':
      return selectedCount > 0 ? 'uncertainty' : 'diversity';
    case 'ds_us':
      return selectedCount > 0 ? 'diversity+uncertainty' : 'diversity';
    case 'entropy':
      return haveScores || selectedCount > 0 ? 'entropy' : 'diversity';
  }
}

/** Whether a round of `method` needs the student's uncertainty (us, ds_us once something is selected). */
export function needsUncertainty(method: SelectionMethod, selectedCount: number): boolean {
  const b = roundBasis(method, selectedCount);
  return b === 'uncertainty' || b === 'diversity+uncertainty';
}

export interface RoundInput {
  readonly method: SelectionMethod;
  /** Frames to choose from: rows 0..frames-1. */
  readonly frames: number;
  /** How many new frames to pick. */
  readonly count: number;
  /** Standardised features, one row per frame (every method but random needs them; random uses them only to report distances). */
  readonly features?: FeatureMatrix;
  /** Rows already selected (labelled frames, earlier picks): never picked again, and the diversity measures distance to them. */
  readonly selected?: readonly number[];
  /** Rows that may not be picked (e.g. skipped frames). */
  readonly excluded?: ReadonlySet<number>;
  /** Per-row uncertainty (us, ds_us) or entropy (entropy). */
  readonly scores?: Float32Array | Float64Array;
  /** ds_us: weight of the uncertainty (default 'balanced'). */
  readonly weight?: UncertaintyWeight;
  readonly rng: Rng;
  readonly onPick?: (picked: number, total: number) => void;
}

export interface RoundResult {
  readonly basis: RoundBasis;
  /** In pick order. `diversity` is the min feature distance to everything selected before the pick (where features were given). */
  readonly picks: Pick[];
}

/** One round: `count` new frames by `method` (see the module comment). */
export function selectRound(input: RoundInput): RoundResult {
  const selected = input.selected ?? [];
  const { features, scores } = input;
  if (features && features.rows !== input.frames) throw new UsageError(`features have ${features.rows} rows for ${input.frames} frames`);
  if (scores && scores.length !== input.frames) throw new UsageError(`${scores.length} scores for ${input.frames} frames`);
  if (!Number.isInteger(input.count) || input.count < 0) throw new UsageError(`the number of frames to pick must be an integer >= 0 (got ${input.count})`);
  const basis = roundBasis(input.method, selected.length, scores !== undefined);
  const needFeatures = (): FeatureMatrix => {
    if (!features) throw new UsageError(`selection by ${basis} needs frame features`);
    return features;
  };
  const needScores = (): Float32Array | Float64Array => {
    if (!scores) throw new UsageError(`selection by ${basis} needs a score per frame (${input.method === 'entropy' ? 'a segmentation model' : "the student's uncertainty"})`);
    return scores;
  };
  let picks: Pick[];
  switch (basis) {
    case 'random':
      picks = selectRandom(input.frames, input.count, input.rng, selected, input.excluded);
      break;
    case 'diversity':
      picks = selectFarthestPoints(needFeatures(), { count: input.count, selected, excluded: input.excluded, rng: input.rng, onPick: input.onPick });
      break;
    case 'diversity+uncertainty':
      picks = selectFarthestPoints(needFeatures(), {
        count: input.count,
        selected,
        excluded: input.excluded,
        uncertainty: needScores(),
        weight: input.weight ?? DEFAULT_UNCERTAINTY_WEIGHT,
        rng: input.rng,
        onPick: input.onPick,
      });
      break;
    case 'uncertainty':
    case 'entropy':
      picks = selectTopScores(needScores(), input.count, selected, input.excluded);
      break;
  }
  if (basis !== 'diversity' && basis !== 'diversity+uncertainty' && features) picks = withDistances(features, selected, picks);
  return { basis, picks };
}

/**
 * Fills each pick's `diversity` with its min distance to the selected rows and the picks
 * before it (Infinity where there is nothing before it), so every method's picks can show
 * how far they are from what is already chosen. O(count x (selected + count) x dims).
 */
export function withDistances(features: FeatureMatrix, selected: readonly number[], picks: readonly Pick[]): Pick[] {
  const before = [...selected];
  return picks.map((p) => {
    let d = Infinity;
    for (const s of before) d = Math.min(d, rowDistance(features, p.index, features, s));
    before.push(p.index);
    return { ...p, diversity: d };
  });
}

/** Cumulative round sizes: first, 2 x first, 4 x first ... up to and ending at `total` (25 -> 50 -> 100 ...). */
export function roundSizes(total: number, first = FIRST_ROUND_SIZE): number[] {
  if (!Number.isInteger(total) || total < 1) throw new UsageError(`the selection budget must be a positive integer (got ${total})`);
  if (!Number.isInteger(first) || first < 1) throw new UsageError(`the first round size must be a positive integer (got ${first})`);
  const sizes: number[] = [];
  for (let s = first; s < total; s *= 2) sizes.push(s);
  sizes.push(total);
  return sizes;
}

export interface RoundsOptions {
  readonly method: SelectionMethod;
  readonly frames: number;
  /** Cumulative sizes of the selection after each round, e.g. roundSizes(100) = [25, 50, 100]. */
  readonly sizes: readonly number[];
  readonly features?: FeatureMatrix;
  readonly selected?: readonly number[];
  readonly excluded?: ReadonlySet<number>;
  readonly weight?: UncertaintyWeight;
  readonly seed: number;
  /**
   * Scores every frame for a round that needs them, given the rows selected so far: the
   * student's uncertainty (train a student on them, score all frames) for us and ds_us, the
   * entropy of a segmentation model trained on them for entropy.
   */
  readonly scoreFrames?: (selected: readonly number[], round: number) => Promise<Float32Array | Float64Array>;
  readonly onRound?: (round: number, result: RoundResult & { scores: Float32Array | Float64Array | null }) => void;
}

/** Grows a selection in rounds; returns every round's result (rounds that add nothing are left out). */
export async function selectInRounds(opts: RoundsOptions): Promise<Array<RoundResult & { round: number; scores: Float32Array | Float64Array | null }>> {
  const rng = createRng(opts.seed);
  const chosen = [...(opts.selected ?? [])];
  const results: Array<RoundResult & { round: number; scores: Float32Array | Float64Array | null }> = [];
  for (const [round, size] of opts.sizes.entries()) {
    const count = size - chosen.length;
    if (count <= 0) continue;
    const basis = roundBasis(opts.method, chosen.length);
    let scores: Float32Array | Float64Array | null = null;
    if (basis === 'uncertainty' || basis === 'diversity+uncertainty' || basis === 'entropy') {
      if (!opts.scoreFrames) throw new UsageError(`selection by ${basis} needs a way to score frames`);
      scores = await opts.scoreFrames(chosen, round);
    }
    const r = selectRound({
      method: opts.method,
      frames: opts.frames,
      count,
      ...(opts.features ? { features: opts.features } : {}),
      selected: chosen,
      ...(opts.excluded ? { excluded: opts.excluded } : {}),
      ...(scores ? { scores } : {}),
      ...(opts.weight !== undefined ? { weight: opts.weight } : {}),
      rng,
    });
    chosen.push(...r.picks.map((p) => p.index));
    const res = { ...r, round, scores };
    results.push(res);
    opts.onRound?.(round, res);
    if (r.picks.length < count) break; // nothing left to pick
  }
  return results;
}
