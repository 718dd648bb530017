import { describe, expect, it } from 'vitest';
import { LiveAssist, SoftmaxClassifier, acceptProposal, quadraticExpansion } from '../../src/renderer/src/annotator/assist';
import { SuperpixelMap } from '../../src/renderer/src/annotator/superpixelMap';

describe('the live assist classifier', () => {
  it('separates hand-made classes: three clusters (linear), and a ring around a disc (with the quadratic features)', () => {
    // Three clusters in 2-D, with a bias feature.
    const pts = [[0, 0], [0.2, 0.1], [3, 0], [3.1, 0.3], [0, 3], [0.3, 3.2]];
    const x = Float32Array.from(pts.flatMap(([a, b]) => [1, a!, b!]));
    const y = [0, 0, 1, 1, 2, 2];
    const c = new SoftmaxClassifier(3, 3);
    c.fit(x, [0, 1, 2, 3, 4, 5], y, y.map(() => 1), { iterations: 300 });
    expect([...c.predict(x)]).toEqual(y);
    expect([...c.predict(Float32Array.from([1, 2.8, -0.2, 1, -0.1, 2.6]))]).toEqual([1, 2]);

    // Inside radius 1: class 0; between 2 and 3: class 1. Not linearly separable in (x, y).
    const ring: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 16; i++) {
      const t = (i / 16) * 2 * Math.PI;
      ring.push(0.5 * Math.cos(t), 0.5 * Math.sin(t));
      labels.push(0);
      ring.push(2.5 * Math.cos(t + 0.1), 2.5 * Math.sin(t + 0.1));
      labels.push(1);
    }
    const q = quadraticExpansion(Float32Array.from(ring), 2);
    expect(q.dims).toBe(6);
    const ringClassifier = new SoftmaxClassifier(q.dims, 2);
    const rows = labels.map((_, i) => i);
    ringClassifier.fit(q.data, rows, labels, labels.map(() => 1), { iterations: 400, rate: 0.3 });
    expect([...ringClassifier.predict(q.data)]).toEqual(labels);
  });

  it('refuses labels outside its classes and a single class, in words', () => {
    expect(() => new SoftmaxClassifier(3, 1)).toThrow(/at least 2 classes/);
    expect(() => new SoftmaxClassifier(1, 2).fit(Float32Array.from([1]), [0], [2], [1])).toThrow(/label 2 is not in 0..1/);
  });

  it('proposes for the unpainted superpixels from two painted ones, by colour: dark ones get the dark stroke\'s class', () => {
    // 8x2: four superpixels of 2x2; 0 and 2 dark, 1 and 3 bright.
    const labels = Uint16Array.from([0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1, 2, 2, 3, 3]);
    const sp = new SuperpixelMap(8, 2, labels, 4, Float32Array.from([10, 0, 0, 90, 5, 5, 12, 0, 1, 88, 4, 6]));
    const assist = new LiveAssist(sp);
    const mask = new Uint8Array(16).fill(255);
    expect(assist.propose(mask).classCount).toBe(0);
    mask[0] = 4; // one pixel of superpixel 0: class 4
    const one = assist.propose(mask);
    expect([one.classCount, one.proposed]).toEqual([1, 0]); // one class: nothing to tell apart yet
    mask[3] = 7; // one pixel of superpixel 1: class 7
    const p = assist.propose(mask);
    expect([p.samples, p.classCount, p.proposed]).toEqual([2, 2, 14]);
    expect([...p.classes.slice(0, 8)]).toEqual([255, 4, 7, 255, 4, 4, 7, 7]);
    const accepted = acceptProposal(mask, p.classes);
    expect([...accepted.slice(0, 8)]).toEqual([4, 4, 7, 7, 4, 4, 7, 7]);
    // Only one class: the other class's proposed pixels stay unpainted.
    expect([...acceptProposal(mask, p.classes, 7).slice(0, 8)]).toEqual([4, 255, 7, 7, 255, 255, 7, 7]);
    expect(() => assist.propose(new Uint8Array(3))).toThrow(/superpixels cover 8x2/);
  });
});
