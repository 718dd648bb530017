/**
 * The host's one browser session. The link `depthseg serve` prints carries a token in its
 * fragment; the first page that presents it (POST /session) claims it and gets a random
 * session cookie (httpOnly, SameSite=Strict, Path=/). From then on the token alone opens
 * nothing: the API WebSocket wants the cookie, which only that browser context holds, so its
 * tabs and windows keep working and a second browser (or profile, or Playwright context)
 * given the same link is refused with words that say why.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Where the page claims its session. */
export const SESSION_PATH = '/session';

/** The largest claim body read (a token is 32 characters; the JSON around it a few more). */
const MAX_BODY = 4096;

export const CLAIMED_ELSEWHERE =
  'This link was already opened in another browser. Each link that depthseg serve prints works in one browser only ' +
  '(its tabs and windows share it); restart depthseg serve for a new link.';

export const WRONG_TOKEN =
  "This link's token is not the one depthseg serve printed: open the whole link (with its #token=…) " +
  'from the depthseg serve that is running now.';

/** Constant-time comparison of a presented secret with the real one. */
export function secretMatches(given: string | null | undefined, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Every value of cookie `name` in a Cookie header (a browser may send more than one). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}

export function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((ok) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => ok(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => ok(null));
  });
}

export class BrowserSession {
  /** Per port: cookies are not told apart by port, and two hosts may run side by side. */
  readonly cookieName: string;
  private sessionId: string | null = null;

  constructor(
    private readonly token: string,
    private readonly origin: string,
    port: number,
  ) {
    this.cookieName = `depthseg_session_${port}`;
  }

  /** Whether a browser has claimed the token yet. */
  get claimed(): boolean {
    return this.sessionId !== null;
  }

  /** Whether this request comes from the browser that claimed the token (it carries the cookie). */
  admits(req: IncomingMessage): boolean {
    const id = this.sessionId;
    if (id === null) return false;
    return cookieValues(req.headers.cookie, this.cookieName).some((v) => secretMatches(v, id));
  }

  /**
   * A request from a page of another origin (another site, or another server on this
   * machine): browsers always send Origin on WebSocket upgrades and POSTs, so it can be told.
   */
  foreignOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin !== undefined && origin !== this.origin;
  }

  /** POST /session {"token": "…"}: claims the token for this browser, or says why not. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (code: number, text: string, headers: Record<string, string> = {}): void => {
      res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(text);
    };
    if (req.method !== 'POST') return send(405, 'method not allowed: POST a JSON {"token": …} here', { allow: 'POST' });
    if (this.foreignOrigin(req)) return send(403, 'a page of another origin cannot claim this host');
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return send(415, 'the claim must be JSON ({"token": …})');
    const body = await readBody(req);
    if (body === null) return send(413, 'the claim is too large');
    let given: unknown;
    try {
      given = (JSON.parse(body) as { token?: unknown } | null)?.token;
    } catch {
      return send(400, 'the claim is not JSON ({"token": …})');
    }
    // The browser that holds the session may open more tabs, with the link or without it.
    if (this.admits(req)) return send(204, '');
    if (!secretMatches(typeof given === 'string' ? given : null, this.token)) return send(401, WRONG_TOKEN);
    if (this.sessionId !== null) return send(409, CLAIMED_ELSEWHERE);
    this.sessionId = randomBytes(32).toString('base64url');
    return send(204, '', {
      'set-cookie': `${this.cookieName}=${this.sessionId}; HttpOnly; SameSite=Strict; Path=/`,
    });
  }
}
