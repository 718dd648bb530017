import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { CLAIMED_ELSEWHERE } from '../../src/host/session';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });

/** The page reached the core: the version came back over the API. */
async function connected(page: Page): Promise<void> {
  await expect(page.getByText(/v\d+\.\d+\.\d+ \(host\)/)).toBeVisible();
}

test('the link belongs to the browser that opened it: its tabs share it, another browser is refused in words', async ({ page, host, service, workDir, browser }) => {
  const { projectId } = await service.projectCreate({ dir: join(workDir, 'street'), synthetic: { sequences: 1, height: 32, width: 64, seed: 3 } });
  await service.projectClose({ projectId });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });

  await page.goto(host.url);
  await connected(page);
  expect(host.claimed).toBe(true);

  // A second tab of the same browser, with the link and without it: both carry the cookie.
  const tab = await page.context().newPage();
  tab.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await tab.goto(host.url);
  await connected(tab);
  await tab.getByTestId('recent-list').getByRole('button').first().click();
  await expect(tab.getByTestId('overview')).toBeVisible();
  await expect(tab.getByTestId('project-name')).toHaveText('street');
  const bare = await page.context().newPage();
  await bare.goto(host.url.replace(/#.*$/, ''));
  await connected(bare);
  await bare.close();

  // The first tab keeps working, on a fresh connection too.
  await page.reload();
  await connected(page);
  await page.getByTestId('recent-list').getByRole('button').first().click();
  await expect(page.getByTestId('overview')).toBeVisible();

  // The session cookie is out of reach of page scripts and is not sent by other sites.
  expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe('');
  const cookies = await page.context().cookies();
  expect(cookies).toHaveLength(1);
  expect(cookies[0]).toMatchObject({ name: `depthseg_session_${host.port}`, httpOnly: true, sameSite: 'Strict', path: '/', expires: -1 });
  expect(cookies[0]!.value).not.toContain(host.token);

  // Another browser context (another browser, profile or person) given the same link.
  const other = await browser.newContext();
  try {
    const stranger = await other.newPage();
    await stranger.goto(host.url);
    await expect(stranger.getByRole('alert')).toHaveText(CLAIMED_ELSEWHERE);
    await expect(stranger.getByRole('alert')).toContainText('already opened in another browser');
    await expect(stranger.getByText(/\(host\)/)).toHaveCount(0);
    await expect(stranger.getByTestId('recent-list')).toHaveCount(0);
    expect(await other.cookies()).toEqual([]);
  } finally {
    await other.close();
  }

  // The owner is untouched by the refused attempt.
  await tab.reload();
  await connected(tab);
  expect(errors).toEqual([]);
});
