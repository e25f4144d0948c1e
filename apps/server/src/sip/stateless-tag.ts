import type { SipRequest } from '@pbx/sip';

/**
 * A To tag for replies sent without a transaction (Kamailio sl_send_reply):
 * derived from Call-ID, From tag and the top Via branch, so a retransmitted
 * request gets a byte-identical reply (RFC 3261 §8.2.6.2 lets the tag be
 * anything unique to the dialog-to-be; it just must not change on resends).
 * FNV-1a over the three strings: cheap, no allocation but the hex.
 */
export function statelessToTag(req: SipRequest): string {
  let h = 0x811c9dc5;
  h = fnv(h, req.callId());
  h = fnv(h, req.from().tag ?? '');
  h = fnv(h, req.topVia()?.branch ?? '');
  return 'sl' + (h >>> 0).toString(16).padStart(8, '0');
}

function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}
