import { defineStore } from 'pinia';
import { markRaw } from 'vue';
import type { FrameData, MaskStatusName } from '../../../core/api/contract';
import { api } from '../api/bridge';
import { base64ToBytes } from '../api/bytes';
import { bytesToBase64Async } from '../api/bytesAsync';
import { Autosave, type SaveState } from './autosave';
import { useProjectStore } from './project';

/** Kept outside the reactive state: it is plain machinery, one per loaded frame. */
let autosave: Autosave | null = null;
let autosaveFrame: number | null = null;
/**
 * Frames left with edits that could not be saved yet (disk full, read-only folder...): their
 * autosave stays alive and keeps retrying, and opening the frame again shows the unsaved edit.
 */
const unsavedFrames = new Map<number, Autosave>();

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The frame being painted, its mask and the autosave state. */
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
    async load(frameId: number): Promise<void> {
      await autosave?.flush();
      if (autosave && autosaveFrame !== null && autosave.dirty && autosave.state !== 'conflict') unsavedFrames.set(autosaveFrame, autosave);
      this.loading = true;
      this.error = null;
      try {
        const f = await api().call('frameGet', { frameId });
        this.frame = markRaw(f);
        this.status = f.status;
        const kept = unsavedFrames.get(frameId);
        if (kept?.dirty && kept.unsaved) {
          // This frame's last edit is still waiting to be saved: show it, not the stored mask.
          unsavedFrames.delete(frameId);
          autosave = kept;
          autosaveFrame = frameId;
          this.mask = markRaw(kept.unsaved);
          this.version = kept.currentVersion;
          this.saveState = kept.state;
          this.saveError = null;
          return;
        }
        unsavedFrames.delete(frameId);
        this.mask = f.maskBase64 ? markRaw(base64ToBytes(f.maskBase64)) : null;
        this.version = f.maskVersion;
        this.saveState = 'saved';
        this.saveError = null;
        let mine: Autosave | null = null;
        mine = autosave = new Autosave(f.maskVersion, {
            save: async (mask, expectedVersion) => {
              const r = await api().call('maskSave', {
                frameId: f.frameId,
                width: f.width,
                height: f.height,
                maskBase64: await bytesToBase64Async(mask),
                expectedVersion,
              });
              this.status = r.status;
              useProjectStore().setStatus(f.frameId, r.status);
              return r;
            },
            isConflict: (e) => /saved elsewhere meanwhile/.test(message(e)),
            onState: (state, d) => {
              if (autosave !== mine) {
                // A frame left earlier: once its edit is stored it no longer needs keeping.
                if (state === 'saved' && unsavedFrames.get(f.frameId) === mine) unsavedFrames.delete(f.frameId);
                return;
              }
              this.saveState = state;
              this.version = d.version;
              this.saveError = d.error ?? null;
            },
          });
        autosaveFrame = f.frameId;
      } catch (e) {
        this.error = message(e);
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
        const r = await api().call('maskSetStatus', { frameId: this.frame.frameId, status });
        this.status = r.status;
        useProjectStore().setStatus(r.frameId, r.status);
        return true;
      } catch (e) {
        this.error = message(e);
        return false;
      }
    },
  },
});
