import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { RunComparison, RunEvaluation } from '../../src/core/api/contract';
import CompareTable from '../../src/renderer/src/review/CompareTable.vue';

const evaluation = (id: number, miou: number | null): RunEvaluation => ({
  run: {
    id,
    kind: 'seg',
    mode: 'multitask',
    status: 'done',
    parentRunId: 1,
    createdAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T01:00:00Z',
    checkpointStep: 200,
    segments: true,
    depth: true,
    miou,
  },
  step: 200,
  source: 'checkpoint',
  miou,
  perClass: [],
  confusion: null,
  history: [],
});

describe('CompareTable', () => {
  const comparison: RunComparison = {
    a: evaluation(3, 41.26),
    b: evaluation(5, 44.71),
    miouDelta: 3.45,
    perClass: [
      { classId: 0, name: 'road', a: 80.04, b: 82.31, delta: 2.27 },
      { classId: 10, name: 'sky', a: 90, b: 85.5, delta: -4.5 },
      { classId: 13, name: 'car', a: 40, b: 39.96, delta: -0.04 },
      { classId: 15, name: 'bus', a: null, b: 12.5, delta: null },
    ],
  };

  it('shows run A, run B and B − A per class with signs, and the mIoU difference', () => {
    const w = mount(CompareTable, { props: { comparison } });
    expect(w.findAll('thead th').map((th) => th.text())).toEqual(['Class', 'A #3', 'B #5', 'B − A']);
    expect(w.findAll('tbody tr').map((r) => r.findAll('td').map((td) => td.text()))).toEqual([
      ['road', '80.0', '82.3', '+2.3'],
      ['sky', '90.0', '85.5', '−4.5'],
      ['car', '40.0', '40.0', '±0.0'],
      ['bus', '–', '12.5', '–'],
    ]);
    expect(w.findAll('tfoot th').map((th) => th.text())).toEqual(['mIoU', '41.3', '44.7', '+3.5']);
  });

  it('colours gains green and losses red, and leaves changes under 0.05 plain', () => {
    const w = mount(CompareTable, { props: { comparison } });
    const deltaCell = (row: number) => w.findAll('tbody tr')[row]!.findAll('td')[3]!;
    expect(deltaCell(0).classes()).toContain('up');
    expect(deltaCell(1).classes()).toContain('down');
    expect(deltaCell(2).classes()).not.toContain('up');
    expect(deltaCell(2).classes()).not.toContain('down');
    expect(deltaCell(3).classes()).not.toContain('up');
    expect(w.get('[data-testid="miou-delta"]').classes()).toContain('up');
  });

  it('shows the class names the comparison brings (a CamVid project)', () => {
    const camvid: RunComparison = {
      ...comparison,
      perClass: [
        { classId: 8, name: 'car', a: 10, b: 20, delta: 10 },
        { classId: 10, name: 'bicyclist', a: 5, b: 5, delta: 0 },
      ],
    };
    const w = mount(CompareTable, { props: { comparison: camvid } });
    expect(w.findAll('tbody tr').map((r) => r.findAll('td')[0]!.text())).toEqual(['car', 'bicyclist']);
  });

  it('shows a dash where a run has no mIoU', () => {
    const w = mount(CompareTable, { props: { comparison: { ...comparison, b: evaluation(5, null), miouDelta: null } } });
    expect(w.findAll('tfoot th').map((th) => th.text())).toEqual(['mIoU', '41.3', '–', '–']);
  });
});
