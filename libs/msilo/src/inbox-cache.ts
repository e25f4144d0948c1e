import { SILO_STATUS_STORED, type NewSiloMessage, type SiloRow } from './silo-message.js';

/** Bytes a cached row is charged beyond its body and addresses (object, strings, array slots, Buffer header). */
const ROW_OVERHEAD = 300;

function rowBytes(m: NewSiloMessage): number {
  return ROW_OVERHEAD + m.body.length + m.extraHdrs.length + m.srcAddr.length + m.dstAddr.length;
}

/**
 * One owner's rows in ascending id (the storage order m_dump sends in), as
 * two arrays: the store path keeps the message it already has and its id,
 * without a row object per store.
 */
interface Inbox {
  readonly ids: number[];
  readonly messages: NewSiloMessage[];
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
    if (this.maxBytes > 0 && !this.inboxes.has(key)) this.inboxes.set(key, { ids: [], messages: [], bytes: 0 });
  }

  /** A committed row; ignored for an owner not followed. */
  add(key: string, id: number, m: NewSiloMessage): void {
    const inbox = this.inboxes.get(key);
    if (!inbox) return;
    const size = rowBytes(m);
    if (m.sndTime !== 0 || this.bytes + size > this.maxBytes) {
      this.forget(key);
      return;
    }
    const ids = inbox.ids;
    let i = ids.length;
    // Commits resolve in id order (one INSERT in flight), so this loop rarely steps.
    while (i > 0 && ids[i - 1]! > id) i--;
    if (i === ids.length) {
      ids.push(id);
      inbox.messages.push(m);
    } else {
      ids.splice(i, 0, id);
      inbox.messages.splice(i, 0, m);
    }
    inbox.bytes += size;
    this.bytes += size;
  }

  /** A row the database reported deleted. */
  remove(key: string, id: number): void {
    const inbox = this.inboxes.get(key);
    if (!inbox) return;
    const i = inbox.ids.indexOf(id);
    if (i < 0) return;
    const size = rowBytes(inbox.messages[i]!);
    inbox.ids.splice(i, 1);
    inbox.messages.splice(i, 1);
    inbox.bytes -= size;
    this.bytes -= size;
    if (inbox.ids.length === 0) this.forget(key);
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
    return this.inboxes.get(key)?.ids.length ?? null;
  }

  /**
   * What SiloStore.pending would answer for a followed owner: ordinary
   * messages not expired at `now`, with id > afterId, at most `limit`, in
   * storage order. The caller has checked count() against the index.
   */
  pending(key: string, now: number, afterId: number, limit: number): SiloRow[] {
    const out: SiloRow[] = [];
    const inbox = this.inboxes.get(key);
    if (!inbox) return out;
    for (let i = 0; i < inbox.ids.length && out.length < limit; i++) {
      const id = inbox.ids[i]!;
      const m = inbox.messages[i]!;
      if (id > afterId && m.expTime > now) out.push({ ...m, id, status: SILO_STATUS_STORED });
    }
    return out;
  }

  /** Memory held by cached rows, as charged against the budget (an estimate). */
  get size(): number {
    return this.bytes;
  }
}
