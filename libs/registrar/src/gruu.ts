import { randomBytes } from 'node:crypto';
import { escape, PARAMCHAR, unescape, type SipUri } from '@pbx/sip';
import type { Aor } from './aor.js';

/**
 * Record unique ids (Kamailio sruid) and the GRUUs built on them.
 *
 * ruid layout: `uloc-<node>-<counter>`, where <node> is the server_id, the
 * start time in seconds and 32 random bits (base 36), fixed for the life of
 * the process, and <counter> counts up (base 36). Unique across restarts
 * and across nodes sharing one database; only [0-9a-z-], so it is a valid
 * SIP user part and case folding can never change it; at most 40 chars
 * (location.ruid is varchar(64)). No per-binding randomness is drawn.
 */
export class RuidGenerator {
  private readonly prefix: string;
  private counter = 0;

  constructor(serverId: number, nowMs: number) {
    const rnd = randomBytes(4).readUInt32BE(0);
    this.prefix = `${RUID_PREFIX}${serverId.toString(36)}${Math.floor(nowMs / 1000).toString(36)}${rnd.toString(36)}-`;
  }

  next(): string {
    return this.prefix + (++this.counter).toString(36);
  }
}

export const RUID_PREFIX = 'uloc-';

/**
 * Public GRUU (RFC 5627 §3.1, §5.4): the AoR with `gr` set to the instance
 * URN (the `+sip.instance` value without its angle brackets), e.g.
 * `sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6`.
 * Stable across registrations: anyone can derive it from the AoR and the
 * instance, which is why it is public.
 */
export function pubGruu(aor: Aor, instance: string): string {
  return `${aor.scheme}:${escape(aor.user)}@${aor.host};gr=${escape(instanceUrn(instance), PARAMCHAR)}`;
}

/**
 * Temporary GRUU (RFC 5627 §3.1, §5.4): `sip:<ruid>@<domain>;gr` — the
 * binding's ruid as the user part and a `gr` parameter without value. It
 * reveals neither the AoR nor the instance, stays the same for as long as
 * the binding lives (seed §1.2: "kept the same for the duration of contact
 * validity") and dies with it. Matched exactly as issued: the ruid is
 * looked up byte for byte, never case-folded.
 */
export function tempGruu(aor: Aor, ruid: string): string {
  return `${aor.scheme}:${ruid}@${aor.host};gr`;
}

/** `<urn:uuid:…>` → `urn:uuid:…` */
export function instanceUrn(instance: string): string {
  return instance.length >= 2 && instance.charCodeAt(0) === 0x3c && instance.charCodeAt(instance.length - 1) === 0x3e ? instance.slice(1, -1) : instance;
}

/** What a Request-URI with a `gr` parameter names (RFC 5627 §6.1), or null for an ordinary URI. */
export type GruuTarget = { kind: 'pub'; instanceUrn: string } | { kind: 'temp'; ruid: string };

export function gruuTarget(uri: SipUri): GruuTarget | null {
  const gr = uri.params.get('gr');
  if (gr === undefined) return null;
  if (gr === null || gr === '') {
    const user = uri.user;
    return user !== null && user.startsWith(RUID_PREFIX) ? { kind: 'temp', ruid: user } : null;
  }
  return { kind: 'pub', instanceUrn: unescape(gr) };
}
