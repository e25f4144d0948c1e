import type { SipRequest, Via } from '../message/index.js';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this. */
export const MAGIC_COOKIE = 'z9hG4bK';

const SEP = '\x01';

/** True when a Via carries an RFC 3261 (magic-cookie) branch. */
export function hasMagicBranch(via: Via): boolean {
  const b = via.branch;
  return b !== undefined && b.length > MAGIC_COOKIE.length && b.startsWith(MAGIC_COOKIE);
}

/**
 * Server transaction key (RFC 3261 §17.2.3) for `req`, as the transaction
 * whose method is `method` would be keyed: pass 'INVITE' to find the INVITE
 * an ACK or CANCEL belongs to.
 *
 * Magic-cookie branch: branch + sent-by + method ("the branch parameter in
 * the request is equal to the one in the top Via header field of the request
 * that created the transaction, the sent-by value ... is equal ..., and the
 * method of the request matches the one that created the transaction, except
 * for ACK, where the method of the request that created the transaction is
 * INVITE").
 *
 * RFC 2543 fallback (no cookie): Request-URI, From tag, Call-ID, CSeq number
 * and top Via (To tag is compared separately for ACK: it must equal the tag
 * of the response the transaction sent).
 */
export function serverKey(req: SipRequest, via: Via, method: string): string {
  const b = via.branch;
  if (b !== undefined && b.length > MAGIC_COOKIE.length && b.startsWith(MAGIC_COOKIE)) {
    return b + SEP + via.host.toLowerCase() + ':' + (via.port ?? '') + SEP + method;
  }
  return '2543' + SEP + req.uri.toString() + SEP + (req.from().tag ?? '') + SEP + req.callId() + SEP + req.cseq().seq + SEP + method + SEP + via.toString();
}

/**
 * Client transaction key (RFC 3261 §17.1.3): the branch of the top Via and
 * the CSeq method. Our own branches are unique, so sent-by is not needed;
 * the method keeps a CANCEL apart from the INVITE it shares a branch with.
 */
export function clientKey(branch: string, method: string): string {
  return branch + SEP + method;
}
