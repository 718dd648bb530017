/**
 * The Retrain advanced panel checks each field as it is typed: the problem is shown next to
 * the field in words, Retrain is disabled with a line naming the fields, and nothing reaches
 * the core.
 */
import { join } from 'node:path';
import { importLabels } from '../../src/core/project/importLabels';
import { openProject } from '../../src/core/project/openProject';
import { listFrames } from '../../src/core/store';
import { consoleErrors } from './helpers';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });

test('steps -5, lr abc, height 7: each named next to its field, Retrain disabled, nothing sent', async ({ page, host, service, workDir }) => {
  const errors = consoleErrors(page);
  const dir = join(workDir, 'forms');
  const created = await service.projectCreate({ dir, synthetic: { sequences: 1, height: 32, width: 64, seed: 9 } });
  await service.projectClose({ projectId: created.projectId });
  // A finished mask, so that Retrain (from scratch, without DepthMix) could start.
  const p = await openProject(dir);
  await importLabels(p, { frameIds: (await listFrames(p.store, { split: 'train', keyframesOnly: true })).slice(0, 1).map((f) => f.id) });
  await p.close();

  await page.goto(host.url);
  await page.getByTestId('recent-list').getByRole('button', { name: 'forms' }).click();
  await page.getByTestId('nav-training').click();
  await page.getByTestId('seg-advanced').locator('summary').click();
  await page.getByTestId('seg-mode').selectOption('scratch');
  await page.getByTestId('seg-mix').selectOption('none');
  const retrain = page.getByTestId('retrain');
  await expect(retrain).toBeEnabled();

  await page.getByTestId('seg-steps').fill('-5');
  await page.getByTestId('seg-lr').fill('abc');
  await page.getByTestId('seg-height').fill('7');
  // Each message sits in its field's box, beside the input it is about.
  for (const [key, message] of [
    ['steps', 'Steps must be at least 1'],
    ['lr', 'Learning rate must be a number'],
    ['height', 'Height must be at least 32'],
  ] as const) {
    const field = page.locator('.field', { has: page.getByTestId(`seg-${key}`) });
    await expect(field.getByRole('alert')).toHaveText(message);
    await expect(page.getByTestId(`seg-${key}`)).toHaveAttribute('aria-invalid', 'true');
  }
  await page.getByTestId('seg-height').fill('40');
  await expect(page.getByTestId('seg-height-problem')).toHaveText('Height must be a multiple of 16');
  await expect(page.getByTestId('seg-invalid')).toHaveText('Fix Height, Steps and Learning rate in the advanced settings before retraining.');
  await expect(retrain).toBeDisabled();
  await retrain.click({ force: true }); // a click on the disabled button does nothing either
  await expect(page.getByText(/invalid params/)).toHaveCount(0);

  // Nothing reached the core: no job, no run.
  const { projectId } = await service.projectOpen({ dir });
  expect((await service.trainingStatus({ projectId })).job).toBeNull();
  expect(await service.trainingRuns({ projectId })).toEqual([]);

  // Fixed, the line goes and Retrain is back.
  await page.getByTestId('seg-steps').fill('5');
  await page.getByTestId('seg-lr').fill('1e-3');
  await page.getByTestId('seg-height').fill('32');
  await expect(page.getByTestId('seg-invalid')).toHaveCount(0);
  await expect(page.locator('[data-testid=seg-advanced] [role=alert]')).toHaveCount(0);
  await expect(retrain).toBeEnabled();
  if (process.env['DEPTHSEG_SCREENSHOTS']) {
    await page.getByTestId('seg-steps').fill('-5');
    await page.getByTestId('seg-lr').fill('abc');
    await page.getByTestId('seg-height').fill('7');
    await page.screenshot({ path: join(process.env['DEPTHSEG_SCREENSHOTS'], 'training-invalid.png'), fullPage: true });
  }
  expect(errors).toEqual([]);
});
