/**
 * A tiny PostgreSQL project with three accounts for the team server's tests, and what a
 * browser does with a team server: POST /login, keep the cookie, open the API WebSocket with it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { addAccount } from '../../src/core/api/teamAccounts';
import { initProject } from '../../src/core/project/initProject';
import { generateSynthDataset } from '../../src/core/synth';
import type { PostgresCluster } from '../store/postgresCluster';

export const PASSWORDS = { ana: 'ana-paints-roads', rita: 'rita-reviews-it', eve: 'eve-trains-nets' } as const;
export const ROLES_OF = { ana: 'annotator', rita: 'reviewer', eve: 'engineer' } as const;

/** A PostgreSQL project (4 short synthetic clips, 32x64) in `work`/project with accounts ana, rita and eve. */
export async function teamProject(cluster: PostgresCluster, work: string): Promise<{ dir: string; url: string; renderer: string }> {
  const url = await cluster.createDatabase();
  const data = join(work, 'data');
  await generateSynthDataset({ out: data, sequences: 4, size: { height: 32, width: 64 }, seed: 7 });
  const dir = join(work, 'project');
  const { open } = await initProject({ dir, dataset: data, db: url });
  try {
    for (const name of ['ana', 'rita', 'eve'] as const) await addAccount(open.store, { name, role: ROLES_OF[name], password: PASSWORDS[name] });
  } finally {
    await open.close();
  }
  const renderer = join(work, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>team</title>');
  return { dir, url, renderer };
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: any;
  readonly headers: Record<string, string | string[] | undefined>;
  /** `name=value` of the cookie set, for a Cookie header. */
  readonly cookie: string | null;
}

/** One HTTP request to the team server at 127.0.0.1:`port`, from `localAddress` (127.0.0.x: another client). */
export function http(
  port: number,
  path: string,
  opts: { method?: string; body?: string; cookie?: string; origin?: string; localAddress?: string; contentType?: string } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  if (opts.cookie) headers['cookie'] = opts.cookie;
  if (opts.origin) headers['origin'] = opts.origin;
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => {
        const set = res.headers['set-cookie']?.[0];
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          /* not JSON: keep the text */
        }
        ok({ status: res.statusCode ?? 0, body, headers: res.headers, cookie: set ? set.split(';')[0]!.trim() : null });
      });
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}

export function signIn(port: number, name: string, password: string, localAddress?: string): Promise<HttpAnswer> {
  return http(port, '/login', { method: 'POST', body: JSON.stringify({ name, password }), ...(localAddress ? { localAddress } : {}) });
}

/** Signs in and returns the session cookie (throws with the server's words where refused). */
export async function cookieFor(port: number, name: keyof typeof PASSWORDS): Promise<string> {
  const a = await signIn(port, name, PASSWORDS[name]);
  if (a.status !== 200 || !a.cookie) throw new Error(`sign-in of ${name} refused (HTTP ${a.status}): ${JSON.stringify(a.body)}`);
  return a.cookie;
}

/** The API WebSocket with a session cookie (rejects with the HTTP status where refused). */
export function teamSocket(port: number, cookie: string | null): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/depthseg-api`, { headers: cookie ? { cookie } : {} });
    ws.once('open', () => ok(ws));
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
  });
}
