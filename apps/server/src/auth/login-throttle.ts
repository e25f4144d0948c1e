/**
 * Throttles repeated failed logins per client address. Only failures count
 * (a generic request rate limiter would also count an admin's successful
 * logins): after `freeFailures` failures inside `windowMs`, each further
 * attempt is refused until the lockout — doubling with every failure, capped
 * at `maxLockoutMs` — has passed.
 */
export interface ThrottleOptions {
  freeFailures: number;
  windowMs: number;
  baseLockoutMs: number;
  maxLockoutMs: number;
  maxTracked: number;
}

interface Entry {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: ThrottleOptions = {
      freeFailures: 5,
      windowMs: 15 * 60_000,
      baseLockoutMs: 30_000,
      maxLockoutMs: 15 * 60_000,
      maxTracked: 10_000,
    },
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Milliseconds the client must still wait, 0 when it may try. */
  retryAfterMs(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lockedUntil - this.now());
  }

  recordFailure(key: string): void {
    const t = this.now();
    let e = this.entries.get(key);
    if (!e || t - e.firstAt > this.opts.windowMs) {
      e = { failures: 0, firstAt: t, lockedUntil: 0 };
      if (this.entries.size >= this.opts.maxTracked) this.evictOldest();
      this.entries.set(key, e);
    }
    e.failures++;
    const over = e.failures - this.opts.freeFailures;
    if (over >= 0) {
      e.lockedUntil = t + Math.min(this.opts.maxLockoutMs, this.opts.baseLockoutMs * 2 ** Math.min(over, 20));
    }
  }

  recordSuccess(key: string): void {
    this.entries.delete(key);
  }

  private evictOldest(): void {
    const first = this.entries.keys().next();
    if (!first.done) this.entries.delete(first.value);
  }
}
