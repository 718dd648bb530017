/**
 * The screenshot of "Next frame in clip" (docs/screenshots/annotator-propagation.png), taken in
 * Debian's Chromium from the real renderer served by `node bin/depthseg.mjs serve`; not part of
 * the tests:
 *
 *   npm run build && node bin/run-ts.mjs test/screenshots/clipPropagation.ts SDE_CHECKPOINT [OUT.png]
 *
 * SDE_CHECKPOINT is an SDE run's checkpoint folder (model/ and pose/, e.g. a project's
 * checkpoints/run-1/step-0000600). A synthetic project (2 sequences at 256x512) gets the
 * dataset's labels as finished masks (import-labels) and an SDE run made of a copy of that
 * checkpoint; in the window: the first queued frame (a finished labelled frame), Next frame in
 * clip (N), and frame 20 with the carried proposal.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { openProject } from '../../src/core/project/openProject';
import { checkpointPath } from '../../src/core/project/projectModels';
import { addCheckpoint, createRun, setRunStatus } from '../../src/core/store';

const [checkpointArg, outArg] = process.argv.slice(2);
if (!checkpointArg || !existsSync(join(checkpointArg, 'model', 'model.json')) || !existsSync(join(checkpointArg, 'pose', 'model.json'))) {
  throw new Error('give an SDE checkpoint folder holding model/ and pose/ (e.g. PROJECT/checkpoints/run-1/step-0000600)');
}
const out = resolve(outArg ?? 'docs/screenshots/annotator-propagation.png');
const work = mkdtempSync(join(tmpdir(), 'depthseg-shot-'));
const cli = (...args: string[]): void => void execFileSync(process.execPath, ['bin/depthseg.mjs', ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, HOME: work } });
let server: ChildProcess | undefined;
try {
  const proj = join(work, 'proj');
  cli('synth', '--out', join(work, 'data'), '--sequences', '2', '--size', '256x512');
  cli('init', '--project', proj, '--dataset', join(work, 'data'));
  cli('import-labels', '--project', proj);
  const p = await openProject(proj);
  try {
    const run = await createRun(p.store, { projectId: p.project.id, kind: 'sde', mode: null, config: { copiedFrom: resolve(checkpointArg) } });
    await setRunStatus(p.store, run.id, 'running');
    const step = 600;
    cpSync(checkpointArg, join(proj, checkpointPath(run.id, step)), { recursive: true });
    await addCheckpoint(p.store, { runId: run.id, step, path: checkpointPath(run.id, step) });
    await setRunStatus(p.store, run.id, 'done');
  } finally {
    await p.close();
  }

  const serving = spawn(process.execPath, ['bin/depthseg.mjs', 'serve'], { env: { ...process.env, HOME: work }, stdio: ['ignore', 'pipe', 'inherit'] });
  server = serving;
  const url = await new Promise<string>((ok, fail) => {
    let text = '';
    serving.stdout!.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\S*)/.exec(text);
      if (m) ok(m[1]!);
    });
    serving.on('exit', (code) => fail(new Error(`depthseg serve ended (${code}) before printing its link`)));
  });

  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 760 } });
    await page.goto(url);
    await page.getByTestId('open-dir').fill(proj);
    await page.getByTestId('open-project').click();
    await page.getByTestId('go-queue').click();
    await page.getByTestId('open-frame').first().click();
    await page.locator('section.annotate[data-ready=true]').waitFor({ timeout: 30_000 });
    await page.getByTestId('next-in-clip').click();
    await page.getByTestId('carried-status').waitFor({ timeout: 60_000 });
    await page.locator('section.annotate[data-ready=true]').waitFor({ timeout: 30_000 });
    await page.getByTestId('proposal-opacity').fill('0.6');
    await page.waitForTimeout(300);
    await page.screenshot({ path: out });
    process.stdout.write(`${out}\n${await page.getByTestId('carried-status').textContent()}\n`);
  } finally {
    await browser.close();
  }
} finally {
  server?.kill('SIGINT');
  rmSync(work, { recursive: true, force: true });
}
