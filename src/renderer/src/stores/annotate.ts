import { defineStore } from 'pinia';
import { markRaw } from 'vue';
import type { FrameData, MaskStatusName } from '../../../core/api/contract';
import { base64ToBytes } from '../api/bytes';
import { bytesToBase64Async } from '../api/bytesAsync';
import { errorText, isProjectClosed, projectClosedError } from '../api/errors';
import { Autosave, type SaveState } from './autosave';
import { useProjectStore } from './project';

/** Kept outside the reactive state: it is plain machinery, one per loaded frame. */
let autosave: Autosave | null = null;
/** The frame the autosave above belongs to: its project's folder and its id. */
let autosaveKey: string | null = null;
/**
 * Frames left with edits that could not be saved yet (disk full, read-only folder, the project
 * closed in another window...), by project folder and frame: their autosave stays alive (and
 * keeps retrying, or waits for the project to be reopened), and opening the frame again shows
 * the unsaved edit.
 */
const unsavedFrames = new Map<string, Autosave>();
let listening = false;

const frameKey = (dir: string, frameId: number): string => `${dir}\n${frameId}`;

/** Any edit of any frame not stored yet (the window warns before it is closed or reloaded). */
export function hasUnsavedEdits(): boolean {
  return (autosave?.dirty ?? false) || [...unsavedFrames.values()].some((a) => a.dirty);
}

/**
 * The frame being painted, its mask and the autosave state.
 *
 * Each autosave belongs to the project the frame was loaded from (its folder): it saves with
 * that project's current projectId, and never into another project. While the project is
 * closed (another window opened another one) an edit is kept in memory, state 'closed'; once
 * this window reopens the project, every kept edit of it is saved (with the version it started
 * from, so a mask saved meanwhile elsewhere is a conflict, not overwritten).
 */
export const useAnnotateStore = defineStore('annotate', {
  state: () => ({
    frame: null as FrameData | null,
    /** The mask handed to the canvas (not reactive inside: raw bytes). */
    mask: null as Uint8Array | null,
    status: 'todo' as MaskStatusName,
    saveState: 'saved' as SaveState,
    saveError: null as string | null,
    version: 0,
    loading: false,
    error: null as string | null,
  }),
  actions: {
    /** Saves anything pending now (before leaving the frame). */
    async flush(): Promise<void> {
      await autosave?.flush();
    },
    /** After this window (re)opened a project: save the edits kept for it. */
    async saveKept(dir: string): Promise<void> {
      const mine = [...unsavedFrames.entries()].filter(([k]) => k.startsWith(`${dir}\n`));
      const current = autosaveKey?.startsWith(`${dir}\n`) ? autosave : null;
      await Promise.all([...mine.map(([, a]) => a.flush()), current?.flush()]);
    },
    async load(frameId: number): Promise<void> {
      const project = useProjectStore();
      if (!listening) {
        listening = true;
        project.onReopen(() => {
          const dir = useProjectStore().project?.dir;
          if (dir) void this.saveKept(dir);
        });
      }
      await autosave?.flush();
      if (autosave && autosaveKey !== null && autosave.dirty && autosave.state !== 'conflict') unsavedFrames.set(autosaveKey, autosave);
      const owner = project.project;
      if (!owner) {
        this.error = 'no project is open in this window';
        return;
      }
      this.loading = true;
      this.error = null;
      try {
        const f = await project.call('frameGet', { frameId });
        const key = frameKey(owner.dir, frameId);
        this.frame = markRaw(f);
        this.status = f.status;
        const kept = unsavedFrames.get(key);
        if (kept?.dirty && kept.unsaved) {
          // This frame's last edit is still waiting to be saved: show it, not the stored mask.
          unsavedFrames.delete(key);
          autosave = kept;
          autosaveKey = key;
          this.mask = markRaw(kept.unsaved);
          this.version = kept.currentVersion;
          this.saveState = kept.state;
          this.saveError = null;
          return;
        }
        unsavedFrames.delete(key);
        this.mask = f.maskBase64 ? markRaw(base64ToBytes(f.maskBase64)) : null;
        this.version = f.maskVersion;
        this.saveState = 'saved';
        this.saveError = null;
        let mine: Autosave | null = null;
        mine = autosave = new Autosave(f.maskVersion, {
          save: async (mask, expectedVersion) => {
            const p = useProjectStore();
            // Only ever into the project the frame came from: where this window shows another
            // project now, the edit waits (kept) until that one is shown again.
            if (p.project?.dir !== owner.dir) throw projectClosedError(`this edit belongs to ${owner.name}, which this window no longer shows: reopen it to save the edit`);
            const r = await p.call('maskSave', {
              frameId: f.frameId,
              width: f.width,
              height: f.height,
              maskBase64: await bytesToBase64Async(mask),
              expectedVersion,
            });
            if (autosave === mine) this.status = r.status;
            p.setStatus(f.frameId, r.status);
            return r;
          },
          isConflict: (e) => /saved elsewhere meanwhile/.test(errorText(e)),
          isClosed: isProjectClosed,
          onState: (state, d) => {
            if (autosave !== mine) {
              // A frame left earlier: once its edit is stored it no longer needs keeping.
              if (state === 'saved' && unsavedFrames.get(key) === mine) unsavedFrames.delete(key);
              return;
            }
            this.saveState = state;
            this.version = d.version;
            this.saveError = d.error ?? null;
          },
        });
        autosaveKey = key;
      } catch (e) {
        // Refused because the project was closed: the banner says so; the frame shown stays.
        if (!isProjectClosed(e)) this.error = errorText(e);
      } finally {
        this.loading = false;
      }
    },
    change(mask: Uint8Array): void {
      this.mask = markRaw(mask);
      autosave?.change(mask);
    },
    /** Saves what is pending, then records the status (done / skipped / back to in progress). */
    async mark(status: 'done' | 'skipped' | 'in_progress'): Promise<boolean> {
      if (!this.frame || !autosave) return false;
      await autosave.flush();
      if (autosave.dirty) return false;
      try {
        const project = useProjectStore();
        const r = await project.call('maskSetStatus', { frameId: this.frame.frameId, status });
        this.status = r.status;
        project.setStatus(r.frameId, r.status);
        return true;
      } catch (e) {
        if (!isProjectClosed(e)) this.error = errorText(e);
        return false;
      }
    },
  },
});
