import type { NameAddr, Uri } from '../message/index.js';
import type { SendTarget } from '../transport/index.js';

/** One destination of a forwarded request (a branch, RFC 3261 §16.5-16.6). */
export interface ForwardTarget {
  /** The new Request-URI (§16.6 step 2), e.g. a registered Contact; absent: unchanged. */
  uri?: Uri | string;
  /** Contact q-value 0..1 (§16.6, RFC 3261 §20.10), default 1: higher groups are tried first. */
  q?: number;
  /**
   * A route set to push as Route headers in front of any present (§16.6
   * step 5 / RFC 3327 §5.3: a stored Path); its first hop is the destination.
   */
  route?: ReadonlyArray<NameAddr | Uri | string>;
  /**
   * Where to send, bypassing resolution: a known flow (RFC 5626: the
   * connection a REGISTER came on) or a `received` address (Kamailio's
   * `$du` / dst_uri).
   */
  destination?: SendTarget;
  /** Anything the caller wants to find again on the branch (e.g. the contact record). */
  context?: unknown;
}

function qOf(t: ForwardTarget): number {
  const q = t.q;
  return q === undefined || !(q >= 0 && q <= 1) ? 1 : q;
}

/**
 * Orders targets for forking by q (Kamailio t_load_contacts): descending q,
 * one group per q value. Each group is tried in parallel; the next group
 * only when every branch of the one before ended without a 2xx or 6xx
 * (serial forking). Equal q everywhere: one parallel group. Order within a
 * group is the given order.
 */
export function groupByQ(targets: readonly ForwardTarget[]): ForwardTarget[][] {
  if (targets.length === 0) return [];
  if (targets.length === 1) return [[targets[0]!]];
  const sorted = targets.map((t, i) => ({ t, i, q: qOf(t) })).sort((a, b) => b.q - a.q || a.i - b.i);
  const groups: ForwardTarget[][] = [];
  let q = NaN;
  for (const s of sorted) {
    if (s.q !== q) {
      groups.push([]);
      q = s.q;
    }
    groups[groups.length - 1]!.push(s.t);
  }
  return groups;
}
