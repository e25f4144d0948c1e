import type { MsrpSession } from './msrp-session.js';

/**
 * The connection map (Kamailio msrp `msrp_cmap_save` / `msrp_cmap_lookup`):
 * session-id → session (and through it the client's connection). Kamailio
 * sizes a fixed hash table with `cmap_size` (2^n slots); a JavaScript Map
 * resizes itself, so the parameter is kept only as the expected size.
 */
export class ConnectionMap {
  private readonly map = new Map<string, MsrpSession>();

  get size(): number {
    return this.map.size;
  }

  save(s: MsrpSession): void {
    this.map.set(s.id, s);
  }

  lookup(id: string): MsrpSession | undefined {
    return this.map.get(id);
  }

  delete(id: string): boolean {
    return this.map.delete(id);
  }

  values(): IterableIterator<MsrpSession> {
    return this.map.values();
  }

  /** Sessions past `now` (timer_interval cleaning). */
  expired(now: number): MsrpSession[] {
    const out: MsrpSession[] = [];
    for (const s of this.map.values()) if (s.expiresAt <= now || s.peer.link.closed) out.push(s);
    return out;
  }
}
