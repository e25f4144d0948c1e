import type { Scheduler, TimerHandle, TimerTarget } from './scheduler.js';

/** An armed timer: a link in the queue of its delay until it fires or is cancelled. */
interface Entry {
  /** Monotonic due time (performance.now() milliseconds). */
  readonly due: number;
  target: TimerTarget | null;
  readonly name: string;
  prev: Entry | null;
  next: Entry | null;
  /** The queue holding it; null once fired or cancelled. */
  queue: DelayQueue | null;
}

/** Every armed timer of one delay, in due order (same delay, so arming order), and the one Node timer for its head. */
interface DelayQueue {
  readonly delayMs: number;
  head: Entry | null;
  tail: Entry | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * The transaction layer's timers on Node, one Node timer per distinct delay.
 *
 * Transaction timers come in a few fixed delays (Timer J and K are 64*T1,
 * the abandon guards F+T2 and B+T2, E doubles from T1), and at thousands of
 * requests per second a timer is armed and cleared for nearly every one.
 * A Node Timeout per timer is a heavy object that lives 32 s into the old
 * generation, and a Node timer list whose only timer is cleared is deleted
 * and made again on the next request (a dictionary-mode delete and a priority
 * queue insert per request on the REGISTER path). Here a timer is a small
 * link in a list per delay: arming appends, cancelling unlinks, and one Node
 * timer per list wakes for its head.
 */
export class DelayQueueScheduler implements Scheduler {
  private readonly queues = new Map<number, DelayQueue>();
  private readonly fireQueue = (q: DelayQueue) => this.fire(q);

  now(): number {
    return Date.now();
  }

  schedule<N extends string>(delayMs: number, target: TimerTarget<N>, name: N): TimerHandle {
    const delay = delayMs > 1 ? Math.round(delayMs) : 1;
    let q = this.queues.get(delay);
    if (q === undefined) {
      q = { delayMs: delay, head: null, tail: null, timer: null };
      this.queues.set(delay, q);
    }
    const e: Entry = { due: performance.now() + delay, target: target as TimerTarget, name, prev: q.tail, next: null, queue: q };
    if (q.tail === null) {
      q.head = e;
      // A Node timer left from before the queue emptied was unref'd: it holds the process again.
      if (q.timer !== null) q.timer.ref();
    } else q.tail.next = e;
    q.tail = e;
    if (q.timer === null) q.timer = setTimeout(this.fireQueue, delay, q);
    return e as unknown as TimerHandle;
  }

  cancel(handle: TimerHandle): void {
    const e = handle as unknown as Entry;
    const q = e.queue;
    if (q === null) return;
    unlink(q, e);
    // The queue's Node timer stays armed (it fires once, finds nothing due and re-arms or
    // retires), but an empty queue must not keep the process alive, as a cleared timer would not.
    if (q.head === null && q.timer !== null) q.timer.unref();
  }

  private fire(q: DelayQueue): void {
    q.timer = null;
    const now = performance.now();
    for (let e = q.head; e !== null && e.due <= now; e = q.head) {
      const target = e.target!;
      unlink(q, e);
      try {
        target.onTimer(e.name);
      } catch (err) {
        // As from a Node timer: an uncaught exception, but the other due timers still fire.
        process.nextTick(() => {
          throw err;
        });
      }
    }
    if (q.head !== null) {
      if (q.timer === null) q.timer = setTimeout(this.fireQueue, Math.max(1, Math.ceil(q.head.due - now)), q);
    } else if (q.timer === null && this.queues.get(q.delayMs) === q) this.queues.delete(q.delayMs);
  }
}

function unlink(q: DelayQueue, e: Entry): void {
  if (e.prev === null) q.head = e.next;
  else e.prev.next = e.next;
  if (e.next === null) q.tail = e.prev;
  else e.next.prev = e.prev;
  e.prev = null;
  e.next = null;
  e.queue = null;
  e.target = null;
}
