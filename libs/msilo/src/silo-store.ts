import type { OwnerCount } from './silo-index.js';
import type { NewSiloMessage, SiloRow, SiloSummaryRow } from './silo-message.js';

/** Filters of the admin list (GET /api/messages). */
export interface SiloListQuery {
  /** Owner user (exact). */
  readonly username?: string;
  /** Owner domain (exact, lower case). */
  readonly domain?: string;
  /** Sender: a case-insensitive substring of src_addr. */
  readonly from?: string;
  /** 'stored': ordinary offline messages (snd_time = 0); 'scheduled': reminders (snd_time > 0). */
  readonly kind?: 'stored' | 'scheduled';
  /** Page size, 1..1000 (default 50). */
  readonly limit?: number;
  /** Rows to skip (default 0). */
  readonly offset?: number;
}

export interface SiloListPage {
  /** Rows matching the filters, all pages. */
  readonly total: number;
  /** This page, in storage order (ascending id). */
  readonly rows: SiloSummaryRow[];
}

/**
 * Where msilo keeps messages. Every method resolves only once its change is
 * durable (committed): `insert` resolving is what allows the 202.
 *
 * Times are Unix seconds. Implementations: PostgresSiloStore (the `silo`
 * table, through the server's database) and MemorySiloStore (unit tests).
 */
export interface SiloStore {
  /** Commits one message; resolves with its id (ids ascend in commit order). */
  insert(message: NewSiloMessage): Promise<number>;

  /** Messages in the owner's inbox (every row, reminders included), for max_messages. */
  count(username: string, domain: string): Promise<number>;

  /**
   * The owner's offline messages for a dump: snd_time = 0, not expired
   * (exp_time > now), id > afterId, ascending id, at most `limit`.
   */
  pending(username: string, domain: string, now: number, afterId: number, limit: number): Promise<SiloRow[]>;

  /**
   * Like pending(), for several nodes sharing the table: atomically takes
   * the rows for this node until `leaseUntil` (the `status` column holds
   * the lease's end, SILO_STATUS_STORED = free), skipping rows another node
   * holds (`FOR UPDATE SKIP LOCKED`, then `status > now`). A row is in one
   * claim at a time, so two nodes dumping the same owner at once never both
   * send it. A lease that ran out (its node died) is free again.
   */
  claim(username: string, domain: string, now: number, afterId: number, limit: number, leaseUntil: number): Promise<SiloRow[]>;

  /** Like dueReminders(), claiming the rows as claim() does (several nodes: each reminder sent by one). */
  claimDueReminders(now: number, limit: number, leaseUntil: number): Promise<SiloRow[]>;

  /** Gives claimed rows back (status = SILO_STATUS_STORED) after a failed delivery. */
  release(ids: readonly number[]): Promise<void>;

  /** Rows per owner (every row, reminders included): loads msilo's SiloIndex. */
  countsByOwner(): Promise<OwnerCount[]>;

  /** Reminders due: snd_time <> 0 and snd_time <= now, oldest send time first, at most `limit`. */
  dueReminders(now: number, limit: number): Promise<SiloRow[]>;

  get(id: number): Promise<SiloRow | null>;

  /** Deletes these messages; resolves with the ids that existed (and are now gone). */
  delete(ids: readonly number[]): Promise<number[]>;

  /** Sets snd_time to 0 and frees a claim (a failed reminder becomes an ordinary offline message); false when the row is gone. */
  clearSendTime(id: number): Promise<boolean>;

  /** Deletes every message with exp_time <= now; resolves with what was deleted, ascending id. */
  deleteExpired(now: number): Promise<SiloSummaryRow[]>;

  list(query: SiloListQuery): Promise<SiloListPage>;
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;

/** Clamps the paging of a list query. */
export function listPaging(q: SiloListQuery): { limit: number; offset: number } {
  const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.trunc(q.limit ?? DEFAULT_LIST_LIMIT)));
  const offset = Math.max(0, Math.trunc(q.offset ?? 0));
  return { limit, offset };
}
