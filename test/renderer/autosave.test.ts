import { describe, expect, it } from 'vitest';
import { Autosave, type SaveState } from '../../src/renderer/src/stores/autosave';
import { base64ToBytes, bytesToBase64 } from '../../src/renderer/src/api/bytes';

/** A store that keeps versions like the project store: a save must name the current version. */
function fakeStore() {
  const saved: { mask: number[]; version: number }[] = [];
  let version = 0;
  let release: (() => void) | null = null;
  let hold = false;
  return {
    saved,
    get version() {
      return version;
    },
    holdNext() {
      hold = true;
    },
    releaseHeld() {
      release?.();
    },
    bumpElsewhere() {
      version++;
    },
    async save(mask: Uint8Array, expected: number) {
      if (hold) {
        hold = false;
        await new Promise<void>((r) => (release = r));
      }
      if (expected !== version) throw Object.assign(new Error('saved elsewhere meanwhile'), { conflict: true });
      version++;
      saved.push({ mask: [...mask], version });
      return { version };
    },
  };
}

function setup(store = fakeStore()) {
  const states: SaveState[] = [];
  const timers: (() => void)[] = [];
  const a = new Autosave(store.version, {
    save: (m, v) => store.save(m, v),
    isConflict: (e) => (e as { conflict?: boolean }).conflict === true,
    onState: (s) => states.push(s),
    schedule: (fn) => timers.push(fn),
    cancel: () => undefined,
  });
  return { a, store, states, timers };
}

describe('Autosave', () => {
  it('stores the newest mask after edits made while a save is in flight (no stroke lost)', async () => {
    const { a, store } = setup();
    store.holdNext();
    a.change(new Uint8Array([1]));
    const first = a.flush();
    a.change(new Uint8Array([1, 2]));
    a.change(new Uint8Array([1, 2, 3]));
    store.releaseHeld();
    await first;
    await a.flush();
    expect(store.saved.at(-1)).toEqual({ mask: [1, 2, 3], version: 2 });
    expect(store.saved.length).toBe(2);
    expect(a.state).toBe('saved');
    expect(a.dirty).toBe(false);
  });

  it('stops on a conflict and keeps the unsaved mask', async () => {
    const { a, store, states } = setup();
    store.bumpElsewhere();
    a.change(new Uint8Array([9]));
    await a.flush();
    expect(states.at(-1)).toBe('conflict');
    expect(a.dirty).toBe(true);
    a.change(new Uint8Array([10]));
    await a.flush();
    expect(store.saved).toEqual([]);
  });

  it('a refusal because the project was closed keeps the newest mask, does not retry on its own, and flush() saves it later', async () => {
    const store = fakeStore();
    let open = false;
    const states: SaveState[] = [];
    const timers: (() => void)[] = [];
    const a = new Autosave(0, {
      save: (m, v) => (open ? store.save(m, v) : Promise.reject(Object.assign(new Error('closed'), { name: 'ProjectClosedError' }))),
      isConflict: () => false,
      isClosed: (e) => (e as Error).name === 'ProjectClosedError',
      onState: (s) => states.push(s),
      schedule: (fn) => timers.push(fn),
      cancel: () => undefined,
    });
    a.change(new Uint8Array([1]));
    await a.flush();
    a.change(new Uint8Array([1, 2]));
    await a.flush();
    expect(a.state).toBe('closed');
    expect(a.dirty).toBe(true);
    expect([...a.unsaved!]).toEqual([1, 2]);
    // Only the two debounce timers of the changes: no retry is scheduled while closed.
    expect(timers).toHaveLength(2);
    expect(store.saved).toEqual([]);
    open = true; // the window reopened the project
    await a.flush();
    expect(a.state).toBe('saved');
    expect(store.saved).toEqual([{ mask: [1, 2], version: 1 }]);
  });

  it('debounces: changes before the timer fires end in one save', async () => {
    const { a, store, timers } = setup();
    a.change(new Uint8Array([1]));
    a.change(new Uint8Array([2]));
    expect(store.saved).toEqual([]);
    timers.at(-1)!();
    await a.flush();
    expect(store.saved).toEqual([{ mask: [2], version: 1 }]);
  });
});

describe('mask bytes as base64', () => {
  it('round-trips all byte values across chunk boundaries', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const b64 = bytesToBase64(bytes);
    expect(b64).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64ToBytes(b64)).toEqual(bytes);
  });
});
