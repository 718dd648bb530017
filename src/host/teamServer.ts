/**
 * The team server (issue 20, docs/team-server.md): serves the built renderer and the one API
 * to the browsers of a team, for one project. People sign in with an account of the project's
 * database (POST /login); the API WebSocket admits only a live session and hands its account
 * to dispatch as the caller, whose role every call is checked against. HTTPS where a
 * certificate is given; plain HTTP only on loopback unless the operator insists (insecureHttp).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Caller } from '../core/api/caller';
import {
  API_CHANNEL,
  TEAM_LOGIN_PATH,
  TEAM_LOGOUT_PATH,
  TEAM_ME_PATH,
  type ApiEvent,
  type ApiEvents,
  type DepthsegApi,
  type ProjectInfo,
  type TeamAccount,
} from '../core/api/contract';
import { LoginLimiter, type LimiterOptions } from '../core/api/loginLimiter';
import { isLoopback } from '../core/api/loopback';
import { refusalsFor } from '../core/api/methodRoles';
import { checkSignIn, currentCaller } from '../core/api/teamAccounts';
import { UsageError } from '../core/errors';
import type { ProjectStore } from '../core/store';
import { closeHost, handleMessage, serveStatic } from './server';
import { readBody } from './session';
import { TeamSessions } from './teamSessions';


export interface TeamServerOptions {
  /** Address to listen on: a host name or IP (0.0.0.0 / :: for every interface). */
  readonly host: string;
  /** 0 picks a free one. */
  readonly port: number;
  /** PEM files: HTTPS where both are given. */
  readonly cert?: string;
  readonly key?: string;
  /** Plain HTTP on an address other than loopback (passwords and cookies travel in clear). */
  readonly insecureHttp?: boolean;
  readonly rendererDir?: string;
  readonly sessionTtlMs?: number;
  readonly limits?: LimiterOptions;
}

export interface RunningTeamServer {
  /** What to open in a browser (the listen address; 0.0.0.0 shown as 127.0.0.1). */
  readonly url: string;
  readonly port: number;
  readonly tls: boolean;
  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void;
  close(): Promise<void>;
}

/** Why the server may not listen as asked (plain HTTP off loopback), or null. */
export function plainHttpProblem(o: Pick<TeamServerOptions, 'host' | 'cert' | 'key' | 'insecureHttp'>): string | null {
  if ((o.cert === undefined) !== (o.key === undefined)) return 'give both --cert FILE and --key FILE (PEM) for HTTPS, or neither';
  if (o.cert || isLoopback(o.host) || o.insecureHttp) return null;
  return (
    `refusing plain HTTP on ${o.host}: passwords and session cookies would cross the network unencrypted. ` +
    'Give a certificate (--cert FILE --key FILE) for HTTPS, listen on 127.0.0.1 behind a TLS proxy, ' +
    'or, on a network you trust completely, pass --insecure-http'
  );
}

/** Sign-ins one client address may have checked at the same time (each costs an scrypt hash). */
const MAX_CONCURRENT_SIGN_INS = 2;

const json = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
};

/** The client's address as the server sees it (no proxy headers are trusted). */
const addressOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

