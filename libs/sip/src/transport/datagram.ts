/**
 * What a UDP datagram (or a WebSocket message) holds, from its first bytes.
 *
 * SIP text starts with a method token or "SIP/2.0" (printable ASCII). RFC
 * 5626 §4.4.2 multiplexes STUN on the SIP UDP port; STUN messages start with
 * two zero bits (first byte 0x00 or 0x01, RFC 5389 §6), and RFC 7983's
 * demultiplexing table keeps every other protocol below 0x20 or above 0x7e
 * too, so anything that does not start with printable ASCII is "other".
 * Leading CR/LF before a start line are skipped (RFC 3261 §7.5); a datagram
 * of CR/LF only is a keep-alive.
 */
export const DATAGRAM_KEEPALIVE = -1;
export const DATAGRAM_OTHER = -2;

/** Offset where SIP text starts, or DATAGRAM_KEEPALIVE / DATAGRAM_OTHER. */
export function sipTextStart(buf: Buffer): number {
  const n = buf.length;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b === 0x0d || b === 0x0a) continue;
    return b >= 0x21 && b <= 0x7e ? i : DATAGRAM_OTHER;
  }
  return DATAGRAM_KEEPALIVE;
}

/** Largest UDP payload: 65535 minus the UDP header, minus the IPv4 header for IPv4. */
export const MAX_UDP_PAYLOAD_V4 = 65_507;
export const MAX_UDP_PAYLOAD_V6 = 65_527;
