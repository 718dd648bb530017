import type { Page } from '@playwright/test';
import { join } from 'node:path';
import type { createService } from '../../src/core/api/service';
import { openProject } from '../../src/core/project/openProject';
import { addFinishedRun } from '../api/savedRuns';
import { useCpuEngine } from '../ml/nets/netSetup';
import { consoleErrors, openFirstQueuedFrame, stroke } from './helpers';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });

const SYNTH = { sequences: 2, height: 64, width: 128, seed: 5 };

/**
 * A synthetic project with a finished SDE run (untrained weights, with a pose network), its
 * first queued frame opened and painted: sky (class 10, Shift+1) across the top, road (key 1)
 * across the bottom, each stroke saved as its own version.
 */
async function paintFirstFrameOfClipProject(page: Page, url: string, service: ReturnType<typeof createService>, dir: string) {
  const { projectId } = await service.projectCreate({ dir, synthetic: SYNTH });
  const p = await openProject(dir);
  try {
    await addFinishedRun(p.store, p.project.id, { kind: 'sde', net: 'depth', seed: 12, pose: true });
  } finally {
    await p.close();
  }
  const frameId = (await service.frameList({ projectId }))[0]!.frameId;
  const { nextInClip: next, previousInClip: previous } = await service.frameGet({ projectId, frameId });
  await page.goto(url);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await openFirstQueuedFrame(page);
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('Shift+Digit1');
  const box = (await page.getByTestId('annotator-viewport').boundingBox())!;
  const save = page.getByTestId('save-state');
  // Each stroke waits for its own save: two strokes within the autosave's debounce would be
  // stored as one version.
  await stroke(page, -box.height * 0.3);
  await expect(save).toHaveAttribute('data-version', '1');
  await page.keyboard.press('Digit1');
  await stroke(page, box.height * 0.3);
  await expect(save).toHaveAttribute('data-version', '2');
  return { projectId, frameId, next: next!, previous: previous! };
}

test('Next frame in clip: the painted frame is marked done, its neighbour opens with the carried proposal, A accepts it, Ctrl+Z offers it again', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  await useCpuEngine();
  const { projectId, frameId, next } = await paintFirstFrameOfClipProject(page, host.url, service, join(workDir, 'clip'));
  const save = page.getByTestId('save-state');

  await expect(page.getByTestId('next-in-clip')).toBeEnabled();
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('KeyN');
  await expect(page.getByTestId('frame-path')).toHaveText(/_000020_leftImg8bit\.png$/);
  expect((await service.frameGet({ projectId, frameId })).status).toBe('done');
  const carried = page.getByTestId('carried-status');
  await expect(carried).toContainText(/% carried from the frame before by SDE run #\d+; [\d,]+ px left unpainted \([\d,]+ out of view, [\d,]+ hidden or unsure, [\d,]+ of another colour there/);
  await expect(page.getByTestId('assist-accept')).toBeEnabled();
  expect((await service.frameGet({ projectId, frameId: next })).maskBase64).toBeNull();

  // A takes the proposal as it is: the saved mask is the carried one, 255 where nothing was carried.
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('KeyA');
  await expect(save).toHaveAttribute('data-version', '1');
  await expect(carried).toBeHidden();
  const saved = Buffer.from((await service.frameGet({ projectId, frameId: next })).maskBase64!, 'base64');
  const proposal = Buffer.from((await service.framePropagate({ projectId, frameId })).proposalBase64, 'base64');
  expect(saved.equals(proposal)).toBe(true);
  expect(saved.filter((v) => v !== 255).length).toBeGreaterThan(0);
  expect([...new Set(saved)].every((v) => v === 0 || v === 10 || v === 255)).toBe(true);

  // Ctrl+Z undoes the accept and offers the carried proposal again; A takes it again.
  await page.keyboard.press('Control+KeyZ');
  await expect(carried).toBeVisible();
  await expect(save).toHaveAttribute('data-version', '2');
  expect(Buffer.from((await service.frameGet({ projectId, frameId: next })).maskBase64!, 'base64').every((v) => v === 255)).toBe(true);
  await page.keyboard.press('KeyA');
  await expect(carried).toBeHidden();
  await expect(save).toHaveAttribute('data-version', '3');
  expect(Buffer.from((await service.frameGet({ projectId, frameId: next })).maskBase64!, 'base64').equals(proposal)).toBe(true);
  expect(errors).toEqual([]);
});

test('Previous frame in clip: Shift+N marks the painted frame done and opens the frame before it with the mask carried back', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  await useCpuEngine();
  const { projectId, frameId, previous } = await paintFirstFrameOfClipProject(page, host.url, service, join(workDir, 'clipBack'));
  await expect(page.getByTestId('previous-in-clip')).toBeEnabled();
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('Shift+KeyN');
  await expect(page.getByTestId('frame-path')).toHaveText(/_000018_leftImg8bit\.png$/);
  expect((await service.frameGet({ projectId, frameId })).status).toBe('done');
  const carried = page.getByTestId('carried-status');
  await expect(carried).toContainText(/% carried from the frame after by SDE run #\d+/);
  await page.getByTestId('assist-accept').click();
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-version', '1');
  const saved = Buffer.from((await service.frameGet({ projectId, frameId: previous })).maskBase64!, 'base64');
  const proposal = Buffer.from((await service.framePropagate({ projectId, frameId, offset: -1 })).proposalBase64, 'base64');
  expect(saved.equals(proposal)).toBe(true);
  expect(saved.filter((v) => v !== 255).length).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('Next frame in clip says why it cannot carry the mask in a project without an SDE run', async ({ page, host, service, workDir }) => {
  await service.projectCreate({ dir: join(workDir, 'no-sde'), synthetic: SYNTH });
  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await openFirstQueuedFrame(page);
  await expect(page.getByTestId('next-in-clip')).toBeDisabled();
  await expect(page.getByTestId('next-in-clip-note')).toHaveText('no SDE run yet: train one (Training, SDE pretraining) to carry masks along the clip');
});

test('Next frame in clip with the assist on: the classifier proposes what the warp left unpainted, the carried pixels stay; A takes both', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  await useCpuEngine();
  const { projectId, frameId, next } = await paintFirstFrameOfClipProject(page, host.url, service, join(workDir, 'clipAssist'));
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('KeyN');
  await expect(page.getByTestId('frame-path')).toHaveText(/_000020_leftImg8bit\.png$/);
  const carried = page.getByTestId('carried-status');
  await expect(carried).toContainText('% carried from the frame before');
  await expect(carried).not.toContainText('the assist proposes');

  const warped = Buffer.from((await service.framePropagate({ projectId, frameId })).proposalBase64, 'base64');
  const unpainted = warped.filter((v) => v === 255).length;
  expect(unpainted).toBeGreaterThan(0);
  await page.getByTestId('assist-toggle').check();
  await expect(carried).toContainText(`the assist proposes ${unpainted.toLocaleString('en-US')} px of the rest`);
  await expect(carried).toHaveAttribute('data-added', String(unpainted));

  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('KeyA');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-version', '1');
  const saved = Buffer.from((await service.frameGet({ projectId, frameId: next })).maskBase64!, 'base64');
  expect(saved.filter((v) => v === 255).length).toBe(0);
  expect(saved.every((v, i) => warped[i] === 255 || v === warped[i])).toBe(true);
  expect(errors).toEqual([]);
});
