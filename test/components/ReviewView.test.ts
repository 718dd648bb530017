import { enableAutoUnmount, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewFrameData, RunEvaluation, RunSummary } from '../../src/core/api/contract';
import { useProjectStore } from '../../src/renderer/src/stores/project';
import ReviewView from '../../src/renderer/src/views/ReviewView.vue';
import { freshPinia, installFakeApi, settle } from './fakeApi';
import { PROJECT } from './fixtures';

const fake = installFakeApi();
let pinia: Pinia;
enableAutoUnmount(afterEach);

const summary = (o: Partial<RunSummary> & Pick<RunSummary, 'id'>): RunSummary => ({
  kind: 'seg',
  mode: 'multitask',
  status: 'done',
  parentRunId: 2,
  createdAt: '2025-03-01T09:00:00Z',
  finishedAt: '2025-03-01T09:30:00Z',
  checkpointStep: 200,
  segments: true,
  depth: true,
  miou: null,
  ...o,
});
const RUNS = [
  summary({ id: 1, mode: 'scratch', miou: 30 }),
  summary({ id: 2, kind: 'sde', mode: null, segments: false, checkpointStep: 100 }),
  summary({ id: 3, miou: 38.2 }),
  summary({ id: 5, miou: 41.26 }),
];

function confusion(): number[][] {
  const m = Array.from({ length: 19 }, () => new Array<number>(19).fill(0));
  m[0]![0] = 80;
  m[0]![1] = 20;
  return m;
}
const evaluation = (runId: number): RunEvaluation => ({
  run: RUNS.find((r) => r.id === runId)!,
  step: 200,
  source: 'checkpoint',
  miou: runId === 5 ? 41.26 : 38.2,
  perClass: [
    { classId: 0, name: 'road', iou: runId === 5 ? 80.04 : 75 },
    { classId: 1, name: 'sidewalk', iou: null },
  ],
  confusion: confusion(),
  history: [],
});

function frame(frameId: number, segRunId = 5): ReviewFrameData {
  return {
    frameId,
    imagePath: `leftImg8bit/val/synth/f${frameId}.png`,
    split: 'val',
    width: 128,
    height: 64,
    imageDataUrl: `data:image/png;base64,IMG${frameId}`,
    prediction: { runId: segRunId, kind: 'seg', mode: 'multitask', step: 200, frameId, width: 128, height: 64, dataUrl: `data:image/png;base64,PRED${frameId}` },
    depth: null,
    groundTruth: { source: 'mask', dataUrl: `data:image/png;base64,GT${frameId}` },
    error: { dataUrl: `data:image/png;base64,ERR${frameId}`, labelledPixels: 8192, wrongPixels: 1229, accuracy: 85.0 },
    notes: ['depth: the SDE run #2 has no checkpoint that reads back'],
  };
}

beforeEach(() => {
  pinia = freshPinia();
  fake.reset({
    reviewRuns: () => ({ runs: RUNS, latestSeg: 5, latestDepth: 2 }),
    reviewFrames: () => [
      { frameId: 21, imagePath: 'leftImg8bit/val/synth/f21.png', split: 'val', width: 128, height: 64, hasGroundTruth: true, maskStatus: 'done' },
      { frameId: 22, imagePath: 'leftImg8bit/val/synth/f22.png', split: 'val', width: 128, height: 64, hasGroundTruth: false, maskStatus: 'todo' },
      { frameId: 23, imagePath: 'leftImg8bit/val/synth/f23.png', split: 'val', width: 128, height: 64, hasGroundTruth: true, maskStatus: 'done' },
    ],
    reviewFrame: (p) => frame(p.frameId, p.segRunId),
    reviewEvaluation: (p) => evaluation(p.runId ?? 5),
    reviewCompare: (p) => ({
      a: evaluation(p.runA),
      b: evaluation(p.runB),
      miouDelta: 3.06,
      perClass: [{ classId: 0, name: 'road', a: 75, b: 80.04, delta: 5.04 }],
    }),
  });
  const project = useProjectStore();
  project.project = PROJECT;
  project.view = 'review';
});

async function mountReview() {
  const w = mount(ReviewView, { global: { plugins: [pinia] } });
  await settle();
  return w;
}

