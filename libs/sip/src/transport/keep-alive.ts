/**
 * CRLF keep-alives (RFC 5626 §3.5.1, §4.4.1).
 *
 * A UA pings with a double CRLF "between SIP messages"; the server "MUST
 * immediately respond with a single CRLF over the same connection" (the
 * pong). A lone CRLF is a pong, or the leading CRLF RFC 3261 §7.5 tells us to
 * ignore before a start-line.
 */
export const CRLF = Buffer.from('\r\n');
export const CRLFCRLF = Buffer.from('\r\n\r\n');

const CR = 0x0d;
const LF = 0x0a;

/**
 * The keep-alive automaton run over the bytes in front of a message start.
 * States: 0 nothing pending, 1 "\r", 2 "\r\n", 3 "\r\n\r". A bare LF is
 * tolerated (ignored) in states 0 and 2.
 */
export type CrlfState = 0 | 1 | 2 | 3;

export interface CrlfScan {
  /** Index of the first byte that is not CR/LF (= length when all are). */
  end: number;
  /** Automaton state after the scanned bytes. */
  state: CrlfState;
  /** Double-CRLF pings completed in the scanned bytes. */
  pings: number;
}

/** Walk CR/LF bytes from `from`, counting completed "\r\n\r\n" pings. */
export function scanCrlf(buf: Buffer, from: number, state: CrlfState): CrlfScan {
  let i = from;
  let pings = 0;
  let s: CrlfState = state;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b === CR) {
      s = s === 2 ? 3 : 1;
    } else if (b === LF) {
      if (s === 1) s = 2;
      else if (s === 3) {
        pings++;
        s = 0;
      } else s = s === 2 ? 2 : 0;
    } else break;
    i++;
  }
  return { end: i, state: s, pings };
}
