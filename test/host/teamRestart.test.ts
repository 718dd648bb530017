/**
 * The team server restarted mid-save loses no saved mask: `depthseg serve --team` runs as a
 * child process on a real PostgreSQL server, a signed-in client saves masks in a loop over
 * the real WebSocket, the server is killed with SIGKILL while a save is in flight, started
 * again on the same port, and every save it had acknowledged is read back byte for byte (the
 * one in flight is either wholly there or wholly absent).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freshDirs } from '../data/fixtures';
import { spawnCli, type Spawned } from '../cli/spawnCli';
import { ApiClient } from '../reliability/hostClient';
import { postgresMissing, usePostgres } from '../store/postgresCluster';
import { cookieFor, teamProject, teamSocket } from './teamFixture';

const temp = freshDirs();
const missing = postgresMissing();

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

describe.skipIf(missing !== undefined)(`the team server restarted mid-save${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const server = usePostgres();

  it('keeps every acknowledged save byte for byte after SIGKILL and restart', async () => {
    const work = temp('team-restart');
    const project = await teamProject(server.cluster(), work);
    const port = await freePort();
    const serve = (): Spawned => spawnCli(['serve', '--team', '--project', project.dir, '--listen', `127.0.0.1:${port}`, '--renderer', project.renderer, '--detached'], { env: { HOME: work } });
    const connect = async (): Promise<{ c: ApiClient; pid: number }> => {
      const c = new ApiClient(await teamSocket(port, await cookieFor(port, 'ana')));
      const opened = await c.call('projectOpen', { dir: project.dir });
      expect(opened.ok, opened.error?.message).toBe(true);
      return { c, pid: opened.result.projectId as number };
    };

    let first = serve();
    await first.waitForStderr(/team server listening/);
    const { c, pid } = await connect();
    const frames = (await c.call('frameList', { projectId: pid })).result as { frameId: number; width: number; height: number }[];
    expect(frames.length).toBeGreaterThanOrEqual(2);

    const acked = new Map<number, { version: number; bytes: string }>();
    let inFlight: { frameId: number; bytes: string } | null = null;
    const killAfter = 12;
    let killed: Spawned['done'] | null = null;
    for (let i = 0; killed === null; i++) {
      const f = frames[i % frames.length]!;
      const bytes = Buffer.from(randomBytes(f.width * f.height).map((b) => b % 12)).toString('base64');
      const expectedVersion = acked.get(f.frameId)?.version ?? 0;
      const reply = c.call('maskSave', { projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64: bytes, expectedVersion });
      if (i === killAfter) {
        // The save is on its way (or being written): kill the server under it.
        inFlight = { frameId: f.frameId, bytes };
        await new Promise((r) => setTimeout(r, 2));
        first.child.kill('SIGKILL');
        killed = first.done;
        break;
      }
      const r = await reply;
      expect(r.ok, r.error?.message).toBe(true);
      acked.set(f.frameId, { version: r.result.version as number, bytes });
    }
    expect((await killed).code).toBe(137);
    c.close();
    expect(acked.size).toBe(Math.min(frames.length, killAfter));

    const second = serve();
    try {
      await second.waitForStderr(/team server listening/);
      const { c: after, pid: pid2 } = await connect();
      for (const [frameId, saved] of acked) {
        const got = (await after.call('frameGet', { projectId: pid2, frameId })).result as { maskVersion: number; maskBase64: string };
        if (inFlight?.frameId === frameId && got.maskVersion === saved.version + 1) {
          expect(got.maskBase64).toBe(inFlight.bytes); // the save in flight committed whole
        } else {
          expect(got.maskVersion).toBe(saved.version);
          expect(got.maskBase64).toBe(saved.bytes);
        }
      }
      after.close();
    } finally {
      second.child.kill('SIGTERM');
      await second.done;
      first = second;
    }
  }, 120_000);
});
