/**
 * A CamVid project through the app: created from a CamVid folder, painted with CamVid's own
 * classes (car = 8, not Cityscapes' 13), retrained, reviewed with CamVid's 11 classes and
 * exported back into CamVid's format. Runs on a small generated CamVid-layout dataset always,
 * and on the real CamVid sample in ../shared/data/camvid where that folder exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importLabels } from '../../src/core/project/importLabels';
import { openProject } from '../../src/core/project/openProject';
import { listFrames } from '../../src/core/store';
import { CAMVID_NAMES, consoleErrors, openFirstQueuedFrame, readGrey, stroke, valuesOf, writeCamvidLayout } from './helpers';
import { test, expect } from './hostFixture';

test.use({ actionTimeout: 15_000 });
test.setTimeout(180_000);

const JOB_MS = 120_000;
const SHARED_CAMVID = resolve('../shared/data/camvid');
const CAMVID_CAR = 8;
const CAMVID_VOID = 11;

for (const variant of ['generated', 'shared'] as const) {
  test(`a CamVid project (${variant} data): CamVid palette, car painted as 8, retrain, 11-row review, export in CamVid values`, async ({
    page,
    host,
    service,
    workDir,
  }) => {
    if (variant === 'shared') {
      test.skip(!existsSync(SHARED_CAMVID), `skipped: ${SHARED_CAMVID} is not here (the real CamVid sample is optional; the generated variant runs everywhere)`);
    }
    const errors = consoleErrors(page);
    await page.setViewportSize({ width: 1400, height: 1000 });
    const dataset = variant === 'shared' ? SHARED_CAMVID : join(workDir, 'camvid');
    if (variant === 'generated') await writeCamvidLayout(dataset);
    const dir = join(workDir, 'cam-project');

    // Create it in the app: a CamVid folder brings CamVid's label set, and says so.
    await page.goto(host.url);
    await page.getByTestId('project-dir').fill(dir);
    await page.getByTestId('source-folder').check();
    await page.getByTestId('dataset-dir').fill(dataset);
    await page.getByTestId('dataset-format').selectOption('camvid');
    await expect(page.getByTestId('label-set-note')).toContainText('CamVid (11 classes');
    await page.getByTestId('create-project').click();
    await expect(page.getByTestId('overview')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('label-set')).toContainText('CamVid (11 classes)');
    const { projectId, labelSet } = await service.projectOpen({ dir });
    expect(labelSet.classes.map((c) => c.name)).toEqual(CAMVID_NAMES);

    // The annotator: exactly CamVid's 11 classes in order (and ignore).
    await openFirstQueuedFrame(page);
    await expect(page.getByRole('listbox', { name: 'Label classes' }).getByRole('option').locator('.name')).toHaveText([...CAMVID_NAMES, 'ignore']);
    const painted = (await service.frameList({ projectId }))[0]!.frameId;

    // A stroke with "car": the mask holds CamVid's car, 8.
    await page.getByTestId(`class-${CAMVID_CAR}`).click();
    await expect(page.getByTestId('active-class')).toHaveText('car');
    await stroke(page);
    await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
    await expect(page.getByTestId('save-state')).toHaveAttribute('data-version', '1');
    await page.getByTestId('mark-done').click();
    await expect.poll(async () => (await service.frameGet({ projectId, frameId: painted })).status).toBe('done');
    const mask = (await service.frameGet({ projectId, frameId: painted })).maskBase64;
    expect(valuesOf(mask)).toEqual([CAMVID_CAR, 255]);

    // Two more finished masks from the dataset's own labels (as if painted), then a tiny retrain.
    const p = await openProject(dir);
    try {
      const others = (await listFrames(p.store, { split: 'train' })).filter((f) => f.id !== painted).slice(0, 2).map((f) => f.id);
      expect((await importLabels(p, { frameIds: others })).imported).toBe(2);
    } finally {
      await p.close();
    }
    await page.getByTestId('nav-training').click();
    await expect(page.getByTestId('training')).toBeVisible();
    // CamVid has no video: Retrain defaults to scratch and says why; SDE pretraining says why it cannot start.
    await expect(page.getByTestId('retrain-note')).toHaveText('This project has no video to learn depth from, so the default transfer became scratch.');
    await expect(page.getByTestId('sde-unavailable')).toContainText('SDE pretraining cannot run here: the project has no video frames with neighbours');
    await expect(page.getByTestId('train-sde')).toBeDisabled();
    await page.getByTestId('seg-advanced').locator('summary').click();
    await page.getByTestId('seg-mode').selectOption('scratch');
    await page.getByTestId('seg-mix').selectOption('none');
    await page.getByTestId('seg-net').selectOption('tiny');
    await page.getByTestId('seg-height').fill('32');
    await page.getByTestId('seg-width').fill('64');
    await page.getByTestId('seg-steps').fill('3');
    await expect(page.getByTestId('seg-invalid')).toHaveCount(0);
    await expect(page.getByTestId('retrain')).toBeEnabled();
    await page.getByTestId('retrain').click();
    const card = page.getByTestId('job-progress');
    await expect(card).toHaveAttribute('data-state', 'done', { timeout: JOB_MS });
    const runs = await service.trainingRuns({ projectId });
    expect(runs.map((r) => [r.kind, r.status, r.config['net'], r.config['height'], r.config['width'], r.config['mode'], r.config['mix']])).toEqual([
      ['seg', 'done', 'tiny', 32, 64, 'scratch', 'none'],
    ]);

    // The review: one IoU row per CamVid class, with CamVid's names.
    await page.getByTestId('nav-review').click();
    const rows = page.getByTestId('iou-table').locator('tbody tr');
    await expect(rows).toHaveCount(11);
    await expect(rows.locator('td:first-child')).toHaveText(CAMVID_NAMES);
    await expect(page.getByTestId('confusion-grid').locator('tbody tr')).toHaveCount(11);

    // Export: refused inside the dataset (said next to the field), then written in CamVid's own values.
    await page.getByRole('navigation', { name: 'Project' }).getByRole('button', { name: 'Overview' }).click();
    await page.getByTestId('export-open').click();
    await page.getByTestId('export-dir').fill(join(dataset, 'exported'));
    await page.getByTestId('export-labels').click();
    await expect(page.getByTestId('export-problem')).toContainText('choose a folder outside the project and its datasets');
    const out = join(workDir, 'export');
    await page.getByTestId('export-dir').fill(out);
    await page.getByTestId('export-labels').click();
    await expect(page.getByTestId('export-result')).toContainText('Wrote 3 masks');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { frames: { frameId: number; files: string[] }[] };
    const entry = manifest.frames.find((f) => f.frameId === painted)!;
    expect(entry.files[0]).toMatch(/^trainannot\/[^/]+\.png$/);
    const exported = await readGrey(join(out, entry.files[0]!));
    expect([...new Set(exported)].sort((a, b) => a - b)).toEqual([CAMVID_CAR, CAMVID_VOID]);
    // Round trip: CamVid's void (11) read back is "not labelled" (255), the rest as saved.
    const back = Buffer.from(exported.map((v) => (v === CAMVID_VOID ? 255 : v)));
    expect(back.equals(Buffer.from(mask!, 'base64'))).toBe(true);
    // The dataset's own labels (imported as masks) went out exactly as they came in: the same file, the same values.
    const imported = manifest.frames.filter((x) => x.frameId !== painted);
    expect(imported).toHaveLength(2);
    for (const f of imported) {
      const [ours, theirs] = await Promise.all([readGrey(join(out, f.files[0]!)), readGrey(join(dataset, f.files[0]!))]);
      expect(ours.equals(theirs)).toBe(true);
    }
    if (process.env['DEPTHSEG_SCREENSHOTS'] && variant === 'generated') {
      await page.getByTestId('nav-review').click();
      await expect(rows).toHaveCount(11);
      await page.screenshot({ path: join(process.env['DEPTHSEG_SCREENSHOTS'], 'camvid-review.png'), fullPage: true });
    }
    expect(errors).toEqual([]);
  });
}
