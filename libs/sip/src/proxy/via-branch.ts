import { randomBytes } from 'node:crypto';
import type { SipRequest, Via } from '../message/index.js';
import { MAGIC_COOKIE } from '../transaction/index.js';
import { fnvAdd, fnvStart, toHex8 } from '../transaction/hash.js';

/**
 * Branch parameters of requests this proxy forwards (RFC 3261 §16.6 step 8).
 *
 * Stateful branch layout: `z9hG4bK` `<loop hash: 8 hex>` `.` `<process: 6 hex>`
 * `<transaction counter, base 36>` `.` `<branch index>`
 * - the magic cookie makes it an RFC 3261 branch (§8.1.1.7);
 * - the loop hash is computed over what §16.6 step 8 lists — To tag, From
 *   tag, Call-ID, Request-URI as received, the top Via as received, CSeq
 *   number, Proxy-Require, Proxy-Authorization — so `isLooped` can tell a
 *   loop (same values come back) from a spiral (Request-URI changed, §16.3
 *   step 4);
 * - process part and counter make it unique in time and across nodes, the
 *   index unique per branch of one transaction (CANCEL reuses it, §9.1).
 *
 * Stateless branch layout (§16.11): `z9hG4bK` `sl` `<8 hex>`, a hash of the
 * incoming top Via branch and sent-by, Call-ID and CSeq number (not the
 * method): the same for every retransmission, and a stateless CANCEL gets
 * the branch its INVITE got.
 */
const PROCESS_PART = randomBytes(3).toString('hex');
let counter = 0;

/** Per-transaction part (process + counter): one per forwarded request. */
export function transactionPart(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return PROCESS_PART + counter.toString(36);
}

/** §16.6 step 8 loop-detection hash of a request with `topVia` as the Via it arrived with. */
export function loopHash(req: SipRequest, topVia: Via | undefined): string {
  let h = fnvStart;
  h = fnvAdd(h, req.to().tag ?? '');
  h = fnvAdd(h, req.from().tag ?? '');
  h = fnvAdd(h, req.callId());
  h = fnvAdd(h, req.uri.toString());
  h = fnvAdd(h, topVia === undefined ? '' : topVia.toString());
  h = fnvAdd(h, String(req.cseq().seq));
  for (const v of req.getAll('Proxy-Require')) h = fnvAdd(h, v);
  for (const v of req.getAll('Proxy-Authorization')) h = fnvAdd(h, v);
  return toHex8(h);
}

export function statefulBranch(loop: string, txPart: string, index: number): string {
  return MAGIC_COOKIE + loop + '.' + txPart + '.' + index;
}

export function statelessBranch(req: SipRequest): string {
  const via = req.topVia();
  let h = fnvStart;
  h = fnvAdd(h, via?.branch ?? '');
  h = fnvAdd(h, via === undefined ? '' : via.host.toLowerCase() + ':' + (via.port ?? ''));
  h = fnvAdd(h, req.callId());
  h = fnvAdd(h, String(req.cseq().seq));
  if (via === undefined || via.branch === undefined || !via.branch.startsWith(MAGIC_COOKIE)) {
    // RFC 2543 upstream: no unique branch to lean on; the Request-URI and From tag narrow it.
    h = fnvAdd(h, req.uri.toString());
    h = fnvAdd(h, req.from().tag ?? '');
  }
  return MAGIC_COOKIE + 'sl' + toHex8(h);
}

/**
 * RFC 3261 §16.3 step 4: the request has looped when one of our Vias (by
 * `isOwnVia`) carries the loop hash the request would get now, computed
 * with the Via below ours as the "top Via as received". A spiral (changed
 * Request-URI, e.g. after retargeting) does not match.
 */
export function isLooped(req: SipRequest, isOwnVia: (via: Via) => boolean): boolean {
  const vias = req.vias();
  for (let i = 0; i < vias.length; i++) {
    const v = vias[i]!;
    if (!isOwnVia(v)) continue;
    const b = v.branch;
    if (b === undefined || !b.startsWith(MAGIC_COOKIE) || b.charCodeAt(MAGIC_COOKIE.length + 8) !== 0x2e) continue;
    if (b.slice(MAGIC_COOKIE.length, MAGIC_COOKIE.length + 8) === loopHash(req, vias[i + 1])) return true;
  }
  return false;
}
