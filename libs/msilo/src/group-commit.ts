/** The outcome of one item of a batch: a value, or the error that item alone failed with. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  /** Most items in one statement. */
  readonly maxBatch: number;
  /** Most statements in flight at once; 1 keeps commit order = submit order. */
  readonly concurrency: number;
  /**
   * Most items waiting for a statement (default unbounded). Beyond it
   * submit() rejects at once with QueueFullError: under overload the caller
   * answers "try later" instead of memory growing while the database lags.
   */
  readonly maxQueued?: number;
}

/** submit() beyond GroupCommitOptions.maxQueued: the item was not queued (nothing was written). */
export class QueueFullError extends Error {
  constructor(readonly queued: number) {
    super(`group commit queue full (${queued} waiting)`);
    this.name = 'QueueFullError';
  }
}

/**
 * Group commit: callers submit items one by one and each gets its own
 * promise, but items are written together. While `concurrency` statements
 * are in flight, new items wait and then go out in one statement; an idle
 * committer sends what arrived in the current event-loop iteration together. So under load
 * every commit carries many items, and a lone item never waits for a timer.
 *
 * Each promise settles only when the statement that carried its item has
 * completed, so "resolved" still means "committed" (the 202 after commit).
 */
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (v: R) => void; reject: (e: unknown) => void }> = [];
  private running = 0;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    /** Writes a batch; resolves with one outcome per item, in order. A rejection fails the whole batch. */
    private readonly run: (items: T[]) => Promise<Settled<R>[]>,
    private readonly opts: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    const max = this.opts.maxQueued;
    if (max !== undefined && this.queue.length >= max) return Promise.reject(new QueueFullError(this.queue.length));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Items waiting for a statement (not yet in flight). */
  get queued(): number {
    return this.queue.length;
  }

  private kick(): void {
    if (this.scheduled || this.running >= this.opts.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate, not a timer: runs in this same event-loop iteration, after
    // the I/O callbacks already due (every datagram read in this poll phase),
    // so they share the statement; it adds no wait of its own. A microtask
    // would flush after the first one alone.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.running < this.opts.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.running++;
      this.run(batch.map((b) => b.item))
        .then(
          (results) => {
            for (let i = 0; i < batch.length; i++) {
              const r = results[i];
              if (r === undefined) batch[i]!.reject(new Error('group commit: no result for item'));
              else if (r.ok) batch[i]!.resolve(r.value);
              else batch[i]!.reject(r.error);
            }
          },
          (err: unknown) => {
            for (const b of batch) b.reject(err);
          },
        )
        .finally(() => {
          this.running--;
          if (this.queue.length > 0) this.kick();
          else if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }
}
