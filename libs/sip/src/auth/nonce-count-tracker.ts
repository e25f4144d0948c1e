import { detach } from '../message/detach.js';

/** Outcome of presenting a nonce-count. */
export type NonceCountVerdict =
  /** nc is greater than any seen with this nonce: recorded. */
  | 'accepted'
  /** nc is not greater than one already accepted: a replay (RFC 7616 §5.4 / RFC 2617 §4.5). */
  | 'replay'
  /** The nonce's history was dropped to keep within the hard cap: it can no longer be trusted. */
  | 'forgotten';

export interface NonceCountTrackerOptions {
  /** Hard cap on nonces remembered; the oldest are dropped beyond it. */
  maxEntries: number;
  /** How often (ms) to sweep out expired nonces. */
  sweepIntervalMs: number;
}

interface Entry {
  nc: number;
  issuedAt: number;
  expiresAt: number;
}

/**
 * Highest nonce-count seen per nonce. RFC 7616 §3.4: nc lets the server
 * "detect request replays by maintaining its own copy of this count — if the
 * same nc-value is seen twice, then the request is a replay". We refuse any
 * nc not greater than the highest accepted (a UA increments it per request).
 *
 * Memory is bounded two ways. Expired nonces are swept (the nonce service
 * refuses them before they reach here, so their history is useless). And a
 * hard cap drops the oldest entries; to stay sound after that, every nonce
 * issued no later than the newest dropped one is answered `forgotten`
 * unless it is still in the map: we cannot tell a fresh nonce from a
 * dropped one, so we make the UA fetch a new nonce (stale=true costs it one
 * round trip, never a password prompt) rather than open a replay window.
 */
export class NonceCountTracker {
  private readonly entries = new Map<string, Entry>();
  private nextSweepAt = 0;
  /** Nonces issued at or before this time (ms) may have lost their history. */
  private forgottenUpTo = -Infinity;

  constructor(private readonly opts: NonceCountTrackerOptions) {
    if (!(opts.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Records `nc` for `nonce` if it is greater than any accepted before.
   * Call only after the response verified: otherwise anyone who saw a nonce
   * could burn its counter with nc=ffffffff and lock its owner out.
   */
  accept(nonce: string, nc: number, issuedAt: number, expiresAt: number, now: number): NonceCountVerdict {
    if (now >= this.nextSweepAt) this.sweep(now);
    const e = this.entries.get(nonce);
    if (e !== undefined) {
      if (nc <= e.nc) return 'replay';
      e.nc = nc;
      return 'accepted';
    }
    if (issuedAt <= this.forgottenUpTo) return 'forgotten';
    if (nc < 1) return 'replay'; // nc starts at 00000001 (RFC 7616 §3.4)
    if (this.entries.size >= this.opts.maxEntries) this.evict(now);
    // The nonce comes from a request's Authorization header: a copy, so the entry does not keep that request alive.
    this.entries.set(detach(nonce), { nc, issuedAt, expiresAt });
    return 'accepted';
  }

  /** Drops every nonce whose expiry has passed. */
  sweep(now: number): void {
    for (const [nonce, e] of this.entries) if (e.expiresAt < now) this.entries.delete(nonce);
    this.nextSweepAt = now + this.opts.sweepIntervalMs;
  }

  private evict(now: number): void {
    // Map iteration is insertion order: the first entries are the oldest
    // seen. O(1) per insert at the cap; the periodic sweep handles expiry.
    for (const [nonce, e] of this.entries) {
      if (this.entries.size < this.opts.maxEntries) break;
      this.entries.delete(nonce);
      if (e.expiresAt >= now && e.issuedAt > this.forgottenUpTo) this.forgottenUpTo = e.issuedAt;
    }
  }
}
