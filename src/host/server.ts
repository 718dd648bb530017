/**
 * The local host: serves the built renderer and the one API over a WebSocket, so the real UI
 * runs in any browser (Playwright's Chromium in tests, headless servers) without Electron.
 * Listens on loopback only. The printed link's token is claimed by the first browser that opens
 * it (see session.ts); every WebSocket must then carry that browser's session cookie.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_CHANNEL, validateCall, type ApiEvent, type ApiEvents, type DepthsegApi } from '../core/api/contract';
import type { Caller } from '../core/api/caller';
import { dispatch } from '../core/api/service';
import { errorMessage } from '../core/errors';
import { BrowserSession, SESSION_PATH } from './session';

export interface HostOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port?: number;
  /** Folder of the built renderer (electron-vite's out/renderer); omit to serve the API only. */
  readonly rendererDir?: string;
  /** Fixed token (tests); a random one otherwise. */
  readonly token?: string;
}

export interface RunningHost {
  /**
   * Open this in a browser: the token travels in the fragment, never to a server log. The
   * first browser that opens it keeps it; others are refused.
   */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Whether a browser has claimed the token. */
  readonly claimed: boolean;
  /** Pushes an event to every connected UI. */
  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'";

export function serveStatic(root: string | undefined, req: IncomingMessage, res: ServerResponse): void {
  const send = (code: number, text: string): void => {
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
  if (!root) return send(404, 'no renderer is served by this host');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return send(400, 'bad path');
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const rootReal = realpathSync(root);
  const candidate = resolve(rootReal, `.${rel}`);
  if (!existsSync(candidate)) return send(404, 'not found');
  const real = realpathSync(candidate);
  if (real !== rootReal && !real.startsWith(rootReal + sep)) return send(403, 'outside the renderer folder');
  if (!statSync(real).isFile()) return send(404, 'not found');
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(real)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(real).pipe(res);
}

/**
 * Answers one API message: `{id, method, params}` in, `{id, ok, result | error}` out. Anything
 * malformed (not JSON, unknown method, params of the wrong shape) is answered with an error in
 * words. `caller` (a team server's signed-in account, or a function finding it) is checked
 * against the method's roles by dispatch.
 */
export async function handleMessage(service: DepthsegApi, ws: WebSocket, raw: string, caller?: () => Promise<Caller>): Promise<void> {
  let id: unknown = null;
  try {
    const msg = JSON.parse(raw) as { id?: unknown; method?: unknown; params?: unknown } | null;
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error('an API call is a JSON object {id, method, params}');
    id = msg.id ?? null;
    const { method, params } = validateCall(msg.method, msg.params);
    const result = await dispatch(service, method, params, caller ? await caller() : undefined);
    ws.send(JSON.stringify({ id, ok: true, result }));
  } catch (e) {
    const name = e instanceof Error ? e.name : 'Error';
    ws.send(JSON.stringify({ id, ok: false, error: { name, message: errorMessage(e) } }));
  }
}

export async function startHost(service: DepthsegApi, opts: HostOptions = {}): Promise<RunningHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const rendererDir = opts.rendererDir ? resolve(opts.rendererDir) : undefined;
  if (rendererDir && !existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`${rendererDir}: no index.html (build the renderer first: npm run build)`);
  }
  // Set once listening (the cookie's name and the expected Origin name the port).
  let session: BrowserSession | null = null;
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === SESSION_PATH && session) return void session.handle(req, res);
    serveStatic(rendererDir, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: string): void => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== `/${API_CHANNEL}`) return refuse('404 Not Found');
    if (!session || session.foreignOrigin(req)) return refuse('403 Forbidden');
    if (!session.admits(req)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => void handleMessage(service, ws, data.toString()));
    });
  });
  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (http.address() as AddressInfo).port;
  const claims = new BrowserSession(token, `http://127.0.0.1:${port}`, port);
  session = claims;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    get claimed() {
      return claims.claimed;
    },
    emit(event, payload) {
      const text = JSON.stringify({ event, payload });
      for (const client of wss.clients) client.send(text);
    },
    close: () => closeHost(wss, http),
  };
}

/**
 * Closes a host's WebSocket server and its HTTP(S) server. http.close() alone waits for the
 * browser's idle keep-alive connections, which may never end while the page stays open; they
 * are dropped so closing cannot hang.
 */
export async function closeHost(wss: WebSocketServer, http: Server): Promise<void> {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((ok) => wss.close(() => ok()));
  await new Promise<void>((ok) => {
    http.close(() => ok());
    http.closeAllConnections();
  });
}
