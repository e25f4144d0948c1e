import { SILO_STATUS_STORED, summarize, type NewSiloMessage, type SiloRow, type SiloSummaryRow } from './silo-message.js';
import type { OwnerCount } from './silo-index.js';
import { listPaging, type SiloListPage, type SiloListQuery, type SiloStore } from './silo-store.js';

/**
 * The silo table in memory, with the PostgreSQL store's semantics (same
 * ordering, same filters). For unit tests and for a database-less lab run;
 * nothing survives the process.
 */
export class MemorySiloStore implements SiloStore {
  private readonly rows = new Map<number, SiloRow>();
  private nextId = 1;

  async insert(m: NewSiloMessage): Promise<number> {
    const id = this.nextId++;
    this.rows.set(id, { ...m, body: Buffer.from(m.body), id, status: SILO_STATUS_STORED });
    return id;
  }

  async count(username: string, domain: string): Promise<number> {
    let n = 0;
    for (const r of this.rows.values()) if (r.username === username && r.domain === domain) n++;
    return n;
  }

  async pending(username: string, domain: string, now: number, afterId: number, limit: number): Promise<SiloRow[]> {
    const out: SiloRow[] = [];
    // Map iteration is insertion order, which is ascending id.
    for (const r of this.rows.values()) {
      if (out.length >= limit) break;
      if (r.id > afterId && r.username === username && r.domain === domain && r.sndTime === 0 && r.expTime > now) out.push(r);
    }
    return out;
  }

  async claim(username: string, domain: string, now: number, afterId: number, limit: number, leaseUntil: number): Promise<SiloRow[]> {
    const out: SiloRow[] = [];
    for (const r of this.rows.values()) {
      if (out.length >= limit) break;
      if (r.id > afterId && r.username === username && r.domain === domain && r.sndTime === 0 && r.expTime > now && r.status <= now) {
        const claimed = { ...r, status: leaseUntil };
        this.rows.set(r.id, claimed);
        out.push(claimed);
      }
    }
    return out;
  }

  async claimDueReminders(now: number, limit: number, leaseUntil: number): Promise<SiloRow[]> {
    const due = (await this.dueReminders(now, Number.MAX_SAFE_INTEGER)).filter((r) => r.status <= now).slice(0, limit);
    return due.map((r) => {
      const claimed = { ...r, status: leaseUntil };
      this.rows.set(r.id, claimed);
      return claimed;
    });
  }

  async release(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r) this.rows.set(id, { ...r, status: SILO_STATUS_STORED });
    }
  }

  async countsByOwner(): Promise<OwnerCount[]> {
    const by = new Map<string, OwnerCount>();
    for (const r of this.rows.values()) {
      const k = `${r.username}@${r.domain}`;
      by.set(k, { username: r.username, domain: r.domain, count: (by.get(k)?.count ?? 0) + 1 });
    }
    return [...by.values()];
  }

  /** Inserts rows as a restore would, behind msilo's back (tests of reloadIndex). */
  restore(m: NewSiloMessage): number {
    const id = this.nextId++;
    this.rows.set(id, { ...m, body: Buffer.from(m.body), id, status: SILO_STATUS_STORED });
    return id;
  }

  async dueReminders(now: number, limit: number): Promise<SiloRow[]> {
    return [...this.rows.values()]
      .filter((r) => r.sndTime !== 0 && r.sndTime <= now)
      .sort((a, b) => a.sndTime - b.sndTime || a.id - b.id)
      .slice(0, limit);
  }

  async get(id: number): Promise<SiloRow | null> {
    return this.rows.get(id) ?? null;
  }

  async delete(ids: readonly number[]): Promise<number[]> {
    const gone: number[] = [];
    for (const id of ids) if (this.rows.delete(id)) gone.push(id);
    return gone;
  }

  async clearSendTime(id: number): Promise<boolean> {
    const r = this.rows.get(id);
    if (!r) return false;
    this.rows.set(id, { ...r, sndTime: 0, status: SILO_STATUS_STORED });
    return true;
  }

  async deleteExpired(now: number): Promise<SiloSummaryRow[]> {
    const out: SiloSummaryRow[] = [];
    for (const r of [...this.rows.values()]) {
      if (r.expTime <= now) {
        this.rows.delete(r.id);
        out.push(summarize(r));
      }
    }
    return out;
  }

  async list(q: SiloListQuery): Promise<SiloListPage> {
    const { limit, offset } = listPaging(q);
    const from = q.from?.toLowerCase();
    const all = [...this.rows.values()].filter(
      (r) =>
        (q.username === undefined || r.username === q.username) &&
        (q.domain === undefined || r.domain === q.domain) &&
        (from === undefined || r.srcAddr.toLowerCase().includes(from)) &&
        (q.kind === undefined || (q.kind === 'scheduled' ? r.sndTime !== 0 : r.sndTime === 0)),
    );
    return { total: all.length, rows: all.slice(offset, offset + limit).map(summarize) };
  }

  /** Number of rows (tests). */
  get size(): number {
    return this.rows.size;
  }
}
