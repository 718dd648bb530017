import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/core/api/contract';
import { formatDelta, formatIou, heatColour, heatTextColour, paintedPixels, rowFractions, runLabel } from '../../src/renderer/src/review/reviewFormat';

const run = (o: Partial<RunSummary>): RunSummary => ({
  id: 3,
  kind: 'seg',
  mode: 'transfer',
  status: 'done',
  parentRunId: null,
  createdAt: '',
  finishedAt: null,
  checkpointStep: 1200,
  segments: true,
  depth: false,
  miou: 61.24,
  ...o,
});

describe('review formatting', () => {
  it('writes IoU with one decimal and a dash for classes that never occurred', () => {
    expect([formatIou(61.249), formatIou(0), formatIou(null), formatIou(Number.NaN)]).toEqual(['61.2', '0.0', '–', '–']);
  });

  it('writes differences with their sign, rounding tiny ones to ±0.0', () => {
    expect([formatDelta(3.06), formatDelta(-0.44), formatDelta(0.04), formatDelta(null)]).toEqual(['+3.1', '−0.4', '±0.0', '–']);
  });

  it('names a run by number, kind, mode, step and mIoU, and says when it has not finished', () => {
    expect(runLabel(run({}))).toBe('#3 segmentation · transfer · step 1200 · mIoU 61.2');
    expect(runLabel(run({ kind: 'sde', mode: null, miou: null, status: 'running', checkpointStep: null }))).toBe('#3 SDE (running)');
  });

  it('turns confusion rows into fractions of their ground-truth pixels, leaving empty rows at 0', () => {
    expect(rowFractions([
      [3, 1, 0],
      [0, 0, 0],
      [2, 2, 4],
    ])).toEqual([
      [0.75, 0.25, 0],
      [0, 0, 0],
      [0.25, 0.25, 0.5],
    ]);
  });

  it('colours 0 and 1 at the ends of the heat scale, clamps outside values and keeps text readable', () => {
    expect(heatColour(0)).toBe('rgb(24, 27, 33)');
    expect(heatColour(1)).toBe('rgb(250, 230, 60)');
    expect(heatColour(2)).toBe(heatColour(1));
    expect(heatColour(-1)).toBe(heatColour(0));
    expect(heatColour(Number.NaN)).toBe(heatColour(0));
    expect(heatColour(0.5)).toBe('rgb(32, 140, 140)');
    expect([heatTextColour(0.9), heatTextColour(0.1)]).toEqual(['#111', '#e6e6e6']);
  });

  it('counts painted (not ignore) pixels', () => {
    expect(paintedPixels(Uint8Array.from([255, 0, 3, 255, 18]))).toBe(3);
  });
});
