/**
 * The one typed API between the user interface and the core. Electron's preload exposes it
 * to the renderer over IPC; a loopback WebSocket host serves the same calls for headless use
 * and browser tests. Types only: the renderer imports this file and nothing else from core.
 */
export interface AppInfo {
  readonly name: string;
  readonly version: string;
  /** Where the app runs its core: 'electron' or 'host' (WebSocket host). */
  readonly shell: 'electron' | 'host';
}

export interface DepthsegApi {
  appInfo(): Promise<AppInfo>;
}

/** Name of the global the preload defines in the renderer (window[API_GLOBAL]). */
export const API_GLOBAL = 'depthseg';

/** The IPC channel prefix for API calls: `${API_CHANNEL}:${method}`. */
export const API_CHANNEL = 'depthseg-api';
