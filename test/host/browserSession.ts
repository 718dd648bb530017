/**
 * What a browser does with the link `depthseg serve` prints, for tests that talk to the host
 * without one: POST the token to /session, keep the session cookie it sets, and send that
 * cookie with the API WebSocket's upgrade.
 */
import { request } from 'node:http';
import WebSocket from 'ws';

export interface ClaimAnswer {
  readonly status: number;
  /** The body: empty when claimed, a sentence when refused. */
  readonly text: string;
  /** The Set-Cookie header as sent, or null. */
  readonly setCookie: string | null;
  /** `name=value`, ready for a Cookie header, or null when no cookie was set. */
  readonly cookie: string | null;
}

export interface ClaimOptions {
  /** Cookie header to send (a browser that already holds the session). */
  readonly cookie?: string;
  /** Origin header to send (browsers send their page's); none by default. */
  readonly origin?: string;
  /** The raw body instead of {"token": token}. */
  readonly body?: string;
  readonly contentType?: string;
  readonly method?: string;
}

/** POSTs a claim of `token` to the host at 127.0.0.1:`port` and returns its answer. */
export function claim(port: number, token: string, opts: ClaimOptions = {}): Promise<ClaimAnswer> {
  const body = opts.body ?? JSON.stringify({ token });
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  if (opts.cookie) headers['cookie'] = opts.cookie;
  if (opts.origin) headers['origin'] = opts.origin;
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path: '/session', method: opts.method ?? 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie']?.[0] ?? null;
        ok({ status: res.statusCode ?? 0, text, setCookie, cookie: setCookie ? setCookie.split(';')[0]!.trim() : null });
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Claims the session as the browser that opens the link first does; returns its Cookie header. */
export async function browserSession(port: number, token: string): Promise<string> {
  const answer = await claim(port, token, { origin: `http://127.0.0.1:${port}` });
  if (answer.status !== 204 || !answer.cookie) {
    throw new Error(`the host refused the claim (HTTP ${answer.status}): ${answer.text}`);
  }
  return answer.cookie;
}

export interface SocketOptions {
  /** The session cookie (`name=value`), or none. */
  readonly cookie?: string | null;
  /** A token in the query, as hosts before the session cookie wanted it. */
  readonly token?: string;
  readonly origin?: string;
}

/** Opens the API WebSocket at `host`:`port` (rejects with the HTTP status on refusal). */
export function openApiSocket(host: string, port: number, opts: SocketOptions = {}): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const q = opts.token === undefined ? '' : `?token=${encodeURIComponent(opts.token)}`;
    const headers: Record<string, string> = {};
    if (opts.cookie) headers['cookie'] = opts.cookie;
    const ws = new WebSocket(`ws://${host}:${port}/depthseg-api${q}`, { headers, ...(opts.origin ? { origin: opts.origin } : {}) });
    ws.once('open', () => ok(ws));
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
  });
}
