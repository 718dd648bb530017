import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createService } from '../../src/core/api/service';
import { startHost, type RunningHost } from '../../src/host/server';
import { CLAIMED_ELSEWHERE, WRONG_TOKEN } from '../../src/host/session';
import { browserSession, claim, openApiSocket } from './browserSession';

const dir = mkdtempSync(join(tmpdir(), 'depthseg-host-'));
const renderer = join(dir, 'renderer');
let host: RunningHost;
/** The Cookie header of the browser session claimed first (in beforeAll). */
let cookie: string;

beforeAll(async () => {
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(renderer, 'assets', 'a.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  host = await startHost(createService('host', { version: '9.9.9' }), { rendererDir: renderer, token: 'tok-123' });
  expect(host.claimed).toBe(false);
  cookie = await browserSession(host.port, 'tok-123');
});
afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The API socket of the browser that claimed the session. */
function connect(): Promise<WebSocket> {
  return openApiSocket('127.0.0.1', host.port, { cookie });
}

function call(ws: WebSocket, id: number, method: string, params: unknown): Promise<any> {
  return new Promise((ok) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const msg = JSON.parse(data.toString());
      if (msg.id === id) {
        ws.off('message', onMessage);
        ok(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

describe('local host', () => {
  it('listens on loopback and gives a URL carrying the token in the fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=tok-123`);
  });

  it('answers API calls over the WebSocket of the browser that claimed the token', async () => {
    expect(host.claimed).toBe(true);
    const ws = await connect();
    const reply = await call(ws, 1, 'appInfo', {});
    expect(reply).toEqual({ id: 1, ok: true, result: { name: 'DepthSeg Workbench', version: '9.9.9', shell: 'host' } });
    ws.close();
  });

  it('sets a session cookie that scripts cannot read and other sites do not send, not derived from the token', async () => {
    const other = await startHost(createService('host'), { token: 'tok-456' });
    try {
      const answer = await claim(other.port, 'tok-456');
      expect(answer.status).toBe(204);
      const attrs = answer.setCookie!.split(';').map((a) => a.trim());
      expect(attrs).toContain('HttpOnly');
      expect(attrs).toContain('SameSite=Strict');
      expect(attrs).toContain('Path=/');
      // A session cookie: gone when the browser ends, never written to disk with an expiry.
      expect(attrs.some((a) => /^(expires|max-age)=/i.test(a))).toBe(false);
      const [name, value] = answer.cookie!.split('=');
      // Named per port, so two hosts on this machine do not overwrite each other's cookie.
      expect(name).toBe(`depthseg_session_${other.port}`);
      expect(value!.length).toBeGreaterThanOrEqual(40);
      expect(value).not.toContain('tok-456');
      expect(value).not.toBe(Buffer.from('tok-456').toString('base64url'));
      expect(answer.cookie).not.toBe(cookie.replace(String(host.port), String(other.port)));
    } finally {
      await other.close();
    }
  });

  it('refuses a claimed token without the cookie: in the claim, and as a WebSocket query', async () => {
    const again = await claim(host.port, 'tok-123', { origin: `http://127.0.0.1:${host.port}` });
    expect(again.status).toBe(409);
    expect(again.setCookie).toBeNull();
    expect(again.text).toBe(CLAIMED_ELSEWHERE);
    expect(again.text).toMatch(/already opened in another browser/);
    await expect(openApiSocket('127.0.0.1', host.port, { token: 'tok-123' })).rejects.toThrow(/HTTP 401/);
    await expect(openApiSocket('127.0.0.1', host.port, {})).rejects.toThrow(/HTTP 401/);
  });

  it('refuses a wrong or forged session cookie, and a wrong token', async () => {
    const name = cookie.split('=')[0]!;
    const value = cookie.split('=')[1]!;
    for (const forged of [`${name}=`, `${name}=x`, `${name}=${'A'.repeat(value.length)}`, `${name}=${value}x`, `depthseg_session_1=${value}`, `${name}=tok-123`]) {
      await expect(openApiSocket('127.0.0.1', host.port, { cookie: forged }), forged).rejects.toThrow(/HTTP 401/);
    }
    for (const token of ['wrong', '', 'tok-12', 'tok-1234', 'TOK-123']) {
      const answer = await claim(host.port, token);
      expect(answer.status, token).toBe(401);
      expect(answer.text).toBe(WRONG_TOKEN);
      expect(answer.setCookie).toBeNull();
    }
  });

  it('lets more tabs of the claiming browser in, with the link or without it', async () => {
    const withLink = await claim(host.port, 'tok-123', { cookie });
    expect(withLink.status).toBe(204);
    const withoutLink = await claim(host.port, '', { cookie: `other=1; ${cookie}` });
    expect(withoutLink.status).toBe(204);
    const a = await connect();
    const b = await openApiSocket('127.0.0.1', host.port, { cookie: `other=1; ${cookie}`, origin: `http://127.0.0.1:${host.port}` });
    expect((await call(a, 1, 'appInfo', {})).ok).toBe(true);
    expect((await call(b, 1, 'appInfo', {})).ok).toBe(true);
    a.close();
    b.close();
  });

  it('refuses pages of another origin, even with the cookie', async () => {
    for (const origin of ['http://evil.example', `http://localhost:${host.port}`, `http://127.0.0.1:${host.port + 1}`, 'null']) {
      await expect(openApiSocket('127.0.0.1', host.port, { cookie, origin }), origin).rejects.toThrow(/HTTP 403/);
      expect((await claim(host.port, 'tok-123', { origin, cookie })).status, origin).toBe(403);
    }
  });

  it('wants the claim as a JSON POST', async () => {
    expect((await claim(host.port, 'tok-123', { method: 'GET', body: '' })).status).toBe(405);
    expect((await claim(host.port, 'tok-123', { contentType: 'text/plain' })).status).toBe(415);
    expect((await claim(host.port, 'tok-123', { body: '{"token":' })).status).toBe(400);
    expect((await claim(host.port, 'tok-123', { body: JSON.stringify({ token: 'x'.repeat(10_000) }) })).status).toBe(413);
    expect((await claim(host.port, 'tok-123', { body: 'null' })).status).toBe(401);
  });

  it('validates every call against its schema', async () => {
    const ws = await connect();
    const unknown = await call(ws, 2, 'deleteEverything', {});
    expect(unknown).toMatchObject({ id: 2, ok: false, error: { message: expect.stringMatching(/unknown API method/) } });
    const extra = await call(ws, 3, 'appInfo', { path: '/etc/passwd' });
    expect(extra).toMatchObject({ id: 3, ok: false, error: { message: expect.stringMatching(/invalid params for appInfo/) } });
    ws.close();
  });

  it('pushes events to connected UIs', async () => {
    const ws = await connect();
    const got = new Promise<any>((ok) => ws.once('message', (d) => ok(JSON.parse(d.toString()))));
    host.emit('job.progress', { jobId: 'j1', step: 3, total: 10 });
    expect(await got).toEqual({ event: 'job.progress', payload: { jobId: 'j1', step: 3, total: 10 } });
    ws.close();
  });

  it('serves the renderer with a CSP and nothing outside its folder', async () => {
    const base = `http://127.0.0.1:${host.port}`;
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect((await fetch(`${base}/assets/a.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/%2e%2e/secret.txt`)).status).not.toBe(200);
    expect((await fetch(`${base}/..%2fsecret.txt`)).status).not.toBe(200);
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
  });
});
