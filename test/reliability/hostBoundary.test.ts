/**
 * The host boundary, against the real `depthseg serve` process: malformed payloads for every
 * method of the contract get a validation error (and the process lives on); it listens on
 * loopback only, and its link's token is claimed by one browser session whose cookie every
 * WebSocket must carry; files are read only inside the project and
 * its dataset, whatever the dataset or the database names.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { API_PARAMS } from '../../src/core/api/contract';
import { writePng } from '../../src/core/data';
import { freshDirs, patternRgb, writeCityscapesFixture } from '../data/fixtures';
import { CLAIMED_ELSEWHERE, WRONG_TOKEN } from '../../src/host/session';
import { ApiClient, browserSession, claim, openApiSocket, serveHost, type Reply, type ServedHost } from './hostClient';

const temp = freshDirs();
let work: string;
let host: ServedHost;
let api: ApiClient;
/** The Cookie header of the browser session claimed in beforeAll. */
let cookie: string;

beforeAll(async () => {
  work = temp('host-boundary');
  host = await serveHost(work);
  cookie = await browserSession(host.port, host.token);
  api = new ApiClient(await openApiSocket('127.0.0.1', host.port, { cookie }));
}, 90_000);

afterAll(async () => {
  api?.close();
  await host?.stop();
});

/** The schema inside optional/default wrappers. */
function inner(t: ZodType): ZodType {
  let s = t as ZodType & { def: { type: string; innerType?: ZodType } };
  while ((s.def.type === 'optional' || s.def.type === 'default' || s.def.type === 'nullable') && s.def.innerType) {
    s = s.def.innerType as typeof s;
  }
  return s;
}

/** Values of the wrong type (or out of range) for a field of this schema. */
function wrongValues(field: ZodType): unknown[] {
  const t = (inner(field) as ZodType & { def: { type: string } }).def.type;
  switch (t) {
    case 'number':
      return ['7', -1e300, 1.5e300, { $gt: 0 }, [1], true];
    case 'string':
      return [7, 'x'.repeat(5000), { toString: 'x' }, null];
    case 'boolean':
      return ['yes', 1];
    case 'enum':
      return ['not-a-choice', 3];
    case 'object':
      return ['x', [], { unknownKey: 1 }];
    default:
      return [Symbol.for('unused').toString(), 12345];
  }
}

/** Malformed params for a method: wrong shapes as a whole, unknown keys, and each field wrong. */
function malformed(schema: ZodType): unknown[] {
  const out: unknown[] = [42, 'params', [], [{}], true, { unknownKey: 1 }, { __proto__: { polluted: true } }, { constructor: { prototype: 1 } }];
  const shape = (schema as ZodType & { shape?: Record<string, ZodType> }).shape ?? {};
  for (const [key, field] of Object.entries(shape)) for (const v of wrongValues(field)) out.push({ [key]: v });
  return out;
}

