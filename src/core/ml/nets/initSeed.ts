/**
 * Reproducible weight initialisation: while `withInitSeed(seed, build)` runs, every randomly
 * initialised layer of the networks draws its own seed from one sequence started at `seed`,
 * so two builds with the same seed start from identical weights (the quality benchmark and
 * resumable runs need that). Outside it, initialisation is random as in tfjs. Builds are
 * synchronous, so the scope cannot interleave with another build.
 */
let state: number | null = null;

export function withInitSeed<T>(seed: number | undefined, build: () => T): T {
  if (seed === undefined) return build();
  if (!Number.isInteger(seed)) throw new Error(`initialisation seed must be an integer, got ${seed}`);
  const saved = state;
  state = seed >>> 0;
  try {
    return build();
  } finally {
    state = saved;
  }
}

/** The next layer seed inside withInitSeed, else undefined (random). */
export function nextInitSeed(): number | undefined {
  if (state === null) return undefined;
  // A 32-bit LCG step: distinct, deterministic seeds for successive layers.
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state;
}

/** Options every network builder takes. */
export interface BuildOptions {
  /** Seed for reproducible initial weights (default: random). */
  seed?: number;
}
