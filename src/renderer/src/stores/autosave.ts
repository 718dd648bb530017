/**
 * Autosave of one frame's mask: every `change` (a finished stroke, undo...) hands in the
 * whole mask; saves run one at a time, debounced, always with the newest mask, so after the
 * last save settles the stored mask equals the last change. Each save sends the version it
 * started from; a conflict (another window saved first) stops autosaving until reloaded.
 * Any other failure (disk full, read-only folder, the project busy) keeps the unsaved mask in
 * memory and tries again on its own, sooner at first and then every `maxRetryMs`, until the
 * save goes through: the work is never dropped while the app stays open. A refusal because the
 * project was closed (another window opened another project) keeps the mask too, state
 * 'closed', without retrying: nothing can succeed until the window reopens the project, and
 * then `flush()` saves it.
 */
export type SaveState = 'saved' | 'pending' | 'saving' | 'conflict' | 'error' | 'closed';

export interface SaveResult {
  readonly version: number;
}

export interface AutosaveDeps {
  /** Saves `mask` expecting the stored version to be `expectedVersion`. */
  save(mask: Uint8Array, expectedVersion: number): Promise<SaveResult>;
  /** True when the error means another writer saved first. */
  isConflict(e: unknown): boolean;
  /** True when the error means the project is closed: keep the mask and wait for flush(). */
  isClosed?(e: unknown): boolean;
  onState(state: SaveState, detail: { version: number; error?: string }): void;
  /** Timer (injectable for tests). */
  schedule?(fn: () => void, ms: number): unknown;
  cancel?(handle: unknown): void;
}

export class Autosave {
  private pending: Uint8Array | null = null;
  private inFlight: Uint8Array | null = null;
  private running: Promise<void> | null = null;
  private timer: unknown = null;
  private retryTimer: unknown = null;
  private failures = 0;
  private stopped = false;
  state: SaveState = 'saved';

  constructor(
    private version: number,
    private readonly deps: AutosaveDeps,
    private readonly delayMs = 250,
    private readonly retryMs = 2000,
    private readonly maxRetryMs = 30_000,
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
    this.cancelRetry();
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
      this.inFlight = mask;
      this.set('saving');
      try {
        const r = await this.deps.save(mask, this.version);
        this.version = r.version;
        this.failures = 0;
        this.inFlight = null;
      } catch (e) {
        this.stopped = this.deps.isConflict(e);
        // keep the unsaved mask so a retry (or the user) can still store it
        if (!this.pending) this.pending = mask;
        this.inFlight = null;
        const closed = !this.stopped && (this.deps.isClosed?.(e) ?? false);
        this.set(this.stopped ? 'conflict' : closed ? 'closed' : 'error', e instanceof Error ? e.message : String(e));
        if (!this.stopped && !closed) this.scheduleRetry();
        return;
      }
    }
    if (!this.stopped) this.set(this.pending ? 'pending' : 'saved');
  }

  /** After a failed save: try again later with the newest mask (2 s, 4 s, ... up to maxRetryMs). */
  private scheduleRetry(): void {
    this.cancelRetry();
    const wait = Math.min(this.maxRetryMs, this.retryMs * 2 ** this.failures);
    this.failures++;
    this.retryTimer = (this.deps.schedule ?? setTimeout)(() => {
      this.retryTimer = null;
      void this.kick();
    }, wait);
  }

  private cancelRetry(): void {
    if (this.retryTimer === null) return;
    (this.deps.cancel ?? clearTimeout)(this.retryTimer as ReturnType<typeof setTimeout>);
    this.retryTimer = null;
  }

  /** The newest edit not yet stored (waiting or being saved), or null when everything is saved. */
  get unsaved(): Uint8Array | null {
    return this.pending ?? this.inFlight;
  }

  private set(state: SaveState, error?: string): void {
    this.state = state;
    this.deps.onState(state, error === undefined ? { version: this.version } : { version: this.version, error });
  }
}
