import { join } from 'node:path';
import { importLabels } from '../../src/core/project/importLabels';
import { openProject } from '../../src/core/project/openProject';
import { listFrames } from '../../src/core/store';
import { test, expect } from './hostFixture';

// Training runs in the host's worker thread: generous, but far below the test's own limit.
test.use({ actionTimeout: 15_000 });
test.setTimeout(180_000);

const JOB_MS = 60_000;

test('SDE pretraining and a retrain from the training view: live progress, history; suggest more', async ({ page, host, workDir }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.setViewportSize({ width: 1400, height: 1500 });
  await page.goto(host.url);
  const dir = join(workDir, 'train');
  await page.getByTestId('project-dir').fill(dir);
  await page.getByTestId('source-synthetic').check();
  await page.getByTestId('synth-sequences').fill('4');
  await page.getByTestId('synth-height').fill('32');
  await page.getByTestId('synth-width').fill('64');
  await page.getByTestId('create-project').click();
  await expect(page.getByTestId('overview')).toBeVisible({ timeout: 30_000 }); // generating the synthetic clips takes a while on a busy machine
  // Two frames with finished masks (the dataset's own labels), as if an annotator had painted them.
  const p = await openProject(dir);
  await importLabels(p, { frameIds: (await listFrames(p.store, { split: 'train', keyframesOnly: true })).slice(0, 2).map((f) => f.id) });
  await p.close();

  await page.getByTestId('nav-training').click();
  await expect(page.getByTestId('training')).toBeVisible();
  // Without an SDE model, Retrain would train from scratch and says so; after SDE pretraining it transfers (below).
  await expect(page.getByTestId('retrain')).toBeEnabled();
  await expect(page.getByTestId('retrain-note')).toHaveText(
    'This project has no SDE model yet, so the default transfer became scratch (after SDE pretraining, runs start from its encoder).',
  );

  // SDE pretraining with tiny settings from the advanced panel.
  await page.getByTestId('sde-advanced').locator('summary').click();
  await page.getByTestId('sde-net').selectOption('tiny');
  await page.getByTestId('sde-height').fill('32');
  await page.getByTestId('sde-width').fill('64');
  await page.getByTestId('sde-batchSize').fill('2');
  await page.getByTestId('sde-steps').fill('20');
  await page.getByTestId('train-sde').click();

  // Live progress (cancel and resume have their own test: resume.spec.ts).
  const card = page.getByTestId('job-progress');
  await expect(card).toHaveAttribute('data-state', 'running', { timeout: JOB_MS });
  await expect(page.getByTestId('job-step')).toHaveText(/^([1-9]|1[0-5]) \/ 20$/, { timeout: JOB_MS });
  await expect(page.getByTestId('job-loss')).toHaveText(/\d/);
  await expect(page.getByTestId('job-eta')).toHaveText(/\d+ (s|min)/);
  const runId = await card.getAttribute('data-run');
  expect(Number(runId)).toBeGreaterThan(0);
  await expect(page.getByTestId(`run-row-${runId}`)).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('train-sde')).toBeDisabled(); // one job at a time
  await expect(card).toHaveAttribute('data-state', 'done', { timeout: JOB_MS });
  await expect(page.getByTestId(`run-row-${runId}`)).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId(`run-row-${runId}`)).toContainText('20 / 20');
  await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(20);

  // Retrain (transfer from that SDE run's encoder, the default), a few steps.
  await expect(page.getByTestId('retrain')).toBeEnabled();
  await expect(page.getByTestId('retrain-note')).toHaveCount(0);
  await page.getByTestId('seg-advanced').locator('summary').click();
  await expect(page.getByTestId('seg-net')).toHaveValue('tiny'); // the SDE run's net and size by default
  await expect(page.getByTestId('seg-height')).toHaveValue('32');
  await page.getByTestId('seg-steps').fill('3');
  await page.getByTestId('retrain').click();
  await expect(page.getByTestId('job-title')).toContainText('(transfer, none)');
  await expect(card).toHaveAttribute('data-state', 'done', { timeout: JOB_MS });
  await expect(page.getByTestId('job-miou')).toHaveText(/^\d+\.\d$/);
  const segRun = await card.getAttribute('data-run');
  const row = page.getByTestId(`run-row-${segRun}`);
  await expect(row).toHaveAttribute('data-status', 'done');
  await expect(row).toContainText('Segmentation');
  await expect(row).toContainText(/mIoU \d+\.\d/);
  await expect.poll(async () => Number(await page.getByTestId('eval-chart').getAttribute('data-points'))).toBeGreaterThan(0);
  if (process.env['DEPTHSEG_SCREENSHOTS']) await page.screenshot({ path: join(process.env['DEPTHSEG_SCREENSHOTS'], 'training.png'), fullPage: true });

  // Suggest more from the queue: one selection round in the background, the queue grows.
  await page.getByTestId('nav-queue').click();
  const rows = page.getByTestId('queue-table').locator('tbody tr');
  await expect(rows).toHaveCount(3); // the train clips' keyframes while no round has run
  await page.getByTestId('suggest-budget').fill('1');
  await page.getByTestId('suggest-method').selectOption('ds');
  await page.getByTestId('suggest-more').click();
  await expect(page.getByTestId('suggest-status')).toHaveAttribute('data-state', 'done', { timeout: JOB_MS });
  await expect(page.getByTestId('suggest-status')).toContainText('1 frame added to the queue');
  await expect(rows).toHaveCount(1); // now the round's pick (the two labelled keyframes count as selected)
  await expect(rows.first()).toContainText('ds: score');
  expect(errors).toEqual([]);
});
