/**
 * The one typed API between the user interface and the core. Electron's preload exposes it
 * to the renderer over IPC; a loopback WebSocket host (src/host) serves the same calls for
 * headless use and browser tests. Every call takes one params object, validated against its
 * schema at the boundary (main process or host) before it reaches the core.
 *
 * The renderer imports this file (types and schemas) and nothing else from core.
 */
import { z } from 'zod';

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  /** Where the app runs its core: 'electron' or 'host' (WebSocket host). */
  readonly shell: 'electron' | 'host';
}

/** Params schema per API method. A method is added here, in ApiResults and in the service. */
export const API_PARAMS = {
  appInfo: z.object({}).strict(),
} as const;

export type ApiMethod = keyof typeof API_PARAMS;
export type ApiParams<M extends ApiMethod> = z.infer<(typeof API_PARAMS)[M]>;

/** What each method resolves to. */
export interface ApiResults {
  appInfo: AppInfo;
}

/** Events the core pushes to every connected UI (progress of long work...). */
export interface ApiEvents {
  /** Reserved for long-running work; payload defined by later issues. */
  'job.progress': { readonly jobId: string; readonly step: number; readonly total: number };
}
export type ApiEvent = keyof ApiEvents;

/** The API as the UI sees it. */
export type DepthsegApi = {
  [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResults[M]>;
};

/** The API plus event subscription, as exposed to the renderer. */
export interface DepthsegBridge {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

/** Name of the global the preload defines in the renderer (window[API_GLOBAL]). */
export const API_GLOBAL = 'depthseg';

/** IPC channel for API calls (Electron) and the path of the WebSocket endpoint (host). */
export const API_CHANNEL = 'depthseg-api';
export const API_EVENT_CHANNEL = 'depthseg-event';

/** An error as it crosses the boundary: a message the UI can show as it is. */
export interface ApiErrorPayload {
  readonly name: string;
  readonly message: string;
}

/** Checks a method name and its params; throws an Error the UI can show. */
export function validateCall(method: unknown, params: unknown): { method: ApiMethod; params: unknown } {
  if (typeof method !== 'string' || !Object.hasOwn(API_PARAMS, method)) {
    throw new Error(`unknown API method ${JSON.stringify(method)}`);
  }
  const schema = API_PARAMS[method as ApiMethod];
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
    throw new Error(`invalid params for ${method}: ${issues}`);
  }
  return { method: method as ApiMethod, params: parsed.data };
}
