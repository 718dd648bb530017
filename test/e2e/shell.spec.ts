import { WRONG_TOKEN } from '../../src/host/session';
import { test, expect } from './hostFixture';

test('the real renderer connects to the core through the host', async ({ page, host }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'DepthSeg Workbench' })).toBeVisible();
  await expect(page.getByText(/v\d+\.\d+\.\d+ \(host\)/)).toBeVisible();
  expect(errors).toEqual([]);
});

test('with a wrong token or none the UI says the link is not the one depthseg serve printed', async ({ page, host }) => {
  await page.goto(host.url.replace(/#token=.*/, '#token=wrong'));
  await expect(page.getByRole('alert')).toHaveText(WRONG_TOKEN);
  await page.goto(host.url.replace(/#token=.*/, ''));
  await page.reload();
  await expect(page.getByRole('alert')).toHaveText(WRONG_TOKEN);
  expect(host.claimed).toBe(false);
});