describe('the host validates every call against its schema', () => {
  it('answers malformed payloads for every method of the contract with a validation error, and stays up', { timeout: 60_000 }, async () => {
    let tried = 0;
    for (const [method, schema] of Object.entries(API_PARAMS)) {
      for (const params of malformed(schema as ZodType)) {
        // JSON.stringify drops a literal __proto__ key; send it as text so it arrives as an own key.
        const r =
          params !== null && typeof params === 'object' && Object.getPrototypeOf(params) !== Object.prototype && !Array.isArray(params)
            ? await api.raw(`{"id":"p${tried}","method":${JSON.stringify(method)},"params":{"__proto__":{"polluted":true}}}`)
            : await api.call(method, params);
        tried++;
        expect(r.ok, `${method} ${JSON.stringify(params)}`).toBe(false);
        expect(r.error!.message, `${method} ${JSON.stringify(params)}`).toMatch(new RegExp(`^invalid params for ${method}: `));
      }
    }
    // Method names that are not API methods, including the object's own inherited names.
    for (const method of ['deleteEverything', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'dispatch', 'close', 'jobs', '', 42, null, ['appInfo'], { name: 'appInfo' }]) {
      const r = await api.call(method, {});
      tried++;
      expect(r, JSON.stringify(method)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^unknown API method/) } });
    }
    // Frames that are not calls at all.
    for (const text of ['', 'not json', '{"id":1,', 'null', '[]', '"appInfo"', '{"id":{"a":1},"method":"appInfo","params":"x"}', '['.repeat(100_000), Buffer.from([0xff, 0xfe, 0x00, 0x01])]) {
      const r = await api.raw(text);
      tried++;
      expect(r.ok, String(text).slice(0, 30)).toBe(false);
      expect(typeof r.error!.message).toBe('string');
    }
    console.log(`host boundary: ${tried} malformed calls over ${Object.keys(API_PARAMS).length} methods, each answered with an error`);
    // Still alive and answering; nothing on stderr.
    expect(host.child.exitCode).toBeNull();
    expect((await api.call('appInfo', {})).ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(host.stderr()).toBe('');
  });

  it('every method of the contract has a strict object schema (unknown keys are refused)', () => {
    for (const [method, schema] of Object.entries(API_PARAMS)) {
      expect((schema as ZodType).safeParse({ surplus: 1 }).success, method).toBe(false);
      expect((schema as ZodType).safeParse('x').success, method).toBe(false);
    }
  });
});

describe('the host is reachable from this machine only, by the browser that opened its link', () => {
  it('refuses a WebSocket without the session cookie, whatever token it presents', async () => {
    await expect(openApiSocket('127.0.0.1', host.port, {})).rejects.toThrow(/401/);
    await expect(openApiSocket('127.0.0.1', host.port, { token: '' })).rejects.toThrow(/401/);
    // The token was claimed in beforeAll: on its own it opens nothing now.
    await expect(openApiSocket('127.0.0.1', host.port, { token: host.token })).rejects.toThrow(/401/);
    const name = cookie.split('=')[0]!;
    await expect(openApiSocket('127.0.0.1', host.port, { cookie: `${name}=${'x'.repeat(cookie.length - name.length - 1)}` })).rejects.toThrow(/401/);
    await expect(openApiSocket('127.0.0.1', host.port, { cookie: `${name}=${host.token}` })).rejects.toThrow(/401/);
    const ok = await openApiSocket('127.0.0.1', host.port, { cookie });
    ok.close();
  });

  it('refuses a second claim of the token, a wrong token and one of the same length, in words', async () => {
    const second = await claim(host.port, host.token, { origin: `http://127.0.0.1:${host.port}` });
    expect(second).toMatchObject({ status: 409, text: CLAIMED_ELSEWHERE, cookie: null });
    for (const token of ['', 'x'.repeat(host.token.length), `${host.token}x`]) {
      expect(await claim(host.port, token)).toMatchObject({ status: 401, text: WRONG_TOKEN, cookie: null });
    }
    expect(host.child.exitCode).toBeNull();
  });

  it('listens on 127.0.0.1 only: not on the machine\'s other addresses nor on IPv6 loopback', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal)
      .map((a) => (a!.family === 'IPv6' ? `[${a!.address.split('%')[0]}]` : a!.address));
    for (const addr of [...others, '[::1]']) {
      await expect(openApiSocket(addr, host.port, { cookie }), addr).rejects.toThrow(/ECONNREFUSED|EADDRNOTAVAIL|EINVAL|ENETUNREACH|EHOSTUNREACH/);
    }
    if (others.length === 0) console.log('host boundary: this machine has no non-loopback address to try');
  });
});

