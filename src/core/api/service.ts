import { readFileSync } from 'node:fs';
import type { AppInfo, DepthsegApi } from './contract';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The API's implementation over the core; the Electron main process and the host share it. */
export function createService(shell: AppInfo['shell'], version = packageVersion()): DepthsegApi {
  return {
    async appInfo() {
      return { name: 'DepthSeg Workbench', version, shell };
    },
  };
}
