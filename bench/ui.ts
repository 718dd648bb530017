/**
 * UI benchmark (Playwright, JSON on stdout): on a 2048x1024 frame served through the host,
 *  - frame time while painting (requestAnimationFrame intervals while the button is down),
 *  - time to open a frame (click "Label" -> the canvas says ready, then two animation frames),
 *  - time to save a mask (API round trip through the service, and stroke end -> "saved" in
 *    the UI, which includes the 250 ms autosave debounce).
 * Run: node bin/run-ts.mjs bench/ui.ts   (builds the renderer first; needs /usr/bin/chromium)
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writePng } from '../src/core/data/imageIo';
import { createService } from '../src/core/api/service';
import { startHost } from '../src/host/server';
import { chromiumPath } from '../playwright.config';

const W = 2048;
const H = 1024;
const OPENS = 3;
const STROKES = 4;
const MOVES_PER_STROKE = 60;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};
const round = (x: number): number => Math.round(x * 100) / 100;
const stats = (xs: number[]) => ({ n: xs.length, mean: round(xs.reduce((a, b) => a + b, 0) / xs.length), p50: round(quantile(xs, 0.5)), p95: round(quantile(xs, 0.95)), max: round(Math.max(...xs)) });

async function writeDataset(root: string): Promise<void> {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3;
    rgb[i] = (x * 255) / W;
    rgb[i + 1] = (y * 255) / H;
    rgb[i + 2] = ((x ^ y) & 63) * 4;
  }
  const key = 'bench_000000_000019';
  await writePng(join(root, 'leftImg8bit', 'train', 'bench', `${key}_leftImg8bit.png`), { width: W, height: H, channels: 3, data: rgb });
  await writePng(join(root, 'gtFine', 'train', 'bench', `${key}_gtFine_labelTrainIds.png`), { width: W, height: H, channels: 1, data: new Uint8Array(W * H).fill(255) });
}

async function main(): Promise<void> {
  const load0 = loadavg()[0]!;
  execFileSync('npx', ['electron-vite', 'build'], { stdio: 'ignore' });
  const work = mkdtempSync(join(tmpdir(), 'depthseg-bench-ui-'));
  const service = createService('host', { recentFile: join(work, 'recent.json'), author: 'bench' });
  const host = await startHost(service, { rendererDir: resolve('out/renderer') });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    await writeDataset(join(work, 'data'));
    const { projectId } = await service.projectCreate({ dir: join(work, 'project'), dataset: join(work, 'data'), format: 'cityscapes' });
    const [entry] = await service.frameList({ projectId });
    if (!entry) throw new Error('bench dataset gave no frame to label');

    // API save time (service round trip: base64 decode, PNG encode, fsync, SQLite).
    const mask = new Uint8Array(W * H).fill(255);
    for (let i = 0; i < mask.length; i += 7) mask[i] = i % 19;
    const apiSave: number[] = [];
    let version = 0;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const b64 = Buffer.from(mask).toString('base64');
      version = (await service.maskSave({ projectId, frameId: entry.frameId, width: W, height: H, maskBase64: b64, expectedVersion: version })).version;
      apiSave.push(performance.now() - t);
    }

    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(host.url);
    await page.getByTestId('recent-list').getByRole('button').first().click();
    await page.getByTestId('go-queue').click();

    const open: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      await page.getByTestId('nav-queue').click();
      const t = performance.now();
      await page.getByTestId('open-frame').first().click();
      await page.locator('section.annotate[data-ready=true]').waitFor();
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      open.push(performance.now() - t);
    }

    // Frame times while painting.
    const box = (await page.getByTestId('annotator-viewport').boundingBox())!;
    // A string, not a function: the TypeScript loader would wrap a named arrow with a helper
    // that does not exist in the page.
    await page.evaluate(`(() => {
      window.__frames = [];
      window.__otherFrames = [];
      window.__run = true;
      let down = false;
      document.addEventListener('pointerdown', () => { down = true; }, true);
      document.addEventListener('pointerup', () => { down = false; }, true);
      let last = performance.now();
      const tick = (now) => {
        (down ? window.__frames : window.__otherFrames).push(now - last);
        last = now;
        if (window.__run) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      // stroke end (pointerup) -> the save state turns 'saved', timed in the page
      window.__saveTimes = [];
      let strokeEnd = null;
      document.addEventListener('pointerup', () => { strokeEnd = performance.now(); }, true);
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid=save-state]');
        if (strokeEnd !== null && el && el.getAttribute('data-state') === 'saved') {
          window.__saveTimes.push(performance.now() - strokeEnd);
          strokeEnd = null;
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    })()`);
    for (let s = 0; s < STROKES; s++) {
      const y = box.y + box.height * (0.3 + 0.1 * s);
      await page.mouse.move(box.x + box.width * 0.1, y);
      await page.mouse.down();
      for (let m = 1; m <= MOVES_PER_STROKE; m++) {
        await page.mouse.move(box.x + box.width * (0.1 + (0.8 * m) / MOVES_PER_STROKE), y + 40 * Math.sin(m / 5));
      }
      await page.mouse.up();
      await page.locator('[data-testid=save-state][data-state=saved]').waitFor();
    }
    const uiSave = (await page.evaluate('window.__saveTimes')) as number[];
    const frames = (await page.evaluate('(window.__run = false, window.__frames)')) as number[];
    const otherFrames = (await page.evaluate('window.__otherFrames')) as number[];
    const load1 = loadavg()[0]!;
    const out = {
      bench: 'ui',
      frame: `${W}x${H}`,
      browser: `${chromiumPath} headless, software rendering`,
      paintFrameMs: stats(frames),
      paintFramesOver17_7ms: frames.filter((f) => f > 17.7).length,
      framesBetweenStrokesMs: { ...stats(otherFrames), note: 'pointer up: autosave (base64 + send) and waiting' },
      openFrameMs: stats(open),
      saveMaskApiMs: stats(apiSave),
      strokeEndToSavedInUiMs: { ...stats(uiSave), note: 'includes the 250 ms autosave debounce' },
      cpus: cpus().length,
      loadavg1m: { before: round(load0), after: round(load1) },
      mayBeUnderLoad: load0 > cpus().length * 0.5 || load1 > cpus().length * 0.5,
    };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await browser.close();
    await host.close();
    await service.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
