/**
 * Rate limits on wrong passwords: at most `maxFailures` per `windowMs` for one account name
 * (whether or not it exists: the answer never tells) and, separately, for one client address.
 * While either is over, sign-in is refused without looking at the password, with the seconds
 * to wait. A right password clears the account's count (not the address's).
 */
export interface LimiterOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
}

/** Keys remembered at most (names and addresses together); the oldest go first past this. */
const MAX_KEYS = 10_000;

export class LoginLimiter {
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly now: () => number;
  /** key -> times of recent failures, oldest first. */
  private readonly failures = new Map<string, number[]>();

  constructor(o: LimiterOptions = {}) {
    this.maxFailures = o.maxFailures ?? 5;
    this.windowMs = o.windowMs ?? 60_000;
    this.now = o.now ?? Date.now;
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Why sign-in is refused now (with the wait in seconds), or null where it may be tried. */
  blocked(name: string, address: string): string | null {
    for (const [key, who] of [[`user:${name}`, `for ${name}`], [`addr:${address}`, 'from this address']] as const) {
      const list = this.recent(key);
      if (list.length >= this.maxFailures) {
        const wait = Math.max(1, Math.ceil((list[list.length - this.maxFailures]! + this.windowMs - this.now()) / 1000));
        return `too many wrong passwords ${who}; try again in ${wait} s`;
      }
    }
    return null;
  }

  failed(name: string, address: string): void {
    for (const key of [`user:${name}`, `addr:${address}`]) {
      const list = this.recent(key);
      list.push(this.now());
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  succeeded(name: string): void {
    this.failures.delete(`user:${name}`);
  }
}
