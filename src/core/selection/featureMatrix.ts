/**
 * Per-frame feature vectors for selection, stored as one row-major matrix (N rows x D
 * columns) so 100,000 frames stay one allocation.
 */
export interface FeatureMatrix {
  readonly rows: number;
  readonly dims: number;
  readonly data: Float32Array;
}

export function featureMatrix(rows: number, dims: number, data?: Float32Array): FeatureMatrix {
  const d = data ?? new Float32Array(rows * dims);
  if (d.length !== rows * dims) {
    throw new Error(`feature matrix of ${rows}x${dims} needs ${rows * dims} values, got ${d.length}`);
  }
  return { rows, dims, data: d };
}

/**
 * Standardises features per channel over the whole dataset, in place. Each row holds
 * `channels` blocks of `cellsPerChannel` values (e.g. decoder channels x a 4x8 pooled grid);
 * every channel gets zero mean and unit variance over all rows and cells. Channels with no
 * variance become 0.
 */
export function standardisePerChannel(m: FeatureMatrix, channels: number): void {
  if (m.dims % channels !== 0) {
    throw new Error(`${m.dims} feature dims do not split into ${channels} channels`);
  }
  const cells = m.dims / channels;
  const count = m.rows * cells;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let sumSq = 0;
    for (let r = 0; r < m.rows; r++) {
      const base = r * m.dims + c * cells;
      for (let k = 0; k < cells; k++) {
        const v = m.data[base + k]!;
        sum += v;
        sumSq += v * v;
      }
    }
    const mean = sum / count;
    const variance = Math.max(0, sumSq / count - mean * mean);
    const inv = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
    for (let r = 0; r < m.rows; r++) {
      const base = r * m.dims + c * cells;
      for (let k = 0; k < cells; k++) m.data[base + k] = (m.data[base + k]! - mean) * inv;
    }
  }
}

/** Euclidean distance between row i of a and row j of b. */
export function rowDistance(a: FeatureMatrix, i: number, b: FeatureMatrix, j: number): number {
  let s = 0;
  const ai = i * a.dims;
  const bj = j * b.dims;
  for (let k = 0; k < a.dims; k++) {
    const d = a.data[ai + k]! - b.data[bj + k]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
