import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ConfusionGrid from '../../src/renderer/src/review/ConfusionGrid.vue';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET, CUSTOM_LABEL_SET } from './fixtures';

const labelSet = CITYSCAPES_LABEL_SET;

/** An n x n matrix of zeros (19 x 19 by default) with the given [truth, prediction, count] entries. */
function matrix(entries: [number, number, number][], n = 19): number[][] {
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const [g, p, n] of entries) m[g]![p] = n;
  return m;
}

describe('ConfusionGrid', () => {
  // road: 90 right, 10 as sidewalk; sidewalk: 5 as road, 15 right; building: no pixels;
  // sky: 95 right, 5 as building (under 10%: no number shown).
  const confusion = matrix([
    [0, 0, 90],
    [0, 1, 10],
    [1, 0, 5],
    [1, 1, 15],
    [10, 10, 95],
    [10, 2, 5],
  ]);
  const cell = (w: ReturnType<typeof mount>, g: number, p: number) => w.findAll('tbody tr')[g]!.findAll('td')[p]!;

  it('has a row and a column per class, named', () => {
    const w = mount(ConfusionGrid, { props: { confusion, labelSet } });
    expect(w.findAll('tbody tr')).toHaveLength(19);
    expect(w.findAll('thead th.col')).toHaveLength(19);
    expect(w.findAll('tbody th.row').map((th) => th.text()).slice(0, 3)).toEqual(['road', 'sidewalk', 'building']);
    expect(w.findAll('thead th.col').map((th) => th.text()).slice(0, 3)).toEqual(['road', 'side', 'buil']);
    expect(w.findAll('tbody th.row')[18]!.text()).toBe('bicycle');
  });

  it('shows each cell as the percentage of its row, coloured on the heat scale', () => {
    const w = mount(ConfusionGrid, { props: { confusion, labelSet } });
    expect(cell(w, 0, 0).text()).toBe('90');
    expect(cell(w, 0, 1).text()).toBe('10');
    expect(cell(w, 1, 0).text()).toBe('25');
    expect(cell(w, 1, 1).text()).toBe('75');
    expect(cell(w, 10, 10).text()).toBe('95');
    expect(cell(w, 10, 2).text()).toBe('');
    expect(cell(w, 0, 5).text()).toBe('');
    // 0.75 is the fourth stop of the scale exactly, 0.25 the second, 0 the first.
    expect((cell(w, 1, 1).element as HTMLElement).style.background).toBe('rgb(150, 200, 80)');
    expect((cell(w, 1, 0).element as HTMLElement).style.background).toBe('rgb(30, 70, 120)');
    expect((cell(w, 0, 5).element as HTMLElement).style.background).toBe('rgb(24, 27, 33)');
    // Dark text on the bright end of the scale, light text on the dark end.
    expect((cell(w, 1, 1).element as HTMLElement).style.color).toBe('rgb(17, 17, 17)');
    expect((cell(w, 1, 0).element as HTMLElement).style.color).toBe('rgb(230, 230, 230)');
  });

  it('gives the pixel count on hover, marks the diagonal and greys rows without pixels', () => {
    const w = mount(ConfusionGrid, { props: { confusion, labelSet } });
    expect(cell(w, 10, 2).attributes('title')).toBe('truth sky, predicted building: 5 pixels (5.0% of the row)');
    expect(cell(w, 1, 1).classes()).toContain('diag');
    expect(cell(w, 1, 0).classes()).not.toContain('diag');
    expect(w.findAll('tbody th.row')[0]!.attributes('title')).toBe('road: 100 pixels');
    expect(w.findAll('tbody tr')[2]!.classes()).toContain('empty');
    expect(w.findAll('tbody tr')[0]!.classes()).not.toContain('empty');
  });

  it('names the rows and columns from the label set: an 11 x 11 CamVid matrix, a 3 x 3 custom one', () => {
    const camvid = mount(ConfusionGrid, { props: { confusion: matrix([[8, 8, 40], [8, 3, 10]], 11), labelSet: CAMVID_LABEL_SET } });
    expect(camvid.findAll('tbody tr')).toHaveLength(11);
    expect(camvid.findAll('tbody th.row').map((th) => th.text())).toEqual(CAMVID_LABEL_SET.classes.map((c) => c.name));
    expect(cell(camvid, 8, 3).attributes('title')).toBe('truth car, predicted road: 10 pixels (20.0% of the row)');
    const custom = mount(ConfusionGrid, { props: { confusion: matrix([[0, 1, 3]], 3), labelSet: CUSTOM_LABEL_SET } });
    expect(custom.findAll('thead th.col').map((th) => th.attributes('title'))).toEqual(['lane', 'kerb', 'pothole']);
  });
});