export async function startTeamServer(
  service: DepthsegApi,
  project: ProjectInfo,
  accounts: ProjectStore,
  opts: TeamServerOptions,
): Promise<RunningTeamServer> {
  const problem = plainHttpProblem(opts);
  if (problem) throw new UsageError(problem);
  const tls = opts.cert !== undefined;
  const limiter = new LoginLimiter(opts.limits);
  /** Sign-ins being checked now, per client address. */
  const checking = new Map<string, number>();
  let sessions: TeamSessions | null = null;

  /**
   * A page of another site (browsers send Origin on POSTs and WebSocket upgrades) may not sign
   * in or call: the Origin's host must be the one the request was sent to. The scheme is not
   * compared, so a TLS proxy in front (https outside, http here) works if it passes Host on.
   */
  const foreignOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    try {
      return new URL(origin).host !== (req.headers.host ?? '').toLowerCase();
    } catch {
      return true;
    }
  };

  const whoAmI = (caller: Caller): TeamAccount => ({
    user: caller.user,
    role: caller.role,
    refusals: refusalsFor(caller.role),
    project: { dir: project.dir, name: project.name },
  });

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return json(res, 405, { error: 'POST {"name": …, "password": …} here' }, { allow: 'POST' });
    if (foreignOrigin(req)) return json(res, 403, { error: 'a page of another site cannot sign in here' });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return json(res, 415, { error: 'sign in with JSON {"name": …, "password": …}' });
    const body = await readBody(req);
    if (body === null) return json(res, 413, { error: 'the sign-in is too large' });
    let p: { name?: unknown; password?: unknown } | null;
    try {
      p = JSON.parse(body) as typeof p;
    } catch {
      return json(res, 400, { error: 'the sign-in is not JSON ({"name": …, "password": …})' });
    }
    const name = typeof p?.name === 'string' ? p.name.trim() : '';
    const password = typeof p?.password === 'string' ? p.password : '';
    if (!name) return json(res, 400, { error: 'name: give your account name' });
    if (!password) return json(res, 400, { error: 'password: give your password' });
    const address = addressOf(req);
    const blocked = limiter.blocked(name, address);
    if (blocked) return json(res, 429, { error: blocked }, { 'retry-after': blocked.match(/(\d+) s$/)?.[1] ?? '60' });
    // Failures count once they are known: many guesses sent at once would all be hashed first.
    const busy = checking.get(address) ?? 0;
    if (busy >= MAX_CONCURRENT_SIGN_INS) return json(res, 429, { error: 'too many sign-ins at once from this address; try again in 1 s' }, { 'retry-after': '1' });
    checking.set(address, busy + 1);
    let signedIn: Awaited<ReturnType<typeof checkSignIn>>;
    try {
      signedIn = await checkSignIn(accounts, name, password);
    } finally {
      const left = (checking.get(address) ?? 1) - 1;
      if (left > 0) checking.set(address, left);
      else checking.delete(address);
    }
    if (!signedIn) {
      limiter.failed(name, address);
      return json(res, 401, { error: 'wrong name or password' });
    }
    limiter.succeeded(name);
    return json(res, 200, whoAmI(signedIn.caller), { 'set-cookie': sessions!.create(signedIn.caller.user, signedIn.credential) });
  }

  async function me(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = sessions!.idOf(req);
    const session = id ? sessions!.userOf(id) : null;
    const caller = session ? await currentCaller(accounts, session) : null;
    if (!caller) return json(res, 401, { error: 'sign in', project: { name: project.name } });
    return json(res, 200, whoAmI(caller));
  }

  function logout(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') return json(res, 405, { error: 'POST here to sign out' }, { allow: 'POST' });
    if (foreignOrigin(req)) return json(res, 403, { error: 'a page of another site cannot sign you out' });
    const id = sessions!.idOf(req);
    if (id) sessions!.end(id);
    res.writeHead(204, { 'set-cookie': sessions!.clearCookie, 'cache-control': 'no-store' }).end();
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (tls) res.setHeader('strict-transport-security', 'max-age=31536000');
    const fail = (e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: `the team server failed: ${e instanceof Error ? e.message : String(e)}` });
      else res.destroy();
    };
    if (path === TEAM_LOGIN_PATH) return void login(req, res).catch(fail);
    if (path === TEAM_LOGOUT_PATH) return logout(req, res);
    if (path === TEAM_ME_PATH) return void me(req, res).catch(fail);
    serveStatic(opts.rendererDir, req, res);
  };
  const server: Server = tls
    ? createHttpsServer({ cert: readFileSync(opts.cert!), key: readFileSync(opts.key!) }, onRequest)
    : createHttpServer(onRequest);

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const sessionOf = new WeakMap<WebSocket, string>();
  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: string): void => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (new URL(req.url ?? '/', 'http://x').pathname !== `/${API_CHANNEL}`) return refuse('404 Not Found');
    if (foreignOrigin(req)) return refuse('403 Forbidden');
    const id = sessions?.idOf(req);
    if (!id) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sessionOf.set(ws, id);
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        // Who calls is found anew for every call: a session that expired or an account removed
        // or given another role since sign-in counts at once.
        const caller = async (): Promise<Caller> => {
          const session = sessions!.userOf(id);
          const c = session ? await currentCaller(accounts, session) : null;
          if (!c) {
            setTimeout(() => ws.close(4401, 'signed out'), 50);
            throw new Error('your session has ended (signed out, expired, the password changed or the account was removed): sign in again');
          }
          return c;
        };
        void handleMessage(service, ws, isBinary ? '' : data.toString(), caller);
      });
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  sessions = new TeamSessions(port, tls, opts.sessionTtlMs);
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `${tls ? 'https' : 'http'}://${shownHost}:${port}/`,
    port,
    tls,
    emit(event, payload) {
      const text = JSON.stringify({ event, payload });
      for (const client of wss.clients) if (sessions!.userOf(sessionOf.get(client) ?? '')) client.send(text);
    },
    close: () => closeHost(wss, server),
  };
}
