import { join } from 'node:path';
import { consoleErrors, openFirstQueuedFrame, stroke } from './helpers';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });

/** Per superpixel: how many of its pixels the mask paints (not 255), and its size. */
function coverage(maskBase64: string | null, labelsBase64: string, count: number): { painted: number[]; size: number[] } {
  const mask = maskBase64 ? Buffer.from(maskBase64, 'base64') : null;
  const labels = Buffer.from(labelsBase64, 'base64');
  const painted = new Array<number>(count).fill(0);
  const size = new Array<number>(count).fill(0);
  for (let p = 0; p < labels.length / 2; p++) {
    const k = labels.readUInt16LE(2 * p);
    size[k]!++;
    if (mask && mask[p] !== 255) painted[k]!++;
  }
  return { painted, size };
}

test('the superpixel brush paints whole superpixels in two strokes, undo takes back the second; the region fill stays in its region', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  const { projectId } = await service.projectCreate({ dir: join(workDir, 'sp'), synthetic: { sequences: 2, height: 64, width: 128, seed: 3 } });
  const frameId = (await service.frameList({ projectId }))[0]!.frameId;
  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await openFirstQueuedFrame(page);
  const sp = await service.frameSuperpixels({ projectId, frameId });

  // The tool waits for the superpixels, then S picks it.
  await expect(page.getByTestId('tool-superpixel')).toBeEnabled();
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('KeyS');
  await expect(page.getByTestId('tool-superpixel')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('brush-size').fill('2');
  const save = page.getByTestId('save-state');

  await stroke(page, -20);
  await expect(save).toHaveAttribute('data-version', '1');
  const first = (await service.frameGet({ projectId, frameId })).maskBase64;
  await stroke(page, 20);
  await expect(save).toHaveAttribute('data-version', '2');
  await expect(save).toHaveAttribute('data-state', 'saved');
  const second = (await service.frameGet({ projectId, frameId })).maskBase64;

  for (const m of [first, second]) {
    const { painted, size } = coverage(m, sp.labelsBase64, sp.count);
    const partly = painted.filter((n, k) => n > 0 && n < size[k]!).length;
    expect(partly, 'no superpixel is painted in part').toBe(0);
    expect(painted.filter((n) => n > 0).length).toBeGreaterThan(0);
  }
  const whole = (m: string | null) => coverage(m, sp.labelsBase64, sp.count).painted.filter((n) => n > 0).length;
  expect(whole(second)).toBeGreaterThan(whole(first));

  await page.getByTestId('undo').click();
  await expect(save).toHaveAttribute('data-version', '3');
  expect((await service.frameGet({ projectId, frameId })).maskBase64).toBe(first);

  // The region fill (R) on the unpainted sky paints some of the frame, never all of it.
  await page.keyboard.press('KeyR');
  await expect(page.getByTestId('region-tolerance')).toBeVisible();
  const box = (await page.getByTestId('annotator-viewport').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.15);
  await expect(save).toHaveAttribute('data-version', '4');
  const filled = Buffer.from((await service.frameGet({ projectId, frameId })).maskBase64!, 'base64').filter((v) => v !== 255).length;
  const before = Buffer.from(first!, 'base64').filter((v) => v !== 255).length;
  expect(filled).toBeGreaterThan(before);
  expect(filled).toBeLessThan(sp.width * sp.height);
  expect(errors).toEqual([]);
});

