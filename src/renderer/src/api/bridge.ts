/**
 * The renderer's way to the core: Electron's preload bridge where it exists, otherwise the
 * local host's WebSocket (browser, Playwright). Both speak the one contract.
 */
import type {
  ApiErrorPayload,
  ApiEvent,
  ApiEvents,
  ApiMethod,
  ApiParams,
  ApiResults,
  DepthsegBridge,
} from '../../../core/api/contract';
import { API_CHANNEL } from '../../../core/api/contract';

type Listener = (payload: unknown) => void;

/** A bridge over the host's WebSocket; the token comes from the page's #token= fragment. */
export function websocketBridge(location: Location): DepthsegBridge {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/${API_CHANNEL}?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  const listeners = new Map<string, Set<Listener>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;

  const open = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((ok, fail) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        opening = null;
        ok(ws);
      };
      ws.onerror = () => {
        opening = null;
        fail(new Error('cannot reach the workbench host (is it running, and is the link complete with its #token?)'));
      };
      ws.onclose = () => {
        socket = null;
        for (const p of pending.values()) p.fail(new Error('the connection to the workbench host closed'));
        pending.clear();
      };
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as
          | { id: number; ok: true; result: unknown }
          | { id: number; ok: false; error: ApiErrorPayload }
          | { event: string; payload: unknown };
        if ('event' in msg) {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
          return;
        }
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.ok) p.ok(msg.result);
        else p.fail(Object.assign(new Error(msg.error.message), { name: msg.error.name }));
      };
    });
    return opening;
  };

  return {
    async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]> {
      const ws = await open();
      const id = nextId++;
      return new Promise<ApiResults[M]>((ok, fail) => {
        pending.set(id, { ok: ok as (v: unknown) => void, fail });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set<Listener>();
      set.add(listener as Listener);
      listeners.set(event, set);
      void open().catch(() => undefined);
      return () => set.delete(listener as Listener);
    },
  };
}

let bridge: DepthsegBridge | null = null;

/** The bridge this window uses (created once). */
export function api(): DepthsegBridge {
  if (!bridge) bridge = window.depthseg ?? websocketBridge(window.location);
  return bridge;
}
