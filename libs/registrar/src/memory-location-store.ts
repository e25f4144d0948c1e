import type { Binding } from './binding.js';
import { pageOf } from './location-query.js';
import type { LocationPage, LocationQuery, LocationStore, WriteBatch } from './location-store.js';

/**
 * A LocationStore in memory: what the specs drive db_mode 1–3 against, and
 * a database stand-in for a single node. `failNext` makes the next writes
 * fail, to show that a failed write leaves the bindings as they were.
 */
export class MemoryLocationStore implements LocationStore {
  readonly rows = new Map<string, Binding>();
  /** Number of upcoming write() calls that reject. */
  failNext = 0;
  /** Every batch written, in order (for assertions on batching). */
  readonly batches: WriteBatch[] = [];

  async loadAll(now: number): Promise<Binding[]> {
    return [...this.rows.values()].filter((b) => b.expires > now);
  }

  async loadAor(aor: string, now: number): Promise<Binding[]> {
    return [...this.rows.values()].filter((b) => b.aor === aor && b.expires > now);
  }

  async loadRuid(ruid: string, now: number): Promise<Binding | null> {
    const b = this.rows.get(ruid);
    return b && b.expires > now ? b : null;
  }

  async write(batch: WriteBatch): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('location store write failed');
    }
    this.batches.push({ upserts: [...batch.upserts], deletes: [...batch.deletes] });
    for (const r of batch.deletes) this.rows.delete(r);
    for (const b of batch.upserts) this.rows.set(b.ruid, b);
  }

  async deleteByConnection(serverId: number, connectionId: number): Promise<Binding[]> {
    return this.take((b) => b.serverId === serverId && b.connectionId === connectionId);
  }

  async deleteExpired(now: number): Promise<Binding[]> {
    return this.take((b) => b.expires <= now);
  }

  async resetConnections(serverId: number): Promise<void> {
    for (const [k, b] of this.rows) if (b.serverId === serverId && b.connectionId !== 0) this.rows.set(k, b.with({ connectionId: 0 }));
  }

  async search(query: LocationQuery, now: number): Promise<LocationPage> {
    const byAor = new Map<string, Binding[]>();
    for (const b of this.rows.values()) {
      const list = byAor.get(b.aor);
      if (list) list.push(b);
      else byAor.set(b.aor, [b]);
    }
    return pageOf(byAor, query, now);
  }

  private take(pred: (b: Binding) => boolean): Binding[] {
    const out: Binding[] = [];
    for (const [k, b] of this.rows) {
      if (pred(b)) {
        out.push(b);
        this.rows.delete(k);
      }
    }
    return out;
  }
}
