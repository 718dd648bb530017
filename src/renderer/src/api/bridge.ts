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
import { API_CHANNEL, TEAM_LOGIN_PATH, TEAM_LOGOUT_PATH, TEAM_ME_PATH, type TeamAccount } from '../../../core/api/contract';

type Listener = (payload: unknown) => void;

/** The host's answer to a claim it refuses is a sentence for the user; keep it one. */
const MAX_REFUSAL = 500;

/**
 * A bridge over the host's WebSocket. Before the first connection the page claims its
 * browser session: it POSTs the token from its #token= fragment to /session and the host
 * answers with an httpOnly session cookie (or, for a browser other than the one that opened
 * the link first, with a refusal in words, which the UI shows). The WebSocket then carries
 * the cookie; the token alone opens nothing once claimed.
 */
export function websocketBridge(location: Location, opts: { team?: boolean } = {}): DepthsegBridge {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? '';
  const unreachable = opts.team
    ? 'cannot reach the team server, or your session has ended: reload the page to sign in again'
    : 'cannot reach the workbench host (is depthseg serve still running?)';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/${API_CHANNEL}`;
  let claiming: Promise<void> | null = null;

  const claim = (): Promise<void> => {
    // On a team server the sign-in form has set the session cookie already.
    if (opts.team) return Promise.resolve();
    if (claiming) return claiming;
    const attempt = (async () => {
      let res: Response;
      try {
        res = await fetch(`${location.protocol}//${location.host}/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
          credentials: 'same-origin',
          cache: 'no-store',
        });
      } catch {
        throw new Error('cannot reach the workbench host (is depthseg serve still running?)');
      }
      if (!res.ok) {
        const text = (await res.text().catch(() => '')).trim().slice(0, MAX_REFUSAL);
        throw new Error(text || `the workbench host refused this page (HTTP ${res.status})`);
      }
    })();
    // A failed claim is tried again by the next call (the host may have been restarted).
    attempt.catch(() => {
      if (claiming === attempt) claiming = null;
    });
    claiming = attempt;
    return attempt;
  };

  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  const listeners = new Map<string, Set<Listener>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;

  const open = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((ok, fail) => {
      claim().then(
        () => connect(ok, fail),
        (e: unknown) => {
          opening = null;
          fail(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
    return opening;
  };

  const connect = (ok: (ws: WebSocket) => void, fail: (e: Error) => void): void => {
    const ws = new WebSocket(url);
    ws.onopen = () => {
      socket = ws;
      opening = null;
      ok(ws);
    };
    ws.onerror = () => {
      opening = null;
      // Claim again next time: the answer says in words what is wrong, if anything is.
      claiming = null;
      fail(new Error(unreachable));
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
/** Set by teamStatus() before the first call: this page came from a team server. */
let onTeamServer = false;

/** The bridge this window uses (created once). */
export function api(): DepthsegBridge {
  if (!bridge) bridge = window.depthseg ?? websocketBridge(window.location, { team: onTeamServer });
  return bridge;
}

/** The answer of a team server's sign-in endpoints: the account, or its refusal in words. */
async function teamAnswer(res: Response): Promise<TeamAccount> {
  const body = (await res.json().catch(() => null)) as (TeamAccount & { error?: string }) | null;
  if (!res.ok || !body || body.error) throw new Error(body?.error ?? `the team server refused (HTTP ${res.status})`);
  return body;
}

/**
 * Whether this page came from a team server, and who is signed in there (null: nobody yet).
 * The desktop app and a page opened with the local host's #token= link are never one.
 */
export async function teamStatus(): Promise<{ team: false } | { team: true; account: TeamAccount | null }> {
  if (window.depthseg || /[#&]token=/.test(window.location.hash)) return { team: false };
  let res: Response;
  try {
    res = await fetch(TEAM_ME_PATH, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return { team: false };
  }
  if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) return { team: false };
  onTeamServer = true;
  return { team: true, account: res.status === 200 ? await teamAnswer(res) : null };
}

export async function teamSignIn(name: string, password: string): Promise<TeamAccount> {
  let res: Response;
  try {
    res = await fetch(TEAM_LOGIN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new Error('cannot reach the team server');
  }
  return await teamAnswer(res);
}

export async function teamSignOut(): Promise<void> {
  await fetch(TEAM_LOGOUT_PATH, { method: 'POST', credentials: 'same-origin', cache: 'no-store' }).catch(() => undefined);
}
