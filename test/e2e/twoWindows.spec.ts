/**
 * Two tabs of one browser on one host: the process has one open project, so when tab 2 opens
 * project B, tab 1 (showing project A) is told its project was closed. Nothing tab 1 does then
 * reaches B; its unsaved edit waits in the tab and is saved into A after "Reopen".
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { consoleErrors, openFirstQueuedFrame, stroke, valuesOf } from './helpers';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });
test.setTimeout(120_000);

/** The mask files a project folder holds. */
const maskFiles = (projectDir: string): string[] => (existsSync(join(projectDir, 'masks')) ? readdirSync(join(projectDir, 'masks')) : []);

async function openFromRecent(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('recent-list').getByRole('button', { name, exact: true }).click();
  await expect(page.getByTestId('project-name')).toHaveText(name);
  await expect(page.getByTestId('overview')).toBeVisible();
}

test("tab 2 opening another project closes tab 1's: tab 1 says so, writes nothing into B, and saves its edit into A after Reopen", async ({ page, host, service, workDir }) => {
  const dirA = join(workDir, 'alpha');
  const dirB = join(workDir, 'beta');
  for (const [dir, seed] of [[dirA, 1], [dirB, 2]] as const) {
    const { projectId } = await service.projectCreate({ dir, synthetic: { sequences: 1, height: 32, width: 64, seed } });
    await service.projectClose({ projectId });
  }
  const errors = consoleErrors(page);

  // Tab 1: project A, a frame in the annotator.
  await openFromRecent(page, host.url, 'alpha');
  const idA = (await service.projectOpen({ dir: dirA })).projectId;
  await openFirstQueuedFrame(page);
  const frameA = (await service.frameList({ projectId: idA }))[0]!.frameId;
  const pathA = await page.getByTestId('frame-path').textContent();

  // Tab 2 (same browser): project B.
  const tab2 = await page.context().newPage();
  const errors2 = consoleErrors(tab2);
  await openFromRecent(tab2, host.url, 'beta');
  const idB = (await service.projectOpen({ dir: dirB })).projectId;
  expect(idB).not.toBe(idA);

  // Tab 1 hears it: a banner in words, and the frame it showed stays (nothing of B is loaded).
  const banner = page.getByTestId('project-closed');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("This window's project was closed in another window");
  await expect(banner).toContainText(dirA);
  await expect(page.getByTestId('reopen-project')).toHaveText('Reopen alpha');
  await expect(page.getByTestId('frame-path')).toHaveText(pathA!);

  // A stroke, "save now" and "Done" in tab 1: all refused by the core, the edit kept in the tab.
  const save = page.getByTestId('save-state');
  await stroke(page);
  await expect(save).toHaveAttribute('data-state', 'closed');
  await expect(save).toContainText('Your edit is kept here and saved when you reopen the project');
  await page.keyboard.press('Control+s');
  await page.getByTestId('mark-done').click();
  await expect(save).toHaveAttribute('data-state', 'closed');
  await expect(banner).toBeVisible();
  // Nothing reached B (nor A, which is closed): no mask row, no mask file.
  for (const f of await service.frameList({ projectId: idB })) expect([f.status]).toEqual(['todo']);
  expect((await service.frameGet({ projectId: idB, frameId: frameA })).maskVersion).toBe(0);
  expect(maskFiles(dirB)).toEqual([]);
  expect(maskFiles(dirA)).toEqual([]);

  // Reopen in tab 1: A again (B closes, so tab 2 is told now), and the kept edit is saved into A.
  await page.getByTestId('reopen-project').click();
  await expect(banner).toBeHidden();
  await expect(save).toHaveAttribute('data-state', 'saved');
  await expect(save).toHaveAttribute('data-version', '1');
  const idA2 = (await service.projectOpen({ dir: dirA })).projectId;
  expect(idA2).not.toBe(idA);
  const stored = await service.frameGet({ projectId: idA2, frameId: frameA });
  expect(stored.maskVersion).toBe(1);
  expect(valuesOf(stored.maskBase64)).toEqual([0, 255]); // road painted over "not labelled"
  expect(maskFiles(dirA)).toEqual([`frame-${frameA}-v1.png`]);
  expect(maskFiles(dirB)).toEqual([]);
  await expect(tab2.getByTestId('project-closed')).toBeVisible();

  // Tab 2 reloaded still says so and does not take the project back by itself.
  await tab2.reload();
  await expect(tab2.getByTestId('project-closed')).toContainText(dirB);
  expect((await service.frameList({ projectId: idA2 })).length).toBeGreaterThan(0); // A is still the open one
  expect([...errors, ...errors2]).toEqual([]);
});
