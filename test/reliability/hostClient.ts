/**
 * The `depthseg serve` host as a child process, and a small WebSocket client for it: what a
 * browser tab (or an attacker on this machine) can send it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type WebSocket from 'ws';
import { browserSession, openApiSocket } from '../host/browserSession';

const BIN = resolve(__dirname, '../../bin/depthseg.mjs');

export interface ServedHost {
  readonly child: ChildProcess;
  readonly port: number;
  readonly token: string;
  /** stderr so far (a crash would show here). */
  stderr(): string;
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts `depthseg serve` on a free loopback port with a minimal renderer folder. */
export async function serveHost(work: string, env: Record<string, string> = {}): Promise<ServedHost> {
  const renderer = join(work, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  const child = spawn(process.execPath, [BIN, 'serve', '--renderer', renderer], {
    env: { ...process.env, XDG_CONFIG_HOME: join(work, 'config'), FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  const url = await new Promise<URL>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`depthseg serve printed no URL:\n${out}\n${err}`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(new URL(m[1]!));
      }
    });
    void exited.then((code) => fail(new Error(`depthseg serve exited (${code}):\n${err}`)));
  });
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  return {
    child,
    port: Number(url.port),
    token,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // A running job is asked to stop first (it saves a checkpoint); never hang a test on it.
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

export { browserSession, claim, openApiSocket } from '../host/browserSession';

/**
 * Claims the served host's session as a browser opening its link does, and opens the API
 * WebSocket with the session cookie (rejects with the HTTP status on refusal).
 */
export async function connectAsBrowser(served: Pick<ServedHost, 'port' | 'token'>): Promise<WebSocket> {
  const cookie = await browserSession(served.port, served.token);
  return openApiSocket('127.0.0.1', served.port, { cookie });
}

export interface Reply {
  id: unknown;
  ok: boolean;
  result?: any;
  error?: { name: string; message: string };
}

/**
 * Sends raw text frames and collects one reply per frame (matched by order: the host answers
 * every message, including those it cannot parse, whose id is null).
 */
export class ApiClient {
  private waiting = new Map<number, (r: Reply) => void>();
  private unmatched: Reply[] = [];
  private next = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Reply & { event?: string };
      if (msg.event !== undefined) return;
      const w = typeof msg.id === 'number' ? this.waiting.get(msg.id) : undefined;
      if (w) {
        this.waiting.delete(msg.id as number);
        w(msg);
      } else this.unmatched.push(msg);
    });
  }

  /** A call with a fresh numeric id; resolves with the host's reply. */
  call(method: unknown, params: unknown): Promise<Reply> {
    const id = this.next++;
    return new Promise((ok) => {
      this.waiting.set(id, ok);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** A frame that is not a well-formed call; resolves with the next reply that has no known id. */
  async raw(text: string | Buffer): Promise<Reply> {
    const before = this.unmatched.length;
    this.ws.send(text);
    for (let i = 0; i < 200 && this.unmatched.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    const r = this.unmatched[before];
    if (!r) throw new Error(`no reply to ${String(text).slice(0, 60)}`);
    return r;
  }

  close(): void {
    this.ws.close();
  }
}
