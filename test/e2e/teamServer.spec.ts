/**
 * The team server in a real browser, on a real PostgreSQL server: an annotator signs in (a
 * wrong password first: the refusal shows next to the form), paints a stroke that is saved as
 * hers, and is not offered Retrain (it is disabled with the reason); after signing out, an
 * engineer signs in and is offered it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTeam, type StartedTeam } from '../../src/cli/teamServe';
import { openProject } from '../../src/core/project/openProject';
import { listMasks } from '../../src/core/store';
import { postgresMissing, startPostgresCluster, type PostgresCluster } from '../store/postgresServer';
import { PASSWORDS, teamProject } from '../host/teamFixture';
import { canvasReady, consoleErrors, stroke } from './helpers';
import { expect, test } from './hostFixture';

test.use({ actionTimeout: 15_000 });

const missing = postgresMissing();
test.skip(missing !== undefined, missing ?? '');

let cluster: PostgresCluster | undefined;
let team: StartedTeam | undefined;
let work = '';
let dir = '';

test.beforeAll(async () => {
  cluster = await startPostgresCluster();
  work = mkdtempSync(join(tmpdir(), 'depthseg-e2e-team-'));
  dir = (await teamProject(cluster, work)).dir;
  team = await startTeam({ project: dir, listen: '127.0.0.1:0', rendererDir: resolve('out/renderer') });
});

test.afterAll(async () => {
  await team?.stop();
  cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const shots = process.env['TEAM_SCREENSHOTS'];

test('an annotator signs in, paints and is not offered Retrain; an engineer is', async ({ page }) => {
  const errors = consoleErrors(page);
  await page.goto(team!.server.url);
  await expect(page.getByTestId('sign-in')).toBeVisible();
  await page.getByTestId('sign-in-name').fill('ana');
  await page.getByTestId('sign-in-password').fill('not-her-password');
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('sign-in-error')).toHaveText('wrong name or password');
  if (shots) await page.screenshot({ path: join(shots, 'team-sign-in.png') });

  await page.getByTestId('sign-in-password').fill(PASSWORDS.ana);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('signed-in-as')).toContainText('ana (annotator)');
  await expect(page.getByTestId('overview')).toBeVisible({ timeout: 15_000 });
  // The team's project stays open: no browser can close it for the others.
  await expect(page.getByRole('navigation', { name: 'Project' }).getByRole('button', { name: 'Close' })).toHaveCount(0);
  await page.getByTestId('go-queue').click();
  await page.getByTestId('open-frame').first().click();
  await canvasReady(page);
  await stroke(page, 0);
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-version', '1');
  if (shots) await page.screenshot({ path: join(shots, 'team-annotator.png') });
  const check = await openProject(dir);
  try {
    expect((await listMasks(check.store, {})).filter((m) => m.version > 0).map((m) => m.author)).toEqual(['ana']);
  } finally {
    await check.close();
  }

  await page.getByTestId('nav-training').click();
  await expect(page.getByTestId('retrain')).toBeDisabled();
  await expect(page.getByTestId('retrain-refused')).toHaveText('Annotators cannot start training: ask an engineer.');
  await expect(page.getByTestId('train-sde')).toBeDisabled();
  if (shots) await page.screenshot({ path: join(shots, 'team-annotator-training.png') });

  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('sign-in')).toBeVisible();
  await page.getByTestId('sign-in-name').fill('eve');
  await page.getByTestId('sign-in-password').fill(PASSWORDS.eve);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('signed-in-as')).toContainText('eve (engineer)');
  await page.getByTestId('nav-training').click();
  await expect(page.getByTestId('retrain')).toBeVisible();
  await expect(page.getByTestId('retrain-plan')).toContainText('Trains on the 0 frames');
  await expect(page.getByTestId('retrain-refused')).toHaveCount(0);
  await expect(page.getByTestId('train-sde')).toBeEnabled();
  if (shots) await page.screenshot({ path: join(shots, 'team-engineer-training.png') });
  // The browser logs each 401 (nobody signed in yet, ana's wrong password, and again after signing out); nothing else.
  expect(errors.filter((e) => !/status of 401 \(Unauthorized\)/.test(e))).toEqual([]);
});

async function signIn(page: import('@playwright/test').Page, name: keyof typeof PASSWORDS): Promise<void> {
  await page.goto(team!.server.url);
  await page.getByTestId('sign-in-name').fill(name);
  await page.getByTestId('sign-in-password').fill(PASSWORDS[name]);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('signed-in-as')).toContainText(name);
}

/** The frame the annotator shows, by its image path. */
const framePath = (page: import('@playwright/test').Page) => page.getByTestId('frame-path').innerText();

test('two people in two browsers are handed different frames, and Done & next leases one nobody holds', async ({ browser }) => {
  const [a, b] = [await browser.newContext(), await browser.newContext()];
  try {
    const ana = await a.newPage();
    const rita = await b.newPage();
    await signIn(ana, 'ana');
    await signIn(rita, 'rita');
    for (const page of [ana, rita]) {
      await page.getByTestId('go-queue').click();
      await page.getByTestId('queue-next').click();
      await canvasReady(page);
    }
    await expect(ana.getByTestId('frame-work')).toContainText('held by ana');
    await expect(rita.getByTestId('frame-work')).toContainText('held by rita');
    const [first, ritas] = [await framePath(ana), await framePath(rita)];
    expect(first).not.toBe(ritas);

    // (She may be handed back the frame she painted in the test before: the one she holds.)
    const before = Number(await ana.getByTestId('save-state').getAttribute('data-version'));
    await stroke(ana, 0);
    await expect(ana.getByTestId('save-state')).toHaveAttribute('data-version', String(before + 1));
    await ana.getByTestId('mark-done').click();
    await expect(ana.getByTestId('frame-path')).not.toHaveText(first);
    await canvasReady(ana);
    await expect(ana.getByTestId('frame-work')).toContainText('held by ana');
    expect([first, ritas]).not.toContain(await framePath(ana));
  } finally {
    await a.close();
    await b.close();
  }
});
