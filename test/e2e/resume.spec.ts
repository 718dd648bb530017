/**
 * Cancel pauses a training run at a checkpoint; Resume continues the same run where it stopped
 * (trainingResume), from the progress card and from the runs table.
 */
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import type { createService } from '../../src/core/api/service';
import { consoleErrors } from './helpers';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });
test.setTimeout(240_000);

const JOB_MS = 90_000;
const STEPS = 12;

/** Starts a tiny SDE run from the app and cancels it once it has trained a step; returns its run id and the step it paused at. */
async function startAndPause(page: Page): Promise<{ runId: number; pausedAt: number }> {
  const card = page.getByTestId('job-progress');
  const before = (await card.count()) > 0 ? await card.getAttribute('data-run') : null;
  await page.getByTestId('train-sde').click();
  // Only the new job can be running (the card showed the last one, paused).
  await expect(card).toHaveAttribute('data-state', 'running', { timeout: JOB_MS });
  await expect(card).toHaveAttribute('data-run', /^\d+$/);
  expect(await card.getAttribute('data-run')).not.toBe(before);
  await expect(page.getByTestId('job-step')).toHaveText(new RegExp(`^([1-9]|1[01]) / ${STEPS}$`), { timeout: JOB_MS });
  await page.getByTestId('cancel-job').click();
  await expect(card).toHaveAttribute('data-state', 'paused', { timeout: JOB_MS });
  const runId = Number(await card.getAttribute('data-run'));
  await expect(page.getByTestId(`run-row-${runId}`)).toHaveAttribute('data-status', 'paused');
  const pausedAt = Number((await page.getByTestId('job-step').textContent())!.split('/')[0]);
  expect(pausedAt).toBeGreaterThan(0);
  expect(pausedAt).toBeLessThan(STEPS);
  return { runId, pausedAt };
}

/** The run finished in place: same id, every step once, continuing after the pause. */
async function expectContinued(service: ReturnType<typeof createService>, projectId: number, runId: number, pausedAt: number): Promise<void> {
  const run = (await service.trainingRuns({ projectId })).find((r) => r.id === runId)!;
  expect([run.status, run.step, run.totalSteps, run.resumable]).toEqual(['done', STEPS, STEPS, false]);
  const loss = (await service.trainingHistory({ projectId, runId })).series.find((s) => s.name === 'loss')!;
  expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
  expect(pausedAt).toBeLessThan(STEPS);
}

test('Cancel pauses an SDE run; "Resume from step N" and the runs table\'s Resume continue the same runs to the end', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  const dir = join(workDir, 'resume');
  const created = await service.projectCreate({ dir, synthetic: { sequences: 2, height: 32, width: 64, seed: 7 } });
  await service.projectClose({ projectId: created.projectId });
  await page.setViewportSize({ width: 1400, height: 1400 });
  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button', { name: 'resume' }).click();
  await expect(page.getByTestId('overview')).toBeVisible();
  const { projectId } = await service.projectOpen({ dir });

  await page.getByTestId('nav-training').click();
  await page.getByTestId('sde-advanced').locator('summary').click();
  await page.getByTestId('sde-net').selectOption('tiny');
  await page.getByTestId('sde-height').fill('32');
  await page.getByTestId('sde-width').fill('64');
  await page.getByTestId('sde-batchSize').fill('1');
  await page.getByTestId('sde-steps').fill(String(STEPS));

  // Two runs, each cancelled mid-way: two paused runs.
  const first = await startAndPause(page);
  const second = await startAndPause(page);
  expect(second.runId).not.toBe(first.runId);
  const paused = (await service.trainingRuns({ projectId })).filter((r) => r.status === 'paused');
  expect(paused.map((r) => [r.id, r.checkpointStep, r.resumable])).toEqual([
    [first.runId, first.pausedAt, true],
    [second.runId, second.pausedAt, true],
  ]);

  // The progress card resumes the run it shows.
  const card = page.getByTestId('job-progress');
  await expect(page.getByTestId('resume-job')).toHaveText(`Resume from step ${second.pausedAt}`);
  await page.getByTestId('resume-job').click();
  await expect(page.getByTestId('job-resumed')).toHaveText(`Resumed from step ${second.pausedAt}.`, { timeout: JOB_MS });
  await expect(card).toHaveAttribute('data-state', 'done', { timeout: JOB_MS });
  await expect(card).toHaveAttribute('data-run', String(second.runId));
  await expect(page.getByTestId(`run-row-${second.runId}`)).toContainText(`${STEPS} / ${STEPS}`);
  await expectContinued(service, projectId, second.runId, second.pausedAt);

  // The runs table resumes the other one.
  await expect(page.getByTestId(`resume-run-${second.runId}`)).toHaveCount(0);
  await page.getByTestId(`resume-run-${first.runId}`).click();
  await expect(card).toHaveAttribute('data-run', String(first.runId), { timeout: JOB_MS });
  await expect(page.getByTestId('job-resumed')).toHaveText(`Resumed from step ${first.pausedAt}.`, { timeout: JOB_MS });
  await expect(card).toHaveAttribute('data-state', 'done', { timeout: JOB_MS });
  await expect(page.getByTestId(`run-row-${first.runId}`)).toHaveAttribute('data-status', 'done');
  await expectContinued(service, projectId, first.runId, first.pausedAt);
  // Still two runs: resuming made no new one.
  expect((await service.trainingRuns({ projectId })).map((r) => r.id)).toEqual([first.runId, second.runId]);
  expect(errors).toEqual([]);
});
