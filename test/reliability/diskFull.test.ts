/**
 * Disk full and a read-only project folder: a save fails with an error that says so and names
 * the file, the previous mask stays, and the annotator's edit stays in memory and is stored
 * as soon as the disk can take it. Real file-system errors: a tiny tmpfs that fills up (ENOSPC)
 * and is remounted read-only (EROFS) where this machine lets the test mount one (root with
 * mount rights), and everywhere a file put where the project keeps its masks folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createPinia, setActivePinia } from 'pinia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCall, type DepthsegBridge } from '../../src/core/api/contract';
import { createService, dispatch } from '../../src/core/api/service';
import { getMaskRow, loadMask, openProjectStore, ProjectStoreError } from '../../src/core/store';
import { Autosave, type SaveState } from '../../src/renderer/src/stores/autosave';
import { freshDirs, writeCityscapesFixture } from '../data/fixtures';

const temp = freshDirs();

/** Mounts a tmpfs of `kib` KiB on `dir`; false where this machine does not allow it. */
function mountTmpfs(dir: string, kib: number): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]).status === 0;
}
function remount(dir: string, mode: 'ro' | 'rw'): void {
  const r = spawnSync('mount', ['-o', `remount,${mode}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`remount ${mode} failed: ${r.stderr}`);
}

/** Writes `path` until the file system says it is full; returns how many bytes fit. */
function fillUp(path: string): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  let n = 0;
  try {
    for (;;) n += writeSync(fd, chunk);
  } catch (e) {
    expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
  return n;
}

/** What the test uses of the renderer's annotate store (loaded at run time: it is browser code, outside the Node type-check). */
interface AnnotateStore {
  frame: { frameId: number } | null;
  mask: Uint8Array | null;
  version: number;
  saveState: SaveState;
  saveError: string | null;
  error: string | null;
  load(frameId: number): Promise<void>;
  change(mask: Uint8Array): void;
  flush(): Promise<void>;
  mark(status: 'done' | 'skipped' | 'in_progress'): Promise<boolean>;
}
async function annotateStore(): Promise<AnnotateStore> {
  const path = '../../src/renderer/src/stores/annotate';
  const mod = (await import(/* @vite-ignore */ path)) as { useAnnotateStore: () => AnnotateStore };
  return mod.useAnnotateStore();
}

/** The browser's FileReader.readAsDataURL, which the renderer's mask encoder uses, for this Node test. */
class NodeFileReader {
  result: string | null = null;
  error: Error | null = null;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  readAsDataURL(blob: Blob): void {
    void blob.arrayBuffer().then(
      (b) => {
        this.result = `data:application/octet-stream;base64,${Buffer.from(b).toString('base64')}`;
        this.onload?.();
      },
      (e: Error) => {
        this.error = e;
        this.onerror?.();
      },
    );
  }
}

/** The service behind a bridge like Electron's preload: every call validated, then dispatched. */
function bridgeOver(service: ReturnType<typeof createService>): DepthsegBridge {
  return {
    call: (async (method: unknown, params: unknown) => {
      const c = validateCall(method, params);
      return dispatch(service, c.method, c.params);
    }) as DepthsegBridge['call'],
    on: () => () => undefined,
  };
}

let dataset = '';
beforeAll(async () => {
  dataset = join(temp('disk-data'), 'data');
  await writeCityscapesFixture(dataset);
});

async function openService(projectDir: string) {
  const service = createService('host', { version: '0', recentFile: join(temp('disk-cfg'), 'r.json'), author: 'annotator' });
  const { projectId } = await service.projectCreate({ dir: projectDir, dataset });
  const frames = await service.frameList({ projectId });
  return { service, frames, projectId };
}

const mask = (w: number, h: number, v: number): string => Buffer.alloc(w * h, v).toString('base64');

describe('a disk that is full, then read-only (tmpfs)', () => {
  const mountDir = join(temp('disk-tmpfs'), 'mnt');
  mkdirSync(mountDir);
  const mounted = mountTmpfs(mountDir, 1024);
  afterAll(() => {
    if (mounted) spawnSync('umount', ['-l', mountDir]);
  });

  it.skipIf(!mounted)('says the disk is full or read-only naming the file, keeps the saved mask and the edit, and saves the edit once it can', async () => {
    const projectDir = join(mountDir, 'project');
    const opened = await openService(projectDir);
    const { service, frames } = opened;
    let pid = opened.projectId;
    const f = frames[0]!;
    const first = await service.maskSave({ projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64: mask(f.width, f.height, 1), expectedVersion: 0 });
    const firstFile = readFileSync(join(projectDir, `masks/frame-${f.frameId}-v1.png`));

    // The annotator goes on painting while the disk fills up.
    const filler = join(mountDir, 'filler');
    const filled = fillUp(filler);
    const states: { state: SaveState; error?: string }[] = [];
    const timers: (() => void)[] = [];
    const autosave = new Autosave(first.version, {
      save: (m, v) => service.maskSave({ projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64: Buffer.from(m).toString('base64'), expectedVersion: v }),
      isConflict: (e) => /saved elsewhere meanwhile/.test(String(e)),
      onState: (state, d) => states.push({ state, ...(d.error ? { error: d.error } : {}) }),
      schedule: (fn) => timers.push(fn),
      cancel: () => undefined,
    });
    const edit = new Uint8Array(f.width * f.height).fill(2);
    autosave.change(edit);
    await autosave.flush();
    expect(autosave.state).toBe('error');
    expect(states.at(-1)!.error).toMatch(new RegExp(`${projectDir}/masks/frame-${f.frameId}-v2\\.png: the disk is full; free some space and try again \\(ENOSPC\\)`));
    expect(autosave.unsaved).toBe(edit); // kept in memory
    expect(timers.length).toBeGreaterThan(0); // and retried later by itself
    // The database cannot grow either: the same kind of message, naming it.
    const status = await service.maskSetStatus({ projectId: pid, frameId: frames[1]!.frameId, status: 'skipped' }).catch((e: unknown) => e);
    if (status instanceof Error) expect(status.message).toMatch(/project\.sqlite: the disk is full|project\.sqlite: the disk reported an error/);
    // The saved mask is as it was.
    expect(readFileSync(join(projectDir, `masks/frame-${f.frameId}-v1.png`)).equals(firstFile)).toBe(true);

    // A retry while still full fails the same way and keeps the edit.
    timers.shift()!();
    await autosave.flush();
    expect(autosave.state).toBe('error');
    expect(autosave.dirty).toBe(true);

    // Space is freed; the project is closed and its disk comes back read-only (a mount
    // with files open for writing cannot be remounted).
    rmSync(filler);
    await service.projectClose({ projectId: pid });
    remount(mountDir, 'ro');
    try {
      const ro = await service.projectOpen({ dir: projectDir }).catch((e: unknown) => e);
      expect(ro).toBeInstanceOf(ProjectStoreError);
      expect((ro as ProjectStoreError).reason).toBe('read-only');
      expect((ro as Error).message).toBe(
        `${projectDir}: the project folder is read-only (EROFS): DepthSeg keeps its database there and must be able to write it; make the folder writable or copy the project to a writable disk`,
      );
      // The edit is still held: a retry now fails (no project open) and keeps it.
      timers.at(-1)!();
      await autosave.flush();
      expect(autosave.state).toBe('error');
      expect(autosave.unsaved).toBe(edit);
    } finally {
      remount(mountDir, 'rw');
    }
    // Reopened (by the window's Reopen): its calls name the new id.
    pid = (await service.projectOpen({ dir: projectDir })).projectId;

    // Writable again: the kept edit is saved by the next retry, exactly.
    timers.at(-1)!();
    await autosave.flush();
    expect(autosave.state).toBe('saved');
    expect(autosave.dirty).toBe(false);
    const store = await openProjectStore(projectDir, { create: false });
    try {
      const saved = await loadMask(store, f.frameId);
      expect(saved!.row.version).toBe(2);
      expect(Buffer.from(saved!.mask.data).equals(Buffer.from(edit))).toBe(true);
    } finally {
      await store.close();
    }
    console.log(`disk full: tmpfs of 1 MiB, ${filled} bytes of filler; saves failed with ENOSPC and EROFS, the edit was stored after`);
    await service.close();
  });

  if (!mounted) console.log('disk full: this machine does not let the test mount a tmpfs; the ENOSPC/EROFS case is skipped (the masks-folder case below still runs)');
});

describe('something in the way of a save, while the project stays readable', () => {
  it('the annotator leaving a frame whose edit cannot be saved keeps it: reopening the frame shows it, and it is saved once the way is clear', async () => {
    const projectDir = join(temp('disk-blocked'), 'project');
    const { service, frames, projectId: pid } = await openService(projectDir);
    const [a, b] = frames;
    await service.maskSave({ projectId: pid, frameId: a!.frameId, width: a!.width, height: a!.height, maskBase64: mask(a!.width, a!.height, 1), expectedVersion: 0 });
    const before = readFileSync(join(projectDir, `masks/frame-${a!.frameId}-v1.png`));

    // The UI's annotate store over the same bridge the Electron preload gives the window.
    (globalThis as { window?: unknown }).window = { depthseg: bridgeOver(service) };
    (globalThis as { FileReader?: unknown }).FileReader ??= NodeFileReader;
    setActivePinia(createPinia());
    // The window has the project open, as after its open call (the annotate store names it in every call).
    const projectStore = '../../src/renderer/src/stores/project';
    const { useProjectStore } = (await import(/* @vite-ignore */ projectStore)) as { useProjectStore: () => { project: unknown } };
    useProjectStore().project = await service.projectOpen({ dir: projectDir });
    const annotate = await annotateStore();
    await annotate.load(a!.frameId);
    expect(annotate.version).toBe(1);

    // A folder where the next version's file must go: the file system refuses the rename (EISDIR).
    const blocker = join(projectDir, 'masks', `frame-${a!.frameId}-v2.png`);
    mkdirSync(blocker);
    const edit = new Uint8Array(a!.width * a!.height).fill(5);
    annotate.change(edit);
    await annotate.flush();
    expect(annotate.saveState).toBe('error');
    expect(annotate.saveError).toBe(`${blocker}: a folder is in the way where the project writes a file; move it away and try again (EISDIR)`);
    expect(await annotate.mark('done')).toBe(false); // not marked done while the edit is unsaved

    // Moving on to another frame and back does not drop the edit: the frame shows it.
    await annotate.load(b!.frameId);
    expect(annotate.frame!.frameId).toBe(b!.frameId);
    expect(annotate.saveState).toBe('saved');
    await annotate.load(a!.frameId);
    expect(annotate.error).toBeNull();
    expect(Buffer.from(annotate.mask!).equals(Buffer.from(edit))).toBe(true);
    expect(readFileSync(join(projectDir, `masks/frame-${a!.frameId}-v1.png`)).equals(before)).toBe(true);

    // The way is clear: the kept edit is saved.
    rmSync(blocker, { recursive: true });
    await annotate.flush();
    expect(annotate.saveState).toBe('saved');
    expect(annotate.version).toBe(2);
    const store = await openProjectStore(projectDir, { create: false });
    try {
      expect((await getMaskRow(store, a!.frameId))!.version).toBe(2);
      expect(Buffer.from((await loadMask(store, a!.frameId))!.mask.data).equals(Buffer.from(edit))).toBe(true);
    } finally {
      await store.close();
    }
    delete (globalThis as { window?: unknown }).window;
    await service.close();
  });

  it('a file where the masks folder should be, and a masks folder that cannot be written, each say so', async () => {
    const projectDir = join(temp('disk-masks'), 'project');
    const { service, frames, projectId: pid } = await openService(projectDir);
    const f = frames[0]!;
    const save = (v: number) => service.maskSave({ projectId: pid, frameId: f.frameId, width: f.width, height: f.height, maskBase64: mask(f.width, f.height, v), expectedVersion: 0 }).catch((e: unknown) => e);
    renameSync(join(projectDir, 'masks'), join(projectDir, 'masks.moved'));
    writeFileSync(join(projectDir, 'masks'), 'not a folder');
    const notDir = await save(1);
    expect(notDir).toBeInstanceOf(ProjectStoreError);
    expect((notDir as Error).message).toMatch(new RegExp(`${projectDir}/masks/frame-${f.frameId}-v1\\.png: a file is in the way where the project keeps a folder; move it away and try again \\((EEXIST|ENOTDIR)\\)`));
    rmSync(join(projectDir, 'masks'));
    renameSync(join(projectDir, 'masks.moved'), join(projectDir, 'masks'));

    // Read-only for everyone, root included: the immutable attribute (where the file system has it).
    const immutable = spawnSync('chattr', ['+i', join(projectDir, 'masks')]).status === 0;
    if (immutable) {
      try {
        const ro = await save(2);
        expect(ro).toBeInstanceOf(ProjectStoreError);
        expect((ro as ProjectStoreError).reason).toBe('read-only');
        expect((ro as Error).message).toMatch(new RegExp(`${projectDir}/masks/frame-${f.frameId}-v1\\.png: no permission to write in the project folder \\(EPERM\\)`));
      } finally {
        spawnSync('chattr', ['-i', join(projectDir, 'masks')]);
      }
    } else {
      console.log('disk full: chattr +i is not available here; the read-only masks folder case is skipped');
    }
    expect((await save(3)) as { version: number }).toMatchObject({ version: 1 });
    await service.close();
  });
});
