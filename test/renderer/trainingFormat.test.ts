import { describe, expect, it } from 'vitest';
import type { TrainingRunInfo } from '../../src/core/api/contract';
import {
  configSummary,
  formatDuration,
  formatNumber,
  headlineMetric,
  jobTitle,
  linePath,
  niceTicks,
  percent,
  runTitle,
  tickLabels,
  valueDomain,
} from '../../src/renderer/src/training/trainingFormat';

const run = (o: Partial<TrainingRunInfo>): TrainingRunInfo => ({
  id: 5,
  kind: 'seg',
  mode: 'multitask',
  status: 'done',
  parentRunId: 2,
  createdAt: '',
  startedAt: null,
  finishedAt: null,
  error: null,
  step: 100,
  totalSteps: 100,
  checkpointStep: 100,
  config: { mode: 'multitask', mix: 'depthmix', net: 'tiny', height: 32, width: 64, lr: 0.01, labelledFrames: 12 },
  loss: 0.5,
  metrics: { miou: 41.234, pixelAccuracy: 80 },
  collapsed: null,
  resumable: false,
  active: false,
  ...o,
});

describe('training formatting', () => {
  it('writes durations, numbers and progress', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('–');
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(4000)).toBe('1 h 6 min');
    expect(formatNumber(2.98312)).toBe('2.983');
    expect(formatNumber(0.0002)).toBe('2.00e-4');
    expect(formatNumber(Number.NaN)).toBe('–');
    expect(percent(3, 4)).toBe(75);
    expect(percent(5, 0)).toBe(0);
  });

  it('names runs and jobs with their mode, mix and headline metric', () => {
    expect(runTitle(run({}))).toBe('Segmentation #5 (multitask, depthmix)');
    expect(runTitle(run({ kind: 'sde', mode: null, config: { net: 'small' } }))).toBe('SDE pretraining #5');
    expect(configSummary(run({}).config)).toBe('tiny net, 32×64, lr 0.01, 12 labelled');
    expect(headlineMetric(run({}))).toEqual({ label: 'mIoU', value: '41.2' });
    expect(headlineMetric(run({ kind: 'sde', metrics: { absRel: 0.61372 } }))).toEqual({ label: 'abs rel', value: '0.614' });
    expect(headlineMetric(run({ metrics: {} }))).toBeNull();
    expect(jobTitle({ kind: 'seg', runId: 7, settings: { mode: 'transfer', mix: 'classmix' } })).toBe('Retraining #7 (transfer, classmix)');
    expect(jobTitle({ kind: 'sde', runId: null, settings: {} })).toBe('SDE pretraining');
    expect(jobTitle({ kind: 'select', runId: null, settings: { method: 'ds', budget: 5 } })).toBe('Selection round (ds, 5 frames)');
  });

  it('picks round ticks and labels them with the decimals their spacing needs', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(2.9712, 2.9891, 4)).toEqual([2.975, 2.98, 2.985]);
    expect(niceTicks(1, 1)).toEqual([1]);
    expect(tickLabels([2.975, 2.98, 2.985])).toEqual(['2.975', '2.980', '2.985']);
    expect(tickLabels([0, 500, 1000])).toEqual(['0', '500', '1000']);
    expect(tickLabels([0.0001, 0.0002])).toEqual(['1e-4', '2e-4']);
    expect(tickLabels([0.0001, 0.00015])).toEqual(['1.0e-4', '1.5e-4']);
  });

  it('maps points into the chart box (y up), padding the value range', () => {
    expect(valueDomain([])).toEqual([0, 1]);
    expect(valueDomain([[{ step: 1, value: 0 }, { step: 2, value: 10 }]])).toEqual([-0.5, 10.5]);
    const [lo, hi] = valueDomain([[{ step: 1, value: 2 }]]);
    expect(lo).toBeLessThan(2);
    expect(hi).toBeGreaterThan(2);
    const d = linePath(
      [
        { step: 0, value: 0 },
        { step: 50, value: 5 },
        { step: 100, value: 10 },
      ],
      [0, 100],
      [0, 10],
      200,
      100,
    );
    expect(d).toBe('M0.0,100.0 L100.0,50.0 L200.0,0.0');
  });
});
