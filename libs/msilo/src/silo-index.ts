/** The index key of an owner: `username@domain`, as the silo columns hold them. */
export function ownerKey(username: string, domain: string): string {
  return `${username}@${domain}`;
}

/** One owner's row count as the store reports it at load. */
export interface OwnerCount {
  readonly username: string;
  readonly domain: string;
  readonly count: number;
}

/**
 * Which owners have rows in the silo table: a count per owner, kept in
 * memory so that m_dump after a REGISTER of a user with nothing stored costs
 * a map lookup instead of a database query (REGISTER is the registrar's hot
 * path; issue 5's figures).
 *
 * The one rule: the index may over-count, never under-count. An over-count
 * costs one query that finds nothing; an under-count would leave a stored
 * message undelivered until a later registration. Hence:
 * - a store adds *before* its INSERT is sent (a REGISTER racing the commit
 *   sees the owner) and takes it back only if the INSERT failed;
 * - removals are applied only for rows the database reported deleted;
 * - while reload() runs, every owner "may have" messages, and only the
 *   additions made meanwhile are replayed onto the loaded counts (a removal
 *   racing the load may already be in the snapshot: replaying it could
 *   under-count).
 *
 * Only valid while this process is the only writer of the table: with
 * several nodes on one database (usrloc.db_mode 3) MessageSilo runs without
 * it and asks the database every time.
 */
export class SiloIndex {
  private counts = new Map<string, number>();
  /** Additions made while a reload is under way; null when none is. */
  private added: Map<string, number> | null = null;
  private reloading: Promise<void> | null = null;
  private loaded = false;

  /** False only when the owner certainly has no stored row (never before the first load). */
  mayHave(key: string): boolean {
    return !this.loaded || this.added !== null || this.counts.has(key);
  }

  /** True only when the owner certainly has no row: loaded, no reload under way, nothing counted. */
  certainlyEmpty(key: string): boolean {
    return this.loaded && this.added === null && !this.counts.has(key);
  }

  /** Whether a load completed: until then every owner "may have" messages. */
  get ready(): boolean {
    return this.loaded;
  }

  /** Rows counted for the owner (an upper bound of what the table holds). */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  add(key: string, n = 1): void {
    if (n <= 0) return;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
    if (this.added) this.added.set(key, (this.added.get(key) ?? 0) + n);
  }

  remove(key: string, n = 1): void {
    if (n <= 0) return;
    const left = (this.counts.get(key) ?? 0) - n;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }

  /** Owners with at least one counted row. */
  get owners(): number {
    return this.counts.size;
  }

  /**
   * Replaces the counts with the store's (one GROUP BY query); used at start
   * and after rows were written behind msilo's back (a restore). Concurrent
   * calls run one after the other. Rejects (and keeps the old counts, plus
   * what was added meanwhile) when the load fails.
   */
  async reload(load: () => Promise<readonly OwnerCount[]>): Promise<void> {
    while (this.reloading) await this.reloading.catch(() => undefined);
    const run = this.runReload(load);
    this.reloading = run;
    try {
      await run;
    } finally {
      if (this.reloading === run) this.reloading = null;
    }
  }

  private async runReload(load: () => Promise<readonly OwnerCount[]>): Promise<void> {
    this.added = new Map();
    try {
      const rows = await load();
      const next = new Map<string, number>();
      for (const r of rows) if (r.count > 0) next.set(ownerKey(r.username, r.domain), r.count);
      for (const [k, n] of this.added) next.set(k, (next.get(k) ?? 0) + n);
      this.counts = next;
      this.loaded = true;
    } finally {
      this.added = null;
    }
  }
}
