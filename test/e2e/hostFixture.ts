import { test as base, expect } from '@playwright/test';
import { resolve } from 'node:path';
import { hasChromium, chromiumPath } from '../../playwright.config';
import { createService } from '../../src/core/api/service';
import { startHost, type RunningHost } from '../../src/host/server';

/** A page test with the workbench host running on loopback, serving the built renderer. */
export const test = base.extend<{ host: RunningHost }>({
  host: async ({}, use) => {
    let host: RunningHost | null = null;
    const service = createService('host', { emit: (e, p) => host?.emit(e, p) });
    host = await startHost(service, { rendererDir: resolve('out/renderer') });
    await use(host);
    await host.close();
  },
});

test.skip(!hasChromium, `Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);

export { expect };