describe('files are read only inside the project and its dataset', () => {
  it('refuses symbolic links, .. and absolute paths out of the dataset, and database rows that name files outside the project', { timeout: 60_000 }, async () => {
    const data = join(work, 'data');
    const fx = await writeCityscapesFixture(data);
    const outside = join(work, 'outside');
    mkdirSync(outside, { recursive: true });
    await writePng(join(outside, 'secret.png'), patternRgb(16, 8, 99));
    const secretB64 = readFileSync(join(outside, 'secret.png')).toString('base64');
    writeFileSync(join(outside, 'victim.txt'), 'must survive');
    mkdirSync(join(outside, 'victim-dir'));
    writeFileSync(join(outside, 'victim-dir', 'keep.txt'), 'must survive');

    const projectDir = join(work, 'project');
    const created = await api.call('projectCreate', { dir: projectDir, dataset: data });
    expect(created.ok).toBe(true);
    const projectId = (created.result as { projectId: number }).projectId;
    const queue = (await api.call('frameList', { projectId })).result as { frameId: number; imagePath: string }[];
    expect(queue.length).toBeGreaterThanOrEqual(2);
    const [a, b] = queue;
    const good = await api.call('frameGet', { projectId, frameId: a!.frameId });
    expect(good.ok).toBe(true);

    // A dataset image replaced by a symbolic link to a file outside every allowed folder.
    const imageA = join(data, a!.imagePath);
    rmSync(imageA);
    symlinkSync(join(outside, 'secret.png'), imageA);
    const viaLink = await api.call('frameGet', { projectId, frameId: a!.frameId });
    expect(viaLink.ok).toBe(false);
    expect(viaLink.error!.message).toContain(imageA);
    expect(viaLink.error!.message).toMatch(/outside the open project and its datasets/);
    expect(JSON.stringify(viaLink)).not.toContain(secretB64.slice(0, 40));

    // Rows changed behind the app's back: a frame path with .., an absolute one.
    const db = new Database(join(projectDir, 'project.sqlite'));
    db.pragma('busy_timeout = 5000');
    const setImage = db.prepare('UPDATE frames SET image_path = ? WHERE id = ?');
    setImage.run(`../outside/secret.png`, b!.frameId);
    let r = await api.call('frameGet', { projectId, frameId: b!.frameId });
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/is outside .* \(named '\.\.\/outside\/secret\.png'\)/);
    setImage.run(join(outside, 'secret.png'), b!.frameId);
    r = await api.call('frameGet', { projectId, frameId: b!.frameId });
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/is outside/);
    expect(JSON.stringify(r)).not.toContain(secretB64.slice(0, 40));
    setImage.run(b!.imagePath, b!.frameId);

    // A saved mask whose row is made to name a file outside the project: neither read, nor
    // replaced, nor deleted when the next save replaces "the previous version".
    const mask = Buffer.alloc(16 * 8, 1).toString('base64');
    const saved = await api.call('maskSave', { projectId, frameId: b!.frameId, width: 16, height: 8, maskBase64: mask, expectedVersion: 0 });
    expect(saved.ok, saved.error?.message).toBe(true);
    db.prepare('UPDATE label_masks SET mask_path = ? WHERE frame_id = ?').run('masks/../../outside/victim.txt', b!.frameId);
    r = await api.call('frameGet', { projectId, frameId: b!.frameId });
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/mask_path names 'masks\/\.\.\/\.\.\/outside\/victim\.txt', which is not inside the project's masks\/ folder/);
    r = await api.call('maskSave', { projectId, frameId: b!.frameId, width: 16, height: 8, maskBase64: mask, expectedVersion: 1 });
    expect(r.ok).toBe(false);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('must survive');

    // A checkpoint row naming a folder outside: the run list says so instead of reading it.
    db.prepare("INSERT INTO training_runs (project_id, kind, config_json, status, progress_json, created_at) VALUES (1, 'sde', '{}', 'paused', '{}', 'now')").run();
    const runId = (db.prepare('SELECT max(id) FROM training_runs').pluck().get() as number);
    db.prepare("INSERT INTO checkpoints (run_id, step, path, metrics_json, created_at) VALUES (?, 1, ?, '{}', 'now')").run(runId, join(outside, 'victim-dir'));
    r = await api.call('trainingRuns', { projectId });
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/checkpoints row \d+ \(run \d+, step 1\) path names .*victim-dir', which is not inside the project's checkpoints\/ folder/);
    expect(existsSync(join(outside, 'victim-dir', 'keep.txt'))).toBe(true);
    db.close();

    expect(fx.trainSnippetKey).toBeTruthy();
    expect(host.child.exitCode).toBeNull();
  });
});

export type { Reply };
