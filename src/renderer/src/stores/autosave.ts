/**
 * Autosave of one frame's mask: every `change` (a finished stroke, undo...) hands in the
 * whole mask; saves run one at a time, debounced, always with the newest mask, so after the
 * last save settles the stored mask equals the last change. Each save sends the version it
 * started from; a conflict (another window saved first) stops autosaving until reloaded.
 */
export type SaveState = 'saved' | 'pending' | 'saving' | 'conflict' | 'error';

export interface SaveResult {
  readonly version: number;
}

export interface AutosaveDeps {
  /** Saves `mask` expecting the stored version to be `expectedVersion`. */
  save(mask: Uint8Array, expectedVersion: number): Promise<SaveResult>;
  /** True when the error means another writer saved first. */
  isConflict(e: unknown): boolean;
  onState(state: SaveState, detail: { version: number; error?: string }): void;
  /** Timer (injectable for tests). */
  schedule?(fn: () => void, ms: number): unknown;
  cancel?(handle: unknown): void;
}

export class Autosave {
  private pending: Uint8Array | null = null;
  private running: Promise<void> | null = null;
  private timer: unknown = null;
  private stopped = false;
  state: SaveState = 'saved';

  constructor(
    private version: number,
    private readonly deps: AutosaveDeps,
    private readonly delayMs = 250,
  ) {}

  get currentVersion(): number {
    return this.version;
  }

  /** A finished edit: remember the newest mask and save it soon. */
  change(mask: Uint8Array): void {
    if (this.stopped) return;
    this.pending = mask;
    this.set('pending');
    if (this.timer !== null) (this.deps.cancel ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
    this.timer = (this.deps.schedule ?? setTimeout)(() => {
      this.timer = null;
      void this.kick();
    }, this.delayMs);
  }

  /** Saves whatever is pending now and resolves when nothing is left to save. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      (this.deps.cancel ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
      this.timer = null;
    }
    await this.kick();
    while (this.running) await this.running;
  }

  /** True while a change is not yet stored. */
  get dirty(): boolean {
    return this.pending !== null || this.running !== null;
  }

  private kick(): Promise<void> {
    if (this.running) return this.running;
    if (!this.pending || this.stopped) return Promise.resolve();
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    while (this.pending && !this.stopped) {
      const mask = this.pending;
      this.pending = null;
      this.set('saving');
      try {
        const r = await this.deps.save(mask, this.version);
        this.version = r.version;
      } catch (e) {
        this.stopped = this.deps.isConflict(e);
        // keep the unsaved mask so a retry (or the user) can still store it
        if (!this.pending) this.pending = mask;
        this.set(this.stopped ? 'conflict' : 'error', e instanceof Error ? e.message : String(e));
        return;
      }
    }
    if (!this.stopped) this.set(this.pending ? 'pending' : 'saved');
  }

  private set(state: SaveState, error?: string): void {
    this.state = state;
    this.deps.onState(state, error === undefined ? { version: this.version } : { version: this.version, error });
  }
}
