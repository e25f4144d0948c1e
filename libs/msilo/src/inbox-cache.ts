import type { NewSiloMessage, SiloRow } from './silo-message.js';

/** Bytes a cached row is charged beyond its strings and body (object, array slot, Buffer header). */
const ROW_OVERHEAD = 200;

function rowBytes(r: NewSiloMessage): number {
  return ROW_OVERHEAD + r.body.length + r.srcAddr.length + r.dstAddr.length + r.username.length + r.domain.length + r.contentType.length + r.extraHdrs.length + r.callId.length;
}

interface Inbox {
  /** Ascending id: the storage order m_dump sends in. */
  readonly rows: SiloRow[];
  bytes: number;
}

/**
 * The committed rows of the inboxes this process has seen grow from empty,
 * so that m_dump of a backlog stored since the start sends its first MESSAGE
 * without a query (the dump figure of issue 6: the query and its wake-ups
 * were most of the time to the first MESSAGE). The table stays the record:
 * a row is cached only once its INSERT committed, and every inbox the cache
 * is not sure of is read from the table.
 *
 * MessageSilo uses an inbox only while its row count equals the SiloIndex
 * count of the owner. The index counts a store before its INSERT and drops
 * only rows the database reported deleted, so any store in flight, any
 * row written before the start or behind msilo's back, and any delete whose
 * outcome is unknown makes the counts differ, and the dump asks the table.
 *
 * An inbox starts only when the index is sure the owner has no row (start()),
 * and stops being cached (forget()) when a row it cannot follow arrives: a
 * reminder, whose send time changes in place, or one beyond the memory
 * budget. One node only: with several nodes on one table there is no index
 * and no cache.
 */
export class InboxCache {
  private readonly inboxes = new Map<string, Inbox>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The owner has no stored row: follow its inbox from here on. */
  start(key: string): void {
    if (this.maxBytes > 0 && !this.inboxes.has(key)) this.inboxes.set(key, { rows: [], bytes: 0 });
  }

  /** A committed row; ignored for an owner not followed. */
  add(key: string, row: SiloRow): void {
    const inbox = this.inboxes.get(key);
    if (!inbox) return;
    const size = rowBytes(row);
    if (row.sndTime !== 0 || this.bytes + size > this.maxBytes) {
      this.forget(key);
      return;
    }
    const rows = inbox.rows;
    let i = rows.length;
    // Commits resolve in id order (one INSERT in flight), so this loop rarely steps.
    while (i > 0 && rows[i - 1]!.id > row.id) i--;
    rows.splice(i, 0, row);
    inbox.bytes += size;
    this.bytes += size;
  }

  /** A row the database reported deleted. */
  remove(key: string, id: number): void {
    const inbox = this.inboxes.get(key);
    if (!inbox) return;
    const i = inbox.rows.findIndex((r) => r.id === id);
    if (i < 0) return;
    const size = rowBytes(inbox.rows[i]!);
    inbox.rows.splice(i, 1);
    inbox.bytes -= size;
    this.bytes -= size;
    if (inbox.rows.length === 0) this.forget(key);
  }

  /** Stops following the owner: its inbox is read from the table until it is empty again. */
  forget(key: string): void {
    const inbox = this.inboxes.get(key);
    if (!inbox) return;
    this.bytes -= inbox.bytes;
    this.inboxes.delete(key);
  }

  clear(): void {
    this.inboxes.clear();
    this.bytes = 0;
  }

  /** Rows cached for the owner; null when it is not followed. */
  count(key: string): number | null {
    return this.inboxes.get(key)?.rows.length ?? null;
  }

  /**
   * What SiloStore.pending would answer for a followed owner: ordinary
   * messages not expired at `now`, with id > afterId, at most `limit`, in
   * storage order. The caller has checked count() against the index.
   */
  pending(key: string, now: number, afterId: number, limit: number): SiloRow[] {
    const out: SiloRow[] = [];
    for (const r of this.inboxes.get(key)?.rows ?? []) {
      if (out.length === limit) break;
      if (r.id > afterId && r.expTime > now) out.push(r);
    }
    return out;
  }

  /** Memory held by cached rows (estimate), for the stats. */
  get size(): number {
    return this.bytes;
  }
}
