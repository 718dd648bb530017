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

test('without the token the UI says it cannot reach the core', async ({ page, host }) => {
  await page.goto(host.url.replace(/#token=.*/, '#token=wrong'));
  await expect(page.getByRole('alert')).toContainText('cannot reach the workbench host');
});
