import { join } from 'node:path';
import { canvasReady, openFirstQueuedFrame, stroke } from './helpers';
import { test, expect } from './hostFixture';

// Fail with a message instead of hanging until the test's own timeout.
test.use({ actionTimeout: 15_000 });



const painted = (maskBase64: string | null): number =>
  maskBase64 === null ? 0 : [...Buffer.from(maskBase64, 'base64')].filter((v) => v !== 255).length;

test('create from synthetic data, paint, undo, paint, autosave, reload, mark done', async ({ page, host, service, workDir }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(host.url);
  const dir = join(workDir, 'street');
  await page.getByTestId('project-dir').fill(dir);
  await page.getByTestId('source-synthetic').check();
  await page.getByTestId('synth-sequences').fill('2');
  await page.getByTestId('synth-height').fill('64');
  await page.getByTestId('synth-width').fill('128');
  await page.getByTestId('create-project').click();

  await expect(page.getByTestId('overview')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('stat-frames')).not.toHaveText('0');
  await page.getByTestId('go-queue').click();
  await page.getByTestId('open-frame').first().click();

  const save = page.getByTestId('save-state');
  await expect(page.getByTestId('frame-path')).toBeVisible();
  await canvasReady(page);
  // The project the page opened (opening the open folder again gives its id, and changes nothing).
  const { projectId } = await service.projectOpen({ dir });
  const frameId = (await service.frameList({ projectId }))[0]!.frameId;

  await stroke(page, 0);
  await expect(save).toHaveAttribute('data-state', 'saved');
  await expect(save).toHaveAttribute('data-version', '1');
  expect(painted((await service.frameGet({ projectId, frameId })).maskBase64)).toBeGreaterThan(0);

  await page.getByTestId('undo').click();
  await expect(save).toHaveAttribute('data-version', '2');
  expect(painted((await service.frameGet({ projectId, frameId })).maskBase64)).toBe(0);

  await stroke(page, 5);
  await expect(save).toHaveAttribute('data-version', '3');
  await expect(save).toHaveAttribute('data-state', 'saved');
  const before = (await service.frameGet({ projectId, frameId })).maskBase64;
  expect(painted(before)).toBeGreaterThan(0);

  await page.reload();
  await canvasReady(page);
  await expect(save).toHaveAttribute('data-version', '3');
  expect((await service.frameGet({ projectId, frameId })).maskBase64).toBe(before);

  await page.getByTestId('mark-done').click();
  await expect.poll(async () => (await service.frameGet({ projectId, frameId })).status).toBe('done');
  expect((await service.frameGet({ projectId, frameId })).maskBase64).toBe(before);
  await page.getByTestId('nav-queue').click();
  await expect(page.getByTestId(`queue-row-${frameId}`)).toContainText('done');
  expect(errors).toEqual([]);
});

test('the start screen lists a recent project and opens it', async ({ page, host, service, workDir }) => {
  const dir = join(workDir, 'p');
  const { projectId } = await service.projectCreate({ dir, synthetic: { sequences: 2, height: 64, width: 128, seed: 2 } });
  await service.projectClose({ projectId });
  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button', { name: 'p' }).click();
  await expect(page.getByTestId('project-name')).toHaveText('p');
  await expect(page.getByTestId('overview')).toBeVisible();
});

test('a save from another window first shows a conflict and the stroke is not written over it', async ({ page, host, service, workDir }) => {
  const { projectId } = await service.projectCreate({ dir: join(workDir, 'c'), synthetic: { sequences: 2, height: 64, width: 128, seed: 4 } });
  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await openFirstQueuedFrame(page);
  const f = await service.frameGet({ projectId, frameId: (await service.frameList({ projectId }))[0]!.frameId });
  const other = Buffer.alloc(f.width * f.height, 2).toString('base64');
  await service.maskSave({ projectId, frameId: f.frameId, width: f.width, height: f.height, maskBase64: other, expectedVersion: 0 });

  await stroke(page, 0);
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'conflict');
  await expect(page.getByTestId('save-state')).toContainText('another window saved this frame first');
  const stored = await service.frameGet({ projectId, frameId: f.frameId });
  expect([stored.maskVersion, stored.maskBase64]).toEqual([1, other]);
});
