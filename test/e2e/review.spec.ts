import { openFirstQueuedFrame, stroke } from './helpers';
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import type { createService } from '../../src/core/api/service';
import { openProject } from '../../src/core/project/openProject';
import { addFinishedRun, segMetrics } from '../api/savedRuns';
import { useCpuEngine } from '../ml/nets/netSetup';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });

/** A synthetic project with two finished segmentation runs and an SDE run, each with a tiny saved model. */
async function projectWithModels(service: ReturnType<typeof createService>, dir: string): Promise<{ projectId: number; segOld: number; segNew: number; sde: number }> {
  await useCpuEngine();
  const { projectId } = await service.projectCreate({ dir, synthetic: { sequences: 2, height: 64, width: 128, seed: 5 } });
  const p = await openProject(dir);
  try {
    const segOld = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'seg', mode: 'scratch', metrics: segMetrics(0.45), seed: 11 });
    const sde = await addFinishedRun(p.store, p.project.id, { kind: 'sde', net: 'depth', seed: 12 });
    const segNew = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'seg', mode: 'transfer', metrics: segMetrics(0.75, 17), seed: 13 });
    return { projectId, segOld: segOld.id, segNew: segNew.id, sde: sde.id };
  } finally {
    await p.close();
  }
}

async function openRecent(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await expect(page.getByTestId('overview')).toBeVisible();
}

/** The image decoded in the page (naturalWidth > 0), not only present in the DOM. */
async function expectDecoded(page: Page, selector: string): Promise<void> {
  const img = page.locator(selector);
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
}

test('the review shows prediction, depth, ground truth and error of a frame, the IoU table and a comparison', async ({ page, host, service, workDir }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const runs = await projectWithModels(service, join(workDir, 'review'));
  await page.setViewportSize({ width: 1500, height: 1300 });
  await openRecent(page, host.url);
  await page.getByTestId('go-review').click();

  await expect(page.getByTestId('review')).toBeVisible();
  for (const part of ['image', 'prediction', 'depth', 'groundTruth', 'error']) await expectDecoded(page, `[data-testid=panel-${part}] img`);
  await expect(page.getByTestId('panel-prediction')).toContainText(`run #${runs.segNew}`);
  await expect(page.getByTestId('panel-depth')).toContainText(`run #${runs.sde} (SDE)`);
  await expect(page.getByTestId('panel-error')).toContainText(/labelled pixels wrong/);

  const table = page.getByTestId('iou-table');
  await expect(table.locator('tbody tr')).toHaveCount(19);
  await expect(page.getByTestId('iou-row-0')).toContainText('road');
  await expect(page.getByTestId('iou-row-18')).toContainText('–'); // bicycle never occurred
  await expect(page.getByTestId('miou')).toHaveText(segMetrics(0.75, 17).miou.toFixed(1));
  await expect(page.getByTestId('confusion-grid').locator('tbody tr')).toHaveCount(19);
  const delta = segMetrics(0.75, 17).miou - segMetrics(0.45).miou;
  await expect(page.getByTestId('miou-delta')).toHaveText(`+${delta.toFixed(1)}`);

  // Another run for the prediction, the next frame, the overlay layout.
  await page.getByTestId('review-seg-run').selectOption(String(runs.segOld));
  await expect(page.getByTestId('panel-prediction')).toContainText(`run #${runs.segOld}`);
  if (process.env['DEPTHSEG_SCREENSHOTS']) {
    await page.getByTestId('review-seg-run').selectOption('0');
    await expect(page.getByTestId('panel-prediction')).toContainText(`run #${runs.segNew}`);
    await page.screenshot({ path: join(process.env['DEPTHSEG_SCREENSHOTS'], 'review.png'), fullPage: true });
  }
  const first = await page.getByTestId('review-frame').inputValue();
  await page.getByTestId('review-next').click();
  await expect(page.getByTestId('review-frame')).not.toHaveValue(first);
  await expectDecoded(page, '[data-testid=panel-prediction] img');
  await page.getByTestId('layout-overlay').click();
  await expectDecoded(page, '[data-testid=overlay-prediction]');
  await page.getByTestId('toggle-depth').check();
  await expectDecoded(page, '[data-testid=overlay-depth]');
  expect(errors).toEqual([]);
});

test('the annotator starts from the prediction, asks before painting over a mask, and shows the depth layer', async ({ page, host, service, workDir }) => {
  const { projectId } = await projectWithModels(service, join(workDir, 'annotate'));
  await openRecent(page, host.url);
  await openFirstQueuedFrame(page);
  const frameId = (await service.frameList({ projectId }))[0]!.frameId;
  const prediction = (await service.reviewPrediction({ projectId, frameId })).classIdsBase64;
  const save = page.getByTestId('save-state');

  // An empty mask: filled at once, saved as one step.
  await page.getByTestId('start-from-prediction').click();
  await expect(save).toHaveAttribute('data-version', '1');
  await expect(save).toHaveAttribute('data-state', 'saved');
  expect((await service.frameGet({ projectId, frameId })).maskBase64).toBe(prediction);

  // Undo brings the empty mask back; a painted stroke is then not overwritten without asking.
  await page.getByTestId('undo').click();
  await expect(save).toHaveAttribute('data-version', '2');
  await stroke(page);
  await expect(save).toHaveAttribute('data-version', '3');
  const painted = (await service.frameGet({ projectId, frameId })).maskBase64;
  expect(painted).not.toBe(prediction);
  await page.getByTestId('start-from-prediction').click();
  await expect(page.getByTestId('confirm-prediction')).toContainText('painted pixels');
  await page.getByTestId('confirm-prediction-no').click();
  await expect(page.getByTestId('confirm-prediction')).toBeHidden();
  expect((await service.frameGet({ projectId, frameId })).maskBase64).toBe(painted);
  await page.getByTestId('start-from-prediction').click();
  await page.getByTestId('confirm-prediction-yes').click();
  await expect(save).toHaveAttribute('data-version', '4');
  await expect(save).toHaveAttribute('data-state', 'saved');
  expect((await service.frameGet({ projectId, frameId })).maskBase64).toBe(prediction);

  // The depth layer: hide the mask, then the canvas changes when the depth is shown over the image.
  await page.getByTestId('show-mask').uncheck();
  const viewport = page.getByTestId('annotator-viewport');
  const without = await viewport.screenshot();
  await page.getByTestId('show-depth').check();
  await expect(page.getByTestId('depth-opacity')).toBeEnabled();
  await expect.poll(async () => Buffer.compare(await viewport.screenshot(), without)).not.toBe(0);
  await page.getByTestId('depth-opacity').fill('0');
  await expect.poll(async () => Buffer.compare(await viewport.screenshot(), without)).toBe(0);
});
