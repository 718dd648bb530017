import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createService } from '../../src/core/api/service';
import { startHost, type RunningHost } from '../../src/host/server';

const dir = mkdtempSync(join(tmpdir(), 'depthseg-host-'));
const renderer = join(dir, 'renderer');
let host: RunningHost;

beforeAll(async () => {
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(renderer, 'assets', 'a.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  host = await startHost(createService('host', { version: '9.9.9' }), { rendererDir: renderer, token: 'tok-123' });
});
afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

function connect(token: string): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/depthseg-api?token=${token}`);
    ws.once('open', () => ok(ws));
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
  });
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

  it('answers API calls over the WebSocket with the right token', async () => {
    const ws = await connect('tok-123');
    const reply = await call(ws, 1, 'appInfo', {});
    expect(reply).toEqual({ id: 1, ok: true, result: { name: 'DepthSeg Workbench', version: '9.9.9', shell: 'host' } });
    ws.close();
  });

  it('refuses a WebSocket without the token', async () => {
    await expect(connect('wrong')).rejects.toThrow(/401/);
    await expect(connect('')).rejects.toThrow(/401/);
  });

  it('validates every call against its schema', async () => {
    const ws = await connect('tok-123');
    const unknown = await call(ws, 2, 'deleteEverything', {});
    expect(unknown).toMatchObject({ id: 2, ok: false, error: { message: expect.stringMatching(/unknown API method/) } });
    const extra = await call(ws, 3, 'appInfo', { path: '/etc/passwd' });
    expect(extra).toMatchObject({ id: 3, ok: false, error: { message: expect.stringMatching(/invalid params for appInfo/) } });
    ws.close();
  });

  it('pushes events to connected UIs', async () => {
    const ws = await connect('tok-123');
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