test('live assist: after a stroke in each of two classes a proposal appears; accepting one class or all of it is one step each, undo takes it back', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  const { projectId } = await service.projectCreate({ dir: join(workDir, 'assist'), synthetic: { sequences: 2, height: 64, width: 128, seed: 5 } });
  const frameId = (await service.frameList({ projectId }))[0]!.frameId;
  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await openFirstQueuedFrame(page);
  await expect(page.getByTestId('assist-toggle')).toBeEnabled();
  await page.getByTestId('assist-toggle').check();
  const status = page.getByTestId('assist-status');
  await expect(status).toContainText('colour + position features (no SDE or segmentation run in this project)');
  const save = page.getByTestId('save-state');

  // Sky (class 10, Shift+1) across the top, road (class 0, key 1) across the bottom.
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('Shift+Digit1');
  const box = (await page.getByTestId('annotator-viewport').boundingBox())!;
  await stroke(page, -box.height * 0.4);
  await expect(save).toHaveAttribute('data-version', '1');
  await expect(status).toContainText('paint two classes');
  await page.keyboard.press('Digit1');
  await stroke(page, box.height * 0.4);
  await expect(save).toHaveAttribute('data-version', '2');
  await expect(status).not.toHaveAttribute('data-proposed', '0');
  const painted = (await service.frameGet({ projectId, frameId })).maskBase64!;

  // Shift+A takes only the active class (road, key 1) of the proposal; Ctrl+Z takes it back.
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('Shift+KeyA');
  await expect(save).toHaveAttribute('data-version', '3');
  const roadOnly = Buffer.from((await service.frameGet({ projectId, frameId })).maskBase64!, 'base64');
  const before = Buffer.from(painted, 'base64');
  expect(roadOnly.filter((v, i) => v !== before[i] && v !== 0).length).toBe(0);
  expect(roadOnly.filter((v, i) => v !== before[i]).length).toBeGreaterThan(0);
  await page.keyboard.press('Control+KeyZ');
  await expect(save).toHaveAttribute('data-version', '4');
  expect((await service.frameGet({ projectId, frameId })).maskBase64).toBe(painted);

  await page.keyboard.press('KeyA');
  await expect(save).toHaveAttribute('data-version', '5');
  const accepted = Buffer.from((await service.frameGet({ projectId, frameId })).maskBase64!, 'base64');
  expect(accepted.filter((v) => v === 255).length).toBe(0);
  expect(new Set(accepted)).toEqual(new Set([0, 10]));
  await expect(status).toHaveAttribute('data-proposed', '0');

  await page.getByTestId('undo').click();
  await expect(save).toHaveAttribute('data-version', '6');
  expect((await service.frameGet({ projectId, frameId })).maskBase64).toBe(painted);
  expect(errors).toEqual([]);
});

test('live assist runs in a Web Worker: strokes drawn while the worker is busy are saved at once, and the proposal then follows the newest mask', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  const { projectId } = await service.projectCreate({ dir: join(workDir, 'assistWorker'), synthetic: { sequences: 2, height: 64, width: 128, seed: 5 } });
  const frameId = (await service.frameList({ projectId }))[0]!.frameId;
  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await openFirstQueuedFrame(page);
  await page.getByTestId('assist-toggle').check();
  const status = page.getByTestId('assist-status');
  const save = page.getByTestId('save-state');
  const box = (await page.getByTestId('annotator-viewport').boundingBox())!;
  await page.getByTestId('annotator-viewport').focus();
  await page.keyboard.press('Shift+Digit1');
  await stroke(page, -box.height * 0.4);
  await expect(save).toHaveAttribute('data-version', '1');
  await page.keyboard.press('Digit1');
  await stroke(page, box.height * 0.4);
  await expect(status).not.toHaveAttribute('data-proposed', '0');
  await expect(status).toHaveAttribute('data-runs-in', 'worker');
  await expect(status).toContainText('in a worker');

  // Keep the assist's worker busy for 5 s (a long proposal): painting must not wait for it.
  const worker = page.workers().find((w) => w.url().includes('assist'));
  expect(worker, `the assist worker among ${page.workers().map((w) => w.url()).join(', ') || 'no workers'}`).toBeDefined();
  const busy = worker!.evaluate(() => {
    const end = Date.now() + 5000;
    while (Date.now() < end);
  });
  await stroke(page, box.height * 0.2);
  await expect(save).toHaveAttribute('data-version', '3');
  await expect(status).toHaveAttribute('data-computing', 'true'); // its proposal waits behind the busy worker
  await stroke(page, -box.height * 0.2);
  await expect(save).toHaveAttribute('data-version', '4');
  await expect(save).toHaveAttribute('data-state', 'saved');
  await expect(status).toHaveAttribute('data-computing', 'true');
  await busy;

  // The answer for the third stroke's mask is dropped; the one shown is for the fourth's.
  const saved = Buffer.from((await service.frameGet({ projectId, frameId })).maskBase64!, 'base64');
  await expect(status).toHaveAttribute('data-computing', 'false');
  await expect(status).toHaveAttribute('data-proposed', String(saved.filter((v) => v === 255).length));
  expect(errors).toEqual([]);
});
