// Annotator smoke check in Debian's Chromium (not part of vitest): paints, undoes, fills,
// zooms and pans on a 2048x1024 frame, measures frame times while painting, prints JSON
// and exits non-zero when a check fails.
//   npx vite build --config test/annotator/browser/vite.config.mjs && node test/annotator/browser/smoke.mjs
// Frame times come from headless software rendering (--disable-gpu) and are only a guide.
import http from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const dist = join(import.meta.dirname, '../../../.tmp/annotator-harness');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = http.createServer((req, res) => {
  const p = join(dist, req.url === '/' ? 'index.html' : req.url.split('?')[0]);
  if (!existsSync(p)) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': types[extname(p)] ?? 'application/octet-stream' });
  res.end(readFileSync(p));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const logs = [];
page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
await page.goto(`http://127.0.0.1:${port}/`);
await page.waitForFunction(() => window.ready === true, null, { timeout: 10000 });
const out = {};
const vp = await page.locator('[data-testid=annotator-viewport]').boundingBox();
out.viewport = vp;
out.zoom = await page.locator('[data-testid=zoom]').textContent();
const at = (x, y) => page.evaluate(([x, y]) => { const m = window.canvasRef.value.getMask(); return m.mask[y * m.width + x]; }, [x, y]);
// image -> screen: fit, padding 8.
const scale = Math.min((vp.width - 16) / 2048, (vp.height - 16) / 1024);
const ox = vp.x + (vp.width - 2048 * scale) / 2, oy = vp.y + (vp.height - 1024 * scale) / 2;
const S = (ix, iy) => [ox + ix * scale, oy + iy * scale];
out.before = [await at(500, 300), await at(500, 800)];
await page.mouse.move(...S(200, 300));
await page.mouse.down();
await page.mouse.move(...S(1800, 300), { steps: 3 }); // few, far-apart moves
await page.mouse.up();
out.afterStroke = { a: await at(200, 300), mid: await at(1000, 300), b: await at(1790, 300), off: await at(1000, 340) };
out.changes1 = await page.evaluate(() => window.changes);
await page.keyboard.press('Control+z');
out.afterUndo = [await at(1000, 300), await page.evaluate(() => window.changes)];
await page.keyboard.press('Control+Shift+Z');
out.afterRedo = await at(1000, 300);
// Flood fill the ignore region above the stroke with sidewalk (key 2).
await page.keyboard.press('Digit2');
await page.keyboard.press('KeyF');
await page.mouse.click(...S(100, 100));
out.afterFill = { above: await at(100, 100), belowStroke: await at(100, 500), road: await at(100, 900), stroke: await at(1000, 300) };
// Polygon: triangle with sky (Shift+1).
await page.keyboard.press('Shift+Digit1');
await page.keyboard.press('KeyP');
for (const [x, y] of [[1200, 750], [1600, 750], [1400, 1000]]) await page.mouse.click(...S(x, y));
await page.keyboard.press('Enter');
out.afterPolygon = { inside: await at(1400, 800), outside: await at(1100, 800) };
// Wheel zoom.
await page.mouse.move(...S(1024, 512));
await page.mouse.wheel(0, -500);
await page.waitForTimeout(100);
out.zoomAfterWheel = await page.locator('[data-testid=zoom]').textContent();
await page.locator('[data-testid=fit]').click();
out.zoomAfterFit = await page.locator('[data-testid=zoom]').textContent();
// Frame times while painting: 120 moves, one per animation frame.
await page.keyboard.press('KeyB');
const frameStats = await page.evaluate(async ([x0, y0, s]) => {
  const el = document.querySelector('[data-testid=annotator-viewport]');
  const times = [];
  const ev = (type, x, y) => el.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, button: 0, buttons: 1, pointerId: 1, bubbles: true, isPrimary: true }));
  ev('pointerdown', x0, y0);
  let last = performance.now();
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now(); times.push(now - last); last = now;
    const t0 = performance.now();
    ev('pointermove', x0 + i * 4 * s, y0 + Math.sin(i / 8) * 60 * s);
    times.push(-(performance.now() - t0));
  }
  ev('pointerup', x0 + 480 * s, y0);
  const frames = times.filter((t) => t >= 0).slice(1).sort((a, b) => a - b);
  const handlers = times.filter((t) => t < 0).map((t) => -t).sort((a, b) => a - b);
  return { frameMedian: frames[frames.length >> 1], frameP95: frames[Math.floor(frames.length * 0.95)], handlerMedian: handlers[handlers.length >> 1], handlerMax: handlers[handlers.length - 1] };
}, [...S(300, 600), scale]);
out.frameStats = frameStats;

// Space-drag pans and paints nothing; the eraser erases; H hides the mask.
const snap = await page.evaluate(() => Array.from(window.canvasRef.value.getMask().mask.subarray(0, 2048 * 1024)).reduce((a, v, i) => (a + v * ((i % 97) + 1)) % 1000003, 0));
await page.keyboard.press('KeyB');
await page.keyboard.down('Space');
await page.mouse.move(...S(600, 200));
await page.mouse.down();
await page.mouse.move(...S(700, 260), { steps: 5 });
await page.mouse.up();
await page.keyboard.up('Space');
const snap2 = await page.evaluate(() => Array.from(window.canvasRef.value.getMask().mask.subarray(0, 2048 * 1024)).reduce((a, v, i) => (a + v * ((i % 97) + 1)) % 1000003, 0));
out.spacePanLeftMaskAlone = snap === snap2;
await page.locator('[data-testid=fit]').click();
await page.keyboard.press('KeyE');
await page.mouse.move(...S(900, 300));
await page.mouse.down();
await page.mouse.move(...S(1100, 300), { steps: 4 });
await page.mouse.up();
out.afterErase = { erased: await at(1000, 300), kept: await at(1300, 300) };
await page.keyboard.press('KeyH');
out.maskHiddenCheckbox = await page.locator('[data-testid=show-mask]').isChecked();
out.changesEnd = await page.evaluate(() => window.changes);
out.errors = await page.evaluate(() => window.errors);
await page.screenshot({ path: join(dist, 'annotator.png') });
out.logs = logs;

const problems = [];
const check = (what, ok) => { if (!ok) problems.push(what); };
check('starts with ignore above, road below', out.before[0] === 255 && out.before[1] === 0);
check('a 3-move stroke across the frame has no gap', out.afterStroke.a === 13 && out.afterStroke.mid === 13 && out.afterStroke.b === 13 && out.afterStroke.off === 255);
check('one change event per stroke', out.changes1 === 1);
check('Ctrl+Z undoes', out.afterUndo[0] === 255);
check('Ctrl+Shift+Z redoes', out.afterRedo === 13);
check('flood fill fills the ignore region only', out.afterFill.above === 1 && out.afterFill.road === 0 && out.afterFill.stroke === 13);
check('polygon fills', out.afterPolygon.inside === 10 && out.afterPolygon.outside === 0);
check('wheel zooms, Fit restores', out.zoomAfterWheel !== out.zoom && out.zoomAfterFit === out.zoom);
check('space-drag pans without painting', out.spacePanLeftMaskAlone);
check('eraser paints ignore', out.afterErase.erased === 255 && out.afterErase.kept === 13);
check('H hides the mask', out.maskHiddenCheckbox === false);
check('no errors', out.errors.length === 0 && out.logs.length === 0);
out.problems = problems;
console.log(JSON.stringify(out, null, 1));
await browser.close();
server.close();
assert.deepEqual(problems, [], 'annotator smoke checks failed');
