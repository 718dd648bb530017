import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random';
import { featureMatrix, rowDistance, type FeatureMatrix } from '../../src/core/selection/featureMatrix';
import { selectFarthestPoints } from '../../src/core/selection/farthestPoint';

/** Farthest-point selection the obvious way (every distance recomputed), to compare with. */
function naive(m: FeatureMatrix, selected: number[], count: number): number[] {
  const chosen = [...selected];
  const out: number[] = [];
  for (let r = 0; r < count; r++) {
    let best = -1;
    let bestD = -1;
    for (let j = 0; j < m.rows; j++) {
      if (chosen.includes(j)) continue;
      const d = Math.min(...chosen.map((s) => rowDistance(m, j, m, s)));
      if (d > bestD) {
        bestD = d;
        best = j;
      }
    }
    chosen.push(best);
    out.push(best);
  }
  return out;
}

describe('diversity: farthest points extending an existing selection', () => {
  it('picks the corners of a square around an already-labelled centre (hand-made, known answer)', () => {
    // rows: centre, 4 corners, 4 points near the centre
    const pts = [[0, 0], [-10, -10], [10, -10], [-10, 10], [10, 10], [1, 0], [0, 1], [-1, 0], [0, -1]];
    const m = featureMatrix(pts.length, 2, Float32Array.from(pts.flat()));
    const picks = selectFarthestPoints(m, { count: 5, selected: [0], rng: createRng(1) });
    // every corner is sqrt(200) from the labelled centre, and the centre stays nearer to each
    // corner than the other corners (20 or more): the corners go in row order (ties go to the
    // lower row), then the near points, 1 from the centre
    expect(picks.map((p) => p.index)).toEqual([1, 2, 3, 4, 5]);
    expect(picks.map((p) => p.diversity)).toEqual([200, 200, 200, 200, 1].map((v) => expect.closeTo(Math.sqrt(v), 5)));
  });

  it('without the centre, the opposite corner comes second', () => {
    const pts = [[-10, -10], [10, -10], [-10, 10], [10, 10], [0, 0]];
    const m = featureMatrix(pts.length, 2, Float32Array.from(pts.flat()));
    const picks = selectFarthestPoints(m, { count: 4, selected: [0], rng: createRng(1) });
    // from (-10,-10): (10,10) at sqrt(800); then (10,-10) and (-10,10) both at 20 (lower row
    // first), the other at 20 too; then the centre, sqrt(200) from every corner
    expect(picks.map((p) => p.index)).toEqual([3, 1, 2, 4]);
    expect(picks.map((p) => p.diversity)).toEqual([800, 400, 400, 200].map((v) => expect.closeTo(Math.sqrt(v), 5)));
  });

  it('leaves a cluster that already has a labelled frame for last', () => {
    const centres = [[0, 0, 0], [40, 0, 0], [0, 40, 0], [0, 0, 40]];
    const rng = createRng(5);
    const m = featureMatrix(40, 3);
    for (let r = 0; r < 40; r++) for (let k = 0; k < 3; k++) m.data[r * 3 + k] = centres[r % 4]![k]! + rng.next();
    // row 8 is in cluster 0 and is labelled: the next three picks cover clusters 1, 2, 3
    const picks = selectFarthestPoints(m, { count: 3, selected: [8], rng: createRng(1) });
    expect(picks.map((p) => p.index % 4).sort()).toEqual([1, 2, 3]);
    // a fourth pick has nowhere far to go: it is within a few units of a picked frame
    const more = selectFarthestPoints(m, { count: 1, selected: [8, ...picks.map((p) => p.index)], rng: createRng(1) });
    expect(more[0]!.diversity).toBeLessThan(2);
  });

  it('extending a selection round by round gives the same frames as one long selection', () => {
    const rng = createRng(9);
    const m = featureMatrix(200, 130);
    for (let i = 0; i < m.data.length; i++) m.data[i] = rng.next() * 4 - 2;
    const once = selectFarthestPoints(m, { count: 12, selected: [17], rng: createRng(1) }).map((p) => p.index);
    const first = selectFarthestPoints(m, { count: 5, selected: [17], rng: createRng(1) }).map((p) => p.index);
    const second = selectFarthestPoints(m, { count: 7, selected: [17, ...first], rng: createRng(1) }).map((p) => p.index);
    expect([...first, ...second]).toEqual(once);
    // and the running minimum agrees with recomputing every distance (130 dims: unrolled loop, early exit)
    expect(once).toEqual(naive(m, [17], 12));
  });

  it('handles 100,000 frames with a running minimum (an N x N matrix would need 80 GB)', () => {
    const n = 100_000;
    const dims = 6;
    const m = featureMatrix(n, dims);
    // frame j sits at j on a line (in dims 0 and 4), so the answer is known:
    for (let j = 0; j < n; j++) {
      m.data[j * dims] = j;
      m.data[j * dims + 4] = j;
    }
    const picks = selectFarthestPoints(m, { count: 3, selected: [0], rng: createRng(1) });
    // from {0}: the far end 99999; then the middle (49999 and 50000 tie at 49999: the lower
    // row wins); then the middle of the wider upper half, 74999, 25000 from both neighbours
    expect(picks.map((p) => p.index)).toEqual([99999, 49999, 74999]);
    expect(picks.map((p) => p.diversity / Math.SQRT2)).toEqual([99999, 49999, 25000].map((v) => expect.closeTo(v, 3)));
  });
});
