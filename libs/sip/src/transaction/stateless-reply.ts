import { randomBytes } from 'node:crypto';
import { createResponse, type CreateResponseOptions, type SipRequest, type SipResponse } from '../message/index.js';
import { fnvAdd, fnvStart, toHex8 } from './hash.js';

/** Per-process tag prefix, like Kamailio sl's constant tag part: tags differ between servers. */
const PROCESS_TAG_PREFIX = randomBytes(4).toString('hex');

/**
 * The To tag a stateless reply carries (Kamailio sl_send_reply): the same
 * for every retransmission of one request, so a UAC that sees the reply to
 * its retransmission sees the same dialog identity. Computed from Call-ID,
 * From tag, top Via branch and CSeq number — not the method, so the 200 to a
 * CANCEL and the 487 to its INVITE carry the same tag (RFC 3261 §9.2
 * "SHOULD be the same"). Returned in the form `<prefix>.<8 hex>`.
 */
export function statelessToTag(req: SipRequest, prefix: string = PROCESS_TAG_PREFIX): string {
  let h = fnvStart;
  h = fnvAdd(h, req.callId());
  h = fnvAdd(h, req.from().tag ?? '');
  h = fnvAdd(h, req.topVia()?.branch ?? '');
  h = fnvAdd(h, String(req.cseq().seq));
  return prefix + '.' + toHex8(h);
}

/**
 * A response built for a request without keeping state (RFC 3261 §8.2.6,
 * Kamailio sl_send_reply): createResponse plus the stable To tag of
 * `statelessToTag` when To has none. 100 Trying gets no tag (§8.2.6.1: it
 * creates no dialog). An explicit `opts.toTag` wins.
 */
export function createStatelessResponse(req: SipRequest, status: number, reason?: string, opts: CreateResponseOptions & { tagPrefix?: string } = {}): SipResponse {
  // One options shape for every reply: a spread copy of each caller's own
  // shape made V8 define toTag on its slow path and read the options
  // megamorphically in createResponse, on every reply (OPTIONS, REGISTER…).
  return createResponse(req, status, reason, {
    toTag: opts.toTag ?? (status > 100 ? statelessToTag(req, opts.tagPrefix) : undefined),
    headers: opts.headers,
    body: opts.body,
    contentType: opts.contentType,
  });
}
