/**
 * The team queue in the app (issue 20 point 3): take the next frame nobody holds, paint it,
 * mark it done; a reviewer sends it back with a comment from the queue; the annotator sees
 * the comment; once fixed and done again, the reviewer approves it. (The host has one local
 * user, who holds every role; per-account roles come with the team server.)
 */
import { join } from 'node:path';
import { canvasReady, consoleErrors, stroke } from './helpers';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });

const shots = process.env['TEAM_QUEUE_SHOTS'];
const shot = async (page: import('@playwright/test').Page, name: string) => {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
};

test('next frame, paint, done; sent back with a comment the annotator sees; approved', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  const { projectId } = await service.projectCreate({ dir: join(workDir, 'team'), synthetic: { sequences: 2, height: 64, width: 128, seed: 5 } });
  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await page.getByTestId('go-queue').click();

  await page.getByTestId('queue-next').click();
  await canvasReady(page);
  const path = await page.getByTestId('frame-path').textContent();
  const frameId = (await service.frameList({ projectId })).find((e) => e.imagePath === path)!.frameId;
  await expect(page.getByTestId('frame-work')).toContainText('held by e2e until');
  await stroke(page, 0);
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-version', '1');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await page.getByTestId('mark-done').click();
  await expect.poll(async () => (await service.frameGet({ projectId, frameId })).status).toBe('done');

  await page.getByTestId('nav-queue').click();
  const row = page.getByTestId(`queue-row-${frameId}`);
  await expect(row.getByTestId('queue-who')).toContainText('by e2e');
  await row.getByTestId('queue-send-back').click();
  await expect(row.getByTestId('send-back-confirm')).toBeDisabled();
  await row.getByTestId('send-back-comment').fill('the road edge on the left is sidewalk');
  await shot(page, 'team-queue-send-back');
  await row.getByTestId('send-back-confirm').click();
  await expect(row.getByTestId('queue-review-state')).toContainText('sent back by e2e: “the road edge on the left is sidewalk”');
  await expect(row).toContainText('in progress');
  await shot(page, 'team-queue-sent-back');

  // The annotator takes the next frame: the one sent back to them comes first, with the comment.
  await page.getByTestId('queue-next').click();
  await canvasReady(page);
  await expect(page.getByTestId('frame-path')).toHaveText(path!);
  await expect(page.getByTestId('sent-back')).toContainText('Sent back by e2e: “the road edge on the left is sidewalk”');
  await shot(page, 'team-queue-annotator-comment');
  await stroke(page, 8);
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-version', '2');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await page.getByTestId('mark-done').click();
  await expect.poll(async () => (await service.frameGet({ projectId, frameId })).status).toBe('done');

  await page.getByTestId('nav-queue').click();
  await row.getByTestId('queue-approve').click();
  await expect(row.getByTestId('queue-review-state')).toContainText('approved by e2e');
  await expect(row.getByTestId('queue-approve')).toHaveCount(0);
  await shot(page, 'team-queue-approved');
  expect((await service.maskHistory({ projectId, frameId })).map((e) => e.action)).toEqual([
    'leased', 'saved', 'done', 'sent_back', 'leased', 'saved', 'done', 'approved',
  ]);

  // The training view counts approved masks once the project trains only those.
  await page.getByTestId('nav-training').click();
  await page.getByTestId('train-approved-only').check();
  await expect(page.getByTestId('retrain-plan')).toContainText('Trains on the 1 approved masks');
  await shot(page, 'team-queue-training');
  expect(errors).toEqual([]);
});
