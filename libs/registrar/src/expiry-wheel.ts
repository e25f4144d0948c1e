/**
 * Bindings filed by the second they expire in, so the expiry timer visits
 * only what is due instead of scanning every binding (Kamailio's usrloc
 * timer scans all; at a million bindings that is a pause on the SIP path
 * every timer_interval).
 *
 * A bucket holds ruids, not bindings: a refresh files the ruid again under
 * its new second and leaves the old entry, which the visitor then finds
 * not yet due (or gone) and skips. An entry costs one pointer to a string
 * the binding already holds, and a bucket is freed once its second has
 * passed, so stale entries never keep an old binding alive.
 */
export class ExpiryWheel {
  private readonly buckets = new Map<number, string[]>();
  /** The first second not yet fully visited. */
  private cursor: number;

  constructor(nowMs: number) {
    this.cursor = Math.floor(nowMs / 1000);
  }

  get bucketCount(): number {
    return this.buckets.size;
  }

  /** Files a ruid under its expiry (epoch ms). */
  add(ruid: string, expires: number): void {
    const s = Math.max(this.cursor, Math.floor(expires / 1000));
    const bucket = this.buckets.get(s);
    if (bucket) bucket.push(ruid);
    else this.buckets.set(s, [ruid]);
  }

  /**
   * Calls `visit` with every ruid filed under a second <= now. `visit`
   * answers false when the ruid's binding is not due yet at `now` (same
   * second, later millisecond): it is kept for the next call.
   */
  due(now: number, visit: (ruid: string) => boolean): void {
    const cur = Math.floor(now / 1000);
    if (cur < this.cursor) return;
    const seconds: number[] = [];
    if (cur - this.cursor <= this.buckets.size) {
      for (let s = this.cursor; s <= cur; s++) if (this.buckets.has(s)) seconds.push(s);
    } else {
      // A long gap (first sweep, clock jump): walk the buckets instead of the seconds.
      for (const s of this.buckets.keys()) if (s <= cur) seconds.push(s);
      seconds.sort((a, b) => a - b);
    }
    for (const s of seconds) {
      const bucket = this.buckets.get(s)!;
      this.buckets.delete(s);
      if (s < cur) {
        for (const r of bucket) visit(r);
      } else {
        const keep: string[] = [];
        for (const r of bucket) if (!visit(r)) keep.push(r);
        if (keep.length) this.buckets.set(s, keep);
      }
    }
    this.cursor = cur;
  }

  clear(): void {
    this.buckets.clear();
  }
}
