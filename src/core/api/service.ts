import { readFileSync } from 'node:fs';
import type { ApiEvent, ApiEvents, AppInfo, DepthsegApi } from './contract';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Where the service pushes events; the Electron main process and the host each supply one. */
export type EventSink = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;

/** The API's implementation over the core; the Electron main process and the host share it. */
export function createService(
  shell: AppInfo['shell'],
  opts: { version?: string; emit?: EventSink } = {},
): DepthsegApi {
  const version = opts.version ?? packageVersion();
  return {
    async appInfo() {
      return { name: 'DepthSeg Workbench', version, shell };
    },
  };
}

/** Runs a validated call on the service. */
export function dispatch(service: DepthsegApi, method: keyof DepthsegApi, params: unknown): Promise<unknown> {
  const fn = service[method] as (p: unknown) => Promise<unknown>;
  return fn(params);
}
