import { describe, expect, it } from 'vitest';
import { assistFeatureRows, principalComponents } from '../../src/renderer/src/annotator/assistFeatures';
import { SuperpixelMap } from '../../src/renderer/src/annotator/superpixelMap';

/** A 1-pixel-high frame of n superpixels of one pixel each, with varied colours. */
function strip(n: number): SuperpixelMap {
  const lab = Float32Array.from({ length: 3 * n }, (_, i) => (i * 37) % 101);
  return new SuperpixelMap(n, 1, Uint16Array.from({ length: n }, (_, k) => k), n, lab);
}

/** Sum over columns from..to-1 of the columns' variances. */
function blockVariance(rows: { data: Float32Array; dims: number }, from: number, to: number): number {
  const n = rows.data.length / rows.dims;
  let total = 0;
  for (let d = from; d < to; d++) {
    let mean = 0;
    for (let k = 0; k < n; k++) mean += rows.data[k * rows.dims + d]! / n;
    for (let k = 0; k < n; k++) total += (rows.data[k * rows.dims + d]! - mean) ** 2 / n;
  }
  return total;
}

describe("the assist's feature rows", () => {
  it('join an SDE block as standardised linear terms, scaled to weigh as one feature (block), or as principal components in the quadratic expansion (pca3)', () => {
    const n = 40;
    const sp = strip(n);
    const dims = 9;
    const extra = { data: Float32Array.from({ length: n * dims }, (_, i) => Math.sin(i * 1.7) * (1 + (i % dims))), dims };
    const colour = assistFeatureRows(sp, undefined, 'linear');
    expect(colour.dims).toBe(1 + 5 + 15);
    const linear = assistFeatureRows(sp, extra, 'linear');
    const block = assistFeatureRows(sp, extra, 'block');
    expect([linear.dims, block.dims]).toEqual([21 + dims, 21 + dims]);
    expect(blockVariance(linear, 21, 21 + dims)).toBeCloseTo(dims, 4);
    expect(blockVariance(block, 21, 21 + dims)).toBeCloseTo(1, 4);
    // The colour and position part is the same either way.
    expect(block.data.subarray(0, 21)).toEqual(colour.data.subarray(0, 21));
    const pca = assistFeatureRows(sp, extra, 'pca3');
    expect(pca.dims).toBe(1 + 8 + 36);
    expect(extra.data[0]).toBe(0); // the caller's features are left as they were (sin 0)
  });

  it("join a segmentation run's class probabilities (the last segDims columns) as their own block, with their own join", () => {
    const n = 40;
    const sp = strip(n);
    const [sdeDims, segDims] = [9, 4];
    const dims = sdeDims + segDims;
    const extra = { data: Float32Array.from({ length: n * dims }, (_, i) => Math.sin(i * 1.7) * (1 + (i % dims))), dims, segDims };
    // SDE as one weighed block, classes as linear terms: each part keeps its own scale, SDE first.
    const rows = assistFeatureRows(sp, extra, 'block', 'linear');
    expect(rows.dims).toBe(21 + dims);
    expect(blockVariance(rows, 21, 21 + sdeDims)).toBeCloseTo(1, 4);
    expect(blockVariance(rows, 21 + sdeDims, 21 + dims)).toBeCloseTo(segDims, 4);
    // The class block alone (no SDE run), weighed as one feature; the SDE part's columns are the same as without classes.
    const segOnly = { data: Float32Array.from({ length: n * segDims }, (_, i) => extra.data[Math.floor(i / segDims) * dims + sdeDims + (i % segDims)]!), dims: segDims, segDims };
    const classes = assistFeatureRows(sp, segOnly, 'linear', 'block');
    expect(classes.dims).toBe(21 + segDims);
    expect(blockVariance(classes, 21, 21 + segDims)).toBeCloseTo(1, 4);
    const sdeOnly = { data: Float32Array.from({ length: n * sdeDims }, (_, i) => extra.data[Math.floor(i / sdeDims) * dims + (i % sdeDims)]!), dims: sdeDims };
    expect(rows.data.filter((_, i) => i % rows.dims < 21 + sdeDims)).toEqual(assistFeatureRows(sp, sdeOnly, 'block').data);
    // pca3 for one block goes into the quadratic expansion, the other is appended.
    expect(assistFeatureRows(sp, extra, 'pca3', 'linear').dims).toBe(1 + 8 + 36 + segDims);
    expect(() => assistFeatureRows(sp, { ...extra, segDims: 14 }, 'block')).toThrow(/14 segmentation columns among 13 extra features/);
  });

  it('finds the direction of largest spread first', () => {
    // Points along (3, 4)/5 with spread 10, and a little noise across it.
    const rows: number[] = [];
    for (let i = -10; i <= 10; i++) rows.push(0.6 * i + 0.08 * (i % 3), 0.8 * i - 0.06 * (i % 3));
    const pcs = principalComponents(Float32Array.from(rows), 2, 2);
    for (let r = 0; r < 21; r++) {
      const [x, y] = [rows[2 * r]!, rows[2 * r + 1]!];
      expect(Math.abs(pcs[2 * r]!)).toBeCloseTo(Math.abs(0.6 * x + 0.8 * y), 1);
    }
    const spread = (c: number) => pcs.filter((_, i) => i % 2 === c).reduce((s, v) => s + v * v, 0);
    expect(spread(0)).toBeGreaterThan(50 * spread(1));
  });
});
