import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

/** The Electron binary's path, or null where it was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD). */
function electronBinary(): string | null {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown as string;
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const why = 'Electron binary not installed (npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1): the Electron smoke test runs where it is';
if (binary === null) console.log(`skipped: ${why}`);
test.skip(binary === null, why);

test('the Electron app opens its window with the API bridged through the preload', async () => {
  const app = await electron.launch({
    executablePath: binary!,
    args: [resolve('out/main/index.js')],
    env: { ...process.env, ELECTRON_RENDERER_URL: '' },
  });
  const window = await app.firstWindow();
  await expect(window.getByRole('heading', { name: 'DepthSeg Workbench' })).toBeVisible();
  await expect(window.getByText(/\(electron\)/)).toBeVisible();
  // the renderer has no Node: isolation and sandbox hold
  expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  await app.close();
});
