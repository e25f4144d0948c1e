import type { SipRequest } from '@pbx/sip';

/**
 * A To tag for replies sent without a transaction (Kamailio sl_send_reply):
 * derived from the Call-ID, From and first Via lines as received, so a
 * retransmitted request (byte-identical) gets a byte-identical reply, while
 * any other request (another branch or From tag) gets another tag
 * (RFC 3261 §8.2.6.2). FNV-1a over the raw values: nothing is parsed.
 */
export function statelessToTag(req: SipRequest): string {
  let h = 0x811c9dc5;
  h = fnv(h, req.get('Call-ID') ?? '');
  h = fnv(h, req.get('From') ?? '');
  h = fnv(h, req.get('Via') ?? '');
  return 'sl' + (h >>> 0).toString(16).padStart(8, '0');
}

function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}
