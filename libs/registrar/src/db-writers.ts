import type { Binding } from './binding.js';
import type { LocationStore } from './location-store.js';

/** Pending operations by ruid: the binding to upsert, or null to delete. The last change to a ruid wins. */
type Ops = Map<string, Binding | null>;

function batchOf(ops: Iterable<[string, Binding | null]>): { upserts: Binding[]; deletes: string[] } {
  const upserts: Binding[] = [];
  const deletes: string[] = [];
  for (const [ruid, b] of ops) {
    if (b === null) deletes.push(ruid);
    else upserts.push(b);
  }
  return { upserts, deletes };
}

type Group = { ops: Ops; waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> };

/**
 * usrloc db_mode 1 (write-through) with group commit: every REGISTER waits
 * until its change is in the database before it is answered, but changes
 * that arrive while a write is in flight (or in the same event-loop turn)
 * are written together in the next single statement. Kamailio writes one
 * statement per REGISTER; committing together is what lets write-through
 * keep up with many REGISTERs per second.
 *
 * A group is one statement, hence atomic: if it fails, every REGISTER in it
 * is told so (and answers 500 with its bindings restored).
 */
export class GroupCommitWriter {
  private next: Group | null = null;
  private running = false;
  private scheduled = false;

  constructor(
    private readonly store: LocationStore,
    /** Runs the flush after the current turn; setImmediate lets datagrams read in the same poll phase join one group. */
    private readonly defer: (fn: () => void) => void = (fn) => setImmediate(fn),
  ) {}

  /** Resolves once these changes are committed; rejects if their group's write failed. */
  commit(upserts: readonly Binding[], deletes: readonly string[]): Promise<void> {
    const group: Group = (this.next ??= { ops: new Map(), waiters: [] } as Group);
    for (const r of deletes) group.ops.set(r, null);
    for (const b of upserts) group.ops.set(b.ruid, b);
    const done = new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
    if (!this.running && !this.scheduled) {
      this.scheduled = true;
      this.defer(() => void this.run());
    }
    return done;
  }

  /** Groups written so far (for statistics). */
  groups = 0;

  private async run(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      while (this.next) {
        const group = this.next;
        this.next = null;
        this.groups++;
        try {
          if (group.ops.size > 0) await this.store.write(batchOf(group.ops));
          for (const w of group.waiters) w.resolve();
        } catch (e) {
          for (const w of group.waiters) w.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/**
 * usrloc db_mode 2 (write-back): changes are kept by ruid (a binding
 * refreshed ten times between two flushes is written once) and written in
 * batches of `batchSize` rows per statement by `flush()`, which the
 * location service calls every usrloc.write_back_interval_ms and on stop.
 * A batch that fails goes back in the queue unless a newer change to the
 * same ruid arrived meanwhile, and is retried at the next flush. The SIP
 * path only ever adds to a Map.
 */
export class WriteBackBuffer {
  private pending: Ops = new Map();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: LocationStore,
    private readonly batchSize: number,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  enqueue(upserts: readonly Binding[], deletes: readonly string[]): void {
    for (const r of deletes) this.pending.set(r, null);
    for (const b of upserts) this.pending.set(b.ruid, b);
  }

  /** Writes everything pending; concurrent calls share one flush and then run another for what arrived meanwhile. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    this.flushing = this.drain();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async drain(): Promise<void> {
    const taken = this.pending;
    this.pending = new Map();
    const entries = [...taken];
    for (let i = 0; i < entries.length; i += this.batchSize) {
      const chunk = entries.slice(i, i + this.batchSize);
      try {
        await this.store.write(batchOf(chunk));
      } catch (e) {
        // Put back what was not written, unless something newer replaced it.
        for (const [ruid, op] of entries.slice(i)) if (!this.pending.has(ruid)) this.pending.set(ruid, op);
        throw e;
      }
    }
  }
}
