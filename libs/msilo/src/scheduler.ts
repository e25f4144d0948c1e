import { ManualClock } from '@pbx/core';

/** Runs a function every `ms` milliseconds until the returned function is called. */
export interface Scheduler {
  every(ms: number, fn: () => void): () => void;
}

/** setInterval, unref'd so the timers never keep the process alive. */
export const intervalScheduler: Scheduler = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

/**
 * A scheduler driven by a ManualClock, for tests: `advance(ms)` moves the
 * clock forward and fires every interval that falls due, in time order, each
 * with the clock set to its due time.
 */
export class ManualScheduler implements Scheduler {
  private timers: Array<{ ms: number; due: number; fn: () => void; live: boolean }> = [];

  constructor(readonly clock: ManualClock = new ManualClock()) {}

  every(ms: number, fn: () => void): () => void {
    const t = { ms, due: this.clock.now() + ms, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
      this.timers = this.timers.filter((x) => x !== t);
    };
  }

  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      let next: (typeof this.timers)[number] | undefined;
      for (const t of this.timers) if (t.live && t.due <= end && (!next || t.due < next.due)) next = t;
      if (!next) break;
      this.clock.advance(next.due - this.clock.now());
      next.due += next.ms;
      next.fn();
    }
    this.clock.advance(end - this.clock.now());
  }

  /** Intervals registered and not cancelled. */
  get active(): number {
    return this.timers.length;
  }
}
