import { ManualClock } from '@pbx/core';
import { DelayQueueScheduler } from './delay-queue-scheduler.js';

/**
 * The timer service the transaction layer and the proxy run on. A timer
 * names its target and a timer name instead of taking a closure, so arming
 * Timer E for the fifth time makes no new function: the real scheduler keeps
 * both in the small link it queues (DelayQueueScheduler).
 */
export interface TimerTarget<N extends string = string> {
  onTimer(name: N): void;
}

/** Opaque handle of an armed timer. */
export type TimerHandle = { readonly __timerHandle: unique symbol };

export interface Scheduler {
  /** Milliseconds since the epoch (or since the manual clock's origin). */
  now(): number;
  /** Arms a one-shot timer: `target.onTimer(name)` after `delayMs`. */
  schedule<N extends string>(delayMs: number, target: TimerTarget<N>, name: N): TimerHandle;
  /** Disarms a timer; a handle that already fired or was cancelled is ignored. */
  cancel(handle: TimerHandle): void;
}

/** Node's timers, one per distinct delay (see DelayQueueScheduler). Targets guard their own callbacks: a throw is an uncaught exception. */
export const systemScheduler: Scheduler = new DelayQueueScheduler();

interface ManualTimer {
  due: number;
  seq: number;
  target: TimerTarget;
  name: string;
  cancelled: boolean;
}

/** What a cancelled timer points at, so it no longer keeps its target (a transaction) alive. */
const RELEASED: TimerTarget = { onTimer() {} };

/**
 * A scheduler driven by hand for unit tests and benchmarks: time moves only
 * in `advance()`, which fires due timers in order (ties in the order they
 * were armed), moving the shared `ManualClock` to each timer's due time
 * before firing it. Timers armed while firing are honoured in the same call
 * when they fall due within it.
 */
export class ManualScheduler implements Scheduler {
  private heap: ManualTimer[] = [];
  private seq = 0;
  private live = 0;
  /** Cancelled timers still in the heap (removed lazily, or by a rebuild when they dominate). */
  private dead = 0;

  constructor(readonly clock: ManualClock = new ManualClock()) {}

  now(): number {
    return this.clock.now();
  }

  schedule<N extends string>(delayMs: number, target: TimerTarget<N>, name: N): TimerHandle {
    const t: ManualTimer = { due: this.clock.now() + Math.max(0, delayMs), seq: this.seq++, target: target as TimerTarget, name, cancelled: false };
    this.push(t);
    this.live++;
    return t as unknown as TimerHandle;
  }

  cancel(handle: TimerHandle): void {
    const t = handle as unknown as ManualTimer;
    if (!t.cancelled) {
      t.cancelled = true;
      t.target = RELEASED;
      this.live--;
      // A cancelled timer stays in the heap until it reaches the top; when they pile up
      // (timers armed and cancelled without time moving), rebuild without them.
      if (++this.dead > 1024 && this.dead > this.heap.length >> 1) this.compact();
    }
  }

  private compact(): void {
    const kept = this.heap.filter((t) => !t.cancelled);
    this.heap = [];
    this.dead = 0;
    for (const t of kept) this.push(t);
  }

  /** Timers armed and not yet fired or cancelled. */
  get pending(): number {
    return this.live;
  }

  /** Due time of the next live timer, or undefined. */
  nextDue(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.due;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (top === undefined || top.due > end) break;
      this.pop();
      top.cancelled = true;
      this.live--;
      const target = top.target;
      top.target = RELEASED;
      const now = this.clock.now();
      if (top.due > now) this.clock.advance(top.due - now);
      target.onTimer(top.name);
    }
    const now = this.clock.now();
    if (end > now) this.clock.advance(end - now);
  }

  /** Fires timers until none is left or `maxMs` of time has passed; returns the time advanced. */
  runAll(maxMs = 24 * 3600_000): number {
    const start = this.clock.now();
    for (;;) {
      const due = this.nextDue();
      if (due === undefined || due - start > maxMs) break;
      this.advance(due - this.clock.now());
    }
    return this.clock.now() - start;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) {
      this.pop();
      this.dead--;
    }
  }

  // A binary min-heap on (due, seq).
  private less(a: ManualTimer, b: ManualTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(t: ManualTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