describe('ReviewView', () => {
  it('shows the frame\'s image, prediction, depth, ground truth and error side by side, saying why a part is missing', async () => {
    const w = await mountReview();
    expect(fake.paramsOf('reviewFrame')).toEqual([{ projectId: 1, frameId: 21 }]);
    const panel = (key: string) => w.get(`[data-testid="panel-${key}"]`);
    expect(panel('image').get('img').attributes('src')).toBe('data:image/png;base64,IMG21');
    expect(panel('image').get('figcaption').text()).toBe('Image 128×64, val');
    expect(panel('prediction').get('img').attributes('src')).toBe('data:image/png;base64,PRED21');
    expect(panel('prediction').get('figcaption').text()).toBe('Prediction run #5 (multitask), step 200');
    expect(panel('depth').find('img').exists()).toBe(false);
    expect(panel('depth').get('.missing').text()).toBe('the SDE run #2 has no checkpoint that reads back');
    expect(panel('groundTruth').get('figcaption').text()).toBe('Ground truth painted mask');
    expect(panel('error').get('figcaption').text()).toBe(
      'Error 1229 of 8192 labelled pixels wrong (accuracy 85.0%); red wrong, grey right, black ignored',
    );
  });

  it('lays the outputs over the image with their own opacity', async () => {
    const w = await mountReview();
    await w.get('[data-testid="layout-overlay"]').trigger('click');
    expect(w.find('[data-testid="review-panels"]').exists()).toBe(false);
    const pred = w.get('[data-testid="overlay-prediction"]');
    expect((pred.element as HTMLElement).style.opacity).toBe('0.6');
    expect(w.find('[data-testid="overlay-groundTruth"]').exists()).toBe(false);
    await w.get('[data-testid="toggle-groundTruth"]').setValue(true);
    expect(w.get('[data-testid="overlay-groundTruth"]').attributes('src')).toBe('data:image/png;base64,GT21');
    await w.get('input[aria-label="Prediction opacity"]').setValue('0.25');
    expect((w.get('[data-testid="overlay-prediction"]').element as HTMLElement).style.opacity).toBe('0.25');
    // No depth image: its toggle cannot be switched on.
    expect(w.get('[data-testid="toggle-depth"]').attributes('disabled')).toBeDefined();
  });

  it('moves between frames and shows a chosen segmentation run\'s prediction', async () => {
    const w = await mountReview();
    expect(w.findAll('[data-testid="review-frame"] option').map((o) => o.text())).toEqual(['val · f21.png', 'val · f22.png (no label)', 'val · f23.png']);
    await w.get('[data-testid="review-next"]').trigger('click');
    await settle();
    expect(useProjectStore().frameId).toBe(22);
    expect(fake.paramsOf('reviewFrame').at(-1)).toEqual({ projectId: 1, frameId: 22 });
    expect(w.get('[data-testid="panel-image"] img').attributes('src')).toBe('data:image/png;base64,IMG22');

    expect(w.findAll('[data-testid="review-seg-run"] option').map((o) => o.text())).toEqual([
      'latest (#5)',
      '#1 segmentation · scratch · step 200 · mIoU 30.0',
      '#3 segmentation · multitask · step 200 · mIoU 38.2',
      '#5 segmentation · multitask · step 200 · mIoU 41.3',
    ]);
    await w.get('[data-testid="review-seg-run"]').setValue('3');
    await settle();
    expect(fake.paramsOf('reviewFrame').at(-1)).toEqual({ projectId: 1, frameId: 22, segRunId: 3 });
    expect(w.get('[data-testid="panel-prediction"] figcaption').text()).toBe('Prediction run #3 (multitask), step 200');

    // Back past the first frame: the last one.
    await w.get('[data-testid="review-prev"]').trigger('click');
    await w.get('[data-testid="review-prev"]').trigger('click');
    await settle();
    expect(useProjectStore().frameId).toBe(23);
  });

  it('shows the latest run\'s per-class IoU and confusion matrix, and compares the two newest evaluated runs', async () => {
    const w = await mountReview();
    expect(w.get('[data-testid="eval-source"]').text()).toBe('#5 segmentation · multitask · step 200 · mIoU 41.3, evaluated at step 200');
    expect(w.findAll('[data-testid="iou-table"] tbody tr').map((r) => r.findAll('td').slice(0, 2).map((t) => t.text()))).toEqual([
      ['road', '80.0'],
      ['sidewalk', '–'],
    ]);
    expect(w.get('[data-testid="miou"]').text()).toBe('41.3');
    expect(w.findAll('[data-testid="confusion-grid"] tbody tr')[0]!.findAll('td').slice(0, 2).map((t) => t.text())).toEqual(['80', '20']);
    expect(fake.paramsOf('reviewCompare')).toEqual([{ projectId: 1, runA: 3, runB: 5 }]);
    expect(w.get('[data-testid="miou-delta"]').text()).toBe('+3.1');

    await w.get('[data-testid="review-eval-run"]').setValue('3');
    await settle();
    expect(fake.paramsOf('reviewEvaluation').at(-1)).toEqual({ projectId: 1, runId: 3 });
    expect(w.get('[data-testid="miou"]').text()).toBe('38.2');
  });

  it('says so when no segmentation run has finished', async () => {
    fake.handlers.reviewRuns = () => ({ runs: [], latestSeg: null, latestDepth: null });
    fake.handlers.reviewEvaluation = () => null;
    const w = await mountReview();
    expect(w.text()).toContain('No segmentation run has finished yet.');
    expect(w.text()).toContain('Two evaluated segmentation runs are needed.');
    expect(w.find('[data-testid="iou-table"]').exists()).toBe(false);
    expect(fake.paramsOf('reviewCompare')).toEqual([]);
  });
});
