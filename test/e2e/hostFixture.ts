import { test as base, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hasChromium, chromiumPath } from '../../playwright.config';
import { createService } from '../../src/core/api/service';
import { startHost, type RunningHost } from '../../src/host/server';

/** The host serving each test's service, so the service's events reach the page. */
const hostOf = new WeakMap<object, RunningHost>();

/** A page test with the workbench host running on loopback, serving the built renderer. */
export const test = base.extend<{
  host: RunningHost;
  /** The service behind the host (the same instance), to check what the UI stored. */
  service: ReturnType<typeof createService>;
  /** A fresh temp folder for projects, removed after the test. */
  workDir: string;
}>({
  workDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'depthseg-e2e-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  service: async ({ workDir }, use) => {
    const service: ReturnType<typeof createService> = createService('host', {
      emit: (e, p) => hostOf.get(service)?.emit(e, p),
      recentFile: join(workDir, 'config', 'recent-projects.json'),
      author: 'e2e',
    });
    await use(service);
    await service.close();
  },
  host: async ({ service }, use) => {
    const host = await startHost(service, { rendererDir: resolve('out/renderer') });
    hostOf.set(service, host);
    await use(host);
    await host.close();
  },
});

test.skip(!hasChromium, `Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);

export { expect };
