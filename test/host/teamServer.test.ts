/**
 * The team server (issue 20 point 2) on a real PostgreSQL server, over real HTTP and
 * WebSockets: sign-in and its cookie, every call checked against the caller's role (an
 * annotator cannot start training, read evaluations, export, or open another project),
 * wrong passwords rate limited per account and per client address without telling whether
 * an account exists, and malformed calls over every method refused while the server goes on
 * answering.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PARAMS, type ApiMethod } from '../../src/core/api/contract';
import { METHOD_ROLES } from '../../src/core/api/methodRoles';
import { setPassword, setRole } from '../../src/core/api/teamAccounts';
import { initProject } from '../../src/core/project/initProject';
import { openProject } from '../../src/core/project/openProject';
import { listMasks } from '../../src/core/store';
import { startTeam, type StartedTeam } from '../../src/cli/teamServe';
import { plainHttpProblem } from '../../src/host/teamServer';
import { freshDirs } from '../data/fixtures';
import { ApiClient } from '../reliability/hostClient';
import { postgresMissing, usePostgres } from '../store/postgresCluster';
import { cookieFor, http, PASSWORDS, signIn, teamProject, teamSocket } from './teamFixture';

const temp = freshDirs();
const missing = postgresMissing();

describe.skipIf(missing !== undefined)(`the team server${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const server = usePostgres();
  let project: { dir: string; url: string; renderer: string };
  let team: StartedTeam;
  let port = 0;
  /** The rate-limit server's clock (ms added to the real one). */
  let skew = 0;
  let limited: StartedTeam;

  beforeAll(async () => {
    project = await teamProject(server.cluster(), temp('team-server'));
    team = await startTeam({ project: project.dir, listen: '127.0.0.1:0', rendererDir: project.renderer });
    port = team.server.port;
    limited = await startTeam({ project: project.dir, listen: '127.0.0.1:0', rendererDir: project.renderer, limits: { now: () => Date.now() + skew } });
  });
  afterAll(async () => {
    await team?.stop();
    await limited?.stop();
  });

  const client = async (name: keyof typeof PASSWORDS, p = port) => new ApiClient(await teamSocket(p, await cookieFor(p, name)));
  const openTeamProject = async (c: ApiClient): Promise<number> => {
    const recent = await c.call('projectRecent', {});
    expect(recent.result).toEqual([expect.objectContaining({ dir: project.dir, exists: true })]);
    const opened = await c.call('projectOpen', { dir: project.dir });
    expect(opened.ok, opened.error?.message).toBe(true);
    return opened.result.projectId as number;
  };

  it('signs in with an httpOnly SameSite=Strict cookie; without one the API is closed', async () => {
    await expect(teamSocket(port, null)).rejects.toThrow('HTTP 401');
    await expect(teamSocket(port, 'depthseg_team_1=forged')).rejects.toThrow('HTTP 401');
    expect((await http(port, '/team/me')).status).toBe(401);

    const wrong = await signIn(port, 'ana', 'not her password');
    expect(wrong).toMatchObject({ status: 401, body: { error: 'wrong name or password' }, cookie: null });
    const right = await signIn(port, 'ana', PASSWORDS.ana);
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ user: 'ana', role: 'annotator', project: { dir: project.dir } });
    expect(right.body.refusals.trainingStartSeg).toBe('annotators cannot start training: ask an engineer');
    const setCookie = String((right.headers['set-cookie'] as string[])[0]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/); // plain HTTP on loopback: a Secure cookie would never come back
    expect((await http(port, '/team/me', { cookie: right.cookie! })).body).toMatchObject({ user: 'ana', role: 'annotator' });

    // Another site's page can neither sign in nor open the API with the cookie.
    const foreign = await http(port, '/login', { method: 'POST', body: JSON.stringify({ name: 'ana', password: PASSWORDS.ana }), origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    // The server's own host through a TLS proxy (https outside) is not another site.
    const proxied = await http(port, '/login', { method: 'POST', body: JSON.stringify({ name: 'rita', password: PASSWORDS.rita }), origin: `https://127.0.0.1:${port}` });
    expect(proxied.status).toBe(200);

    // Signing out ends the session: the cookie opens nothing any more.
    const ws = await teamSocket(port, right.cookie);
    ws.close();
    expect((await http(port, '/logout', { method: 'POST', cookie: right.cookie! })).status).toBe(204);
    await expect(teamSocket(port, right.cookie)).rejects.toThrow('HTTP 401');
  });

  it('refuses plain HTTP off loopback unless told, with why and how', async () => {
    expect(plainHttpProblem({ host: '0.0.0.0' })).toMatch(/refusing plain HTTP on 0\.0\.0\.0: .*--cert FILE --key FILE.*--insecure-http/);
    expect(plainHttpProblem({ host: '0.0.0.0', insecureHttp: true })).toBeNull();
    expect(plainHttpProblem({ host: '127.0.0.1' })).toBeNull();
    expect(plainHttpProblem({ host: '10.1.2.3', cert: 'c.pem' })).toMatch(/both --cert FILE and --key FILE/);
    await expect(startTeam({ project: project.dir, listen: '0.0.0.0:0', rendererDir: project.renderer })).rejects.toThrow(/refusing plain HTTP on 0\.0\.0\.0/);
    const sqlite = join(temp('team-sqlite'), 'p');
    mkdirSync(sqlite);
    await expect(startTeam({ project: join(sqlite, 'nothing'), listen: '127.0.0.1:0', rendererDir: project.renderer })).rejects.toThrow(/is not a DepthSeg project/);
  });

  it('serves HTTPS where a certificate is given, with a Secure cookie, on any address', async () => {
    const dir = temp('team-tls');
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const tls = await startTeam({ project: project.dir, listen: '0.0.0.0:0', cert, key, rendererDir: project.renderer });
    try {
      expect(tls.server.url).toMatch(/^https:\/\//);
      const answer = await new Promise<{ status: number; setCookie: string; hsts: string }>((ok, fail) => {
        const req = httpsRequest(
          { host: '127.0.0.1', port: tls.server.port, path: '/login', method: 'POST', ca: readFileSync(cert), headers: { 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => ok({ status: res.statusCode ?? 0, setCookie: String(res.headers['set-cookie']?.[0]), hsts: String(res.headers['strict-transport-security']) }));
          },
        );
        req.on('error', fail);
        req.end(JSON.stringify({ name: 'eve', password: PASSWORDS.eve }));
      });
      expect(answer.status).toBe(200);
      expect(answer.setCookie).toMatch(/; HttpOnly; SameSite=Strict; .*; Secure$/);
      expect(answer.hsts).toMatch(/max-age=\d+/);
      // Plain HTTP to the TLS port gets no API.
      await expect(signIn(tls.server.port, 'eve', PASSWORDS.eve)).rejects.toThrow();
    } finally {
      await tls.stop();
    }
  });

  it('an annotator paints but cannot start training, approve masks, read evaluations, export or reach another project', async () => {
    const anaCookie = await cookieFor(port, 'ana');
    const ana = new ApiClient(await teamSocket(port, anaCookie));
    const eve = await client('eve');
    try {
      const pid = await openTeamProject(ana);
      const frames = (await ana.call('frameList', { projectId: pid })).result as { frameId: number; width: number; height: number }[];
      expect(frames.length).toBeGreaterThan(0);
      const f = frames[0]!;
      const mask = Buffer.alloc(f.width * f.height, 3).toString('base64');
      const saved = await ana.call('maskSave', { projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64: mask, expectedVersion: 0 });
      expect(saved.ok, saved.error?.message).toBe(true);

      const refused = async (method: ApiMethod, params: Record<string, unknown>, words: string) => {
        const r = await ana.call(method, { projectId: pid, ...params });
        expect(r.ok, method).toBe(false);
        expect(r.error).toEqual({ name: 'NotAllowedError', message: words });
      };
      await refused('trainingStartSeg', {}, 'annotators cannot start training: ask an engineer');
      await refused('trainingStartSde', {}, 'annotators cannot start training: ask an engineer');
      await refused('trainingResume', { runId: 1 }, 'annotators cannot resume training: ask an engineer');
      await refused('selectionSuggest', { budget: 2 }, 'annotators cannot start a selection round: ask an engineer');
      await refused('labelsExport', { out: temp('team-export') }, 'annotators cannot export labels: ask an engineer');
      await refused('reviewEvaluation', {}, "annotators cannot read a run's evaluation: ask a reviewer or an engineer");
      await refused('maskReview', { frameId: f.frameId, verdict: 'approve' }, 'annotators cannot approve or send back masks: ask a reviewer or an engineer');
      await refused('projectSettingsSet', { trainApprovedOnly: true }, "annotators cannot change the project's settings: ask an engineer");

      // Another project: it exists on the server's disk, yet nobody here reaches it.
      const otherDir = join(temp('team-other'), 'other');
      const other = await initProject({ dir: otherDir, dataset: join(project.dir, '..', 'data') });
      await other.open.close();
      const open = await ana.call('projectOpen', { dir: otherDir });
      expect(open.error?.message).toMatch(/serves only the project .* another project needs a team server of its own/);
      expect((await ana.call('projectCreate', { dir: join(otherDir, 'x'), synthetic: { sequences: 1, height: 16, width: 16, seed: 1 } })).error?.name).toBe('NotAllowedError');
      expect((await eve.call('projectCreate', { dir: join(otherDir, 'x'), synthetic: { sequences: 1, height: 16, width: 16, seed: 1 } })).error?.message).toMatch(/serves only the project/);
      // A browser leaving the project closes it for nobody: the others go on with the same id.
      expect((await ana.call('projectClose', { projectId: pid })).result).toEqual({ closed: false });
      const evePid = await openTeamProject(eve);
      expect(evePid).toBe(pid);
      expect((await eve.call('frameGet', { projectId: pid, frameId: f.frameId })).result).toMatchObject({ maskVersion: 1, maskBase64: mask });

      // The engineer may do what the annotator may not.
      expect((await eve.call('reviewEvaluation', { projectId: pid })).ok).toBe(true);
      expect((await eve.call('trainingCancel', { projectId: pid })).result).toEqual({ cancelled: false });
      const exported = await eve.call('labelsExport', { projectId: pid, out: join(temp('team-export'), 'x'), statuses: ['in_progress'] });
      expect(exported.ok, exported.error?.message).toBe(true);

      // The mask is recorded as ana's; a role changed in the database counts at the next call.
      const check = await openProject(project.dir);
      try {
        expect((await listMasks(check.store, {})).find((m) => m.frameId === f.frameId)?.author).toBe('ana');
        await setRole(check.store, 'ana', 'reviewer');
        expect((await ana.call('reviewEvaluation', { projectId: pid })).ok).toBe(true);
        await setRole(check.store, 'ana', 'annotator');
        expect((await ana.call('reviewEvaluation', { projectId: pid })).error?.name).toBe('NotAllowedError');
        // A changed password ends the sessions signed in with the old one.
        await setPassword(check.store, 'ana', 'a-new-password-for-ana');
        expect((await ana.call('frameList', { projectId: pid })).error?.message).toMatch(/^your session has ended .*: sign in again$/);
        await setPassword(check.store, 'ana', PASSWORDS.ana);
        expect((await http(port, '/team/me', { cookie: anaCookie })).status).toBe(401);
      } finally {
        await check.close();
      }
    } finally {
      ana.close();
      eve.close();
    }
  });

  it('malformed calls over every method are refused in words, and the server goes on answering', async () => {
    const eve = await client('eve');
    try {
      const pid = await openTeamProject(eve);
      const huge = 'x'.repeat(300_000); // a long string, which the answer must not echo back
      const junk: unknown[] = [42, 'text', [1, 2], true, { projectId: 'one' }, { projectId: pid, junk: huge }, { projectId: -1, frameId: {}, dir: 7, out: null, runId: 'x', budget: 1e12 }];
      const methods = Object.keys(API_PARAMS) as ApiMethod[];
      expect(methods.length).toBe(Object.keys(METHOD_ROLES).length);
      for (const method of methods) {
        for (const params of junk) {
          const r = await eve.call(method, params);
          expect(r.ok, `${method} ${JSON.stringify(params).slice(0, 80)}`).toBe(false);
          expect(r.error?.message.length).toBeGreaterThan(10);
          expect(r.error?.message.length).toBeLessThan(5000); // the huge string is not echoed back
        }
      }
      // Right shape, wrong content: a project that is not open, a frame that does not exist, a mask of junk.
      expect((await eve.call('frameGet', { projectId: pid + 7, frameId: 1 })).error?.name).toBe('ProjectClosedError');
      expect((await eve.call('frameGet', { projectId: pid, frameId: 999_999 })).ok).toBe(false);
      expect((await eve.call('maskSave', { projectId: pid, frameId: 1, width: 3, height: 3, maskBase64: '!!!', expectedVersion: 0 })).ok).toBe(false);
      // Not calls at all.
      for (const raw of ['not json', '', '{"id": 1', 'null', '[]', '"method"', JSON.stringify({ id: 5 }), JSON.stringify({ method: '__proto__' }), JSON.stringify({ method: 'constructor', params: {} }), JSON.stringify({ method: 'close', params: {} }), JSON.stringify({ method: 'jobs' })]) {
        const r = await eve.raw(raw);
        expect(r.ok, raw).toBe(false);
        expect(r.error?.message, raw).toBeTruthy();
      }
      expect((await eve.raw(Buffer.from([0, 1, 2, 255]))).ok).toBe(false);
      // Still answering, on this socket and on a new one.
      expect((await eve.call('projectOverview', { projectId: pid })).ok).toBe(true);
      const again = await client('rita');
      expect((await again.call('appInfo', {})).result).toMatchObject({ shell: 'team' });
      again.close();
    } finally {
      eve.close();
    }
  }, 120_000);

  it('wrong passwords are rate limited per account and per address, never telling whether an account exists', async () => {
    const p = limited.server.port;
    // ana, from one address: five wrong, then refused even with her password, from any address.
    for (let i = 0; i < 5; i++) expect(await signIn(p, 'ana', `wrong ${i}`, '127.0.0.2')).toMatchObject({ status: 401, body: { error: 'wrong name or password' } });
    const locked = await signIn(p, 'ana', PASSWORDS.ana, '127.0.0.2');
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatch(/^too many wrong passwords for ana; try again in \d+ s$/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(p, 'ana', PASSWORDS.ana, '127.0.0.3')).status).toBe(429);
    expect((await signIn(p, 'eve', PASSWORDS.eve, '127.0.0.3')).status).toBe(200);

    // An account that does not exist is answered word for word as one that does.
    for (let i = 0; i < 5; i++) expect(await signIn(p, 'ghost', `wrong ${i}`, '127.0.0.4')).toMatchObject({ status: 401, body: { error: 'wrong name or password' } });
    expect((await signIn(p, 'ghost', 'anything', '127.0.0.4')).body.error).toMatch(/^too many wrong passwords for ghost; try again in \d+ s$/);

    // One address trying many names is stopped too.
    for (let i = 0; i < 5; i++) expect((await signIn(p, `name${i}`, 'guess', '127.0.0.5')).status).toBe(401);
    const spray = await signIn(p, 'rita', PASSWORDS.rita, '127.0.0.5');
    expect(spray).toMatchObject({ status: 429, body: { error: expect.stringMatching(/^too many wrong passwords from this address; try again in \d+ s$/) } });

    // Guesses sent all at once are not all hashed before the first failures count.
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => signIn(p, 'eve', `burst ${i}`, '127.0.0.6')));
    expect(burst.filter((a) => a.status === 401).length).toBeLessThanOrEqual(5);
    expect(burst.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(3);

    // A minute later they may try again.
    skew = 61_000;
    expect((await signIn(p, 'ana', PASSWORDS.ana, '127.0.0.2')).status).toBe(200);
    expect((await signIn(p, 'rita', PASSWORDS.rita, '127.0.0.5')).status).toBe(200);
  }, 120_000);
});
