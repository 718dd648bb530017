import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { countFrames, getSetting, openProjectStore, ProjectStoreError, setSetting } from '../../src/core/store';
import { seededStore, tempFolder } from './tempProject';

const tmp = tempFolder('store-procs');

/**
 * A second process that opens the database, inserts a frame inside an IMMEDIATE transaction
 * and holds it open until told to commit (on stdin), reporting each stage on stdout.
 */
const holder = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('foreign_keys = ON');
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT INTO frames (clip_id, idx, image_path, split, width, height) VALUES (1, 99, 'other.png', 'train', 8, 4)").run();
console.log('holding');
process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); console.log('committed'); process.exit(0); });
`;

describe('two processes on one project', () => {
  it('while another process holds a write transaction, this one reads the last commit and a write waits, then says busy', { timeout: 20_000 }, async () => {
    const dir = tmp.projectDir();
    const { store } = await seededStore(dir, 2, { busyTimeoutMs: 50 });
    const child = spawn(process.execPath, ['-e', holder, store.dbPath], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const exited = new Promise<number | null>((res) => child.on('exit', res));
    try {
      expect((await lines.next()).value).toBe('holding');
      expect(await countFrames(store)).toBe(2);
      let err: unknown;
      try {
        await setSetting(store, 'k', 1);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProjectStoreError);
      expect((err as ProjectStoreError).reason).toBe('busy');
      child.stdin!.write('commit\n');
      expect((await lines.next()).value).toBe('committed');
      expect(await exited).toBe(0);
      expect(await countFrames(store)).toBe(3);
      await setSetting(store, 'k', 1);
      const third = await openProjectStore(dir);
      expect(await getSetting(third, 'k')).toBe(1);
      await third.close();
    } finally {
      child.kill();
      await store.close();
    }
  });
});
