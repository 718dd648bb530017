import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import IouTable from '../../src/renderer/src/review/IouTable.vue';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET, CUSTOM_LABEL_SET } from './fixtures';

const labelSet = CITYSCAPES_LABEL_SET;

describe('IouTable', () => {
  const perClass = [
    { classId: 0, name: 'road', iou: 87.24 },
    { classId: 10, name: 'sky', iou: 100 },
    { classId: 13, name: 'car', iou: null },
    { classId: 11, name: 'person', iou: 3.06 },
  ];

  it('shows each class with its colour, IoU to one decimal and a bar of that length; mIoU at the foot', () => {
    const w = mount(IouTable, { props: { perClass, miou: 63.45, labelSet } });
    const rows = w.findAll('tbody tr');
    expect(rows.map((r) => r.findAll('td').map((td) => td.text()).slice(0, 2))).toEqual([
      ['road', '87.2'],
      ['sky', '100.0'],
      ['car', '–'],
      ['person', '3.1'],
    ]);
    const bar = (id: number): string => (w.get(`[data-testid="iou-row-${id}"] .bar`).element as HTMLElement).style.width;
    expect(bar(0)).toBe('87.24%');
    expect(bar(10)).toBe('100%');
    expect(bar(13)).toBe('0%');
    const swatch = (id: number): string => (w.get(`[data-testid="iou-row-${id}"] .swatch`).element as HTMLElement).style.background;
    expect(swatch(0)).toBe('rgb(128, 64, 128)');
    expect(swatch(13)).toBe('rgb(0, 0, 142)');
    expect(w.get('[data-testid="miou"]').text()).toBe('63.5');
  });

  it('greys out a class that never occurred and shows a dash for a missing mIoU', () => {
    const w = mount(IouTable, { props: { perClass, miou: null, labelSet } });
    expect(w.get('[data-testid="iou-row-13"]').classes()).toContain('absent');
    expect(w.get('[data-testid="iou-row-0"]').classes()).not.toContain('absent');
    expect(w.get('[data-testid="miou"]').text()).toBe('–');
  });

  it("takes the swatches from the project's label set: CamVid's car is CamVid purple, a custom class its own colour", () => {
    const camvid = mount(IouTable, {
      props: { perClass: CAMVID_LABEL_SET.classes.map((c) => ({ classId: c.id, name: c.name, iou: 50 })), miou: 50, labelSet: CAMVID_LABEL_SET },
    });
    expect(camvid.findAll('tbody tr')).toHaveLength(11);
    expect(camvid.findAll('tbody tr').map((r) => r.findAll('td')[0]!.text())).toEqual(CAMVID_LABEL_SET.classes.map((c) => c.name));
    expect((camvid.get('[data-testid="iou-row-8"] .swatch').element as HTMLElement).style.background).toBe('rgb(64, 0, 128)');
    const custom = mount(IouTable, {
      props: { perClass: CUSTOM_LABEL_SET.classes.map((c) => ({ classId: c.id, name: c.name, iou: null })), miou: null, labelSet: CUSTOM_LABEL_SET },
    });
    expect(custom.findAll('tbody tr').map((r) => r.findAll('td')[0]!.text())).toEqual(['lane', 'kerb', 'pothole']);
    expect((custom.get('[data-testid="iou-row-2"] .swatch').element as HTMLElement).style.background).toBe('rgb(255, 0, 0)');
  });
});
