import { SIP_PARSE_ERRORS, type SipParseFailure } from './errors.js';
import { DEFAULT_LIMITS, type ParseLimits } from './parse-message.js';

/**
 * Result of looking for one message at the front of a stream buffer
 * (TCP/TLS, RFC 3261 §18.3; RFC 5626 §3.5.1 keep-alives).
 * - `message`: bytes [start, end) hold one complete message for parseMessage(…, { stream: true }).
 * - `ping` / `pong`: a CRLFCRLF keep-alive ping or a CRLF pong occupies [start, end).
 * - `incomplete`: wait for more bytes.
 * - `error`: framing is lost (no or bad Content-Length, size limits); close the connection.
 */
export type FrameResult =
  | { kind: 'message'; end: number }
  | { kind: 'ping'; end: number }
  | { kind: 'pong'; end: number }
  | { kind: 'incomplete' }
  | { kind: 'error'; error: SipParseFailure };

function err(code: 'too_large' | 'missing_content_length' | 'bad_header' | 'line_too_long', reason?: string): FrameResult {
  const i = SIP_PARSE_ERRORS[code];
  return { kind: 'error', error: { code, reason: reason ?? i.reason, status: i.status, canRespond: false } };
}

/** Finds the end of the message starting at `start` in a stream buffer. */
export function frameStreamMessage(buf: Buffer, start = 0, limits: Partial<ParseLimits> = {}): FrameResult {
  const max = limits.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize;
  const n = buf.length;
  if (start >= n) return { kind: 'incomplete' };
  if (buf[start] === 13 || buf[start] === 10) {
    // RFC 5626 §3.5.1: CRLFCRLF is a ping, a lone CRLF the pong.
    if (n - start >= 4 && buf[start] === 13 && buf[start + 1] === 10 && buf[start + 2] === 13 && buf[start + 3] === 10) return { kind: 'ping', end: start + 4 };
    if (n - start >= 2 && buf[start] === 13 && buf[start + 1] === 10) {
      if (n - start === 2 || buf[start + 2] !== 13) return { kind: 'pong', end: start + 2 };
      return { kind: 'incomplete' };
    }
    if (buf[start] === 10) return { kind: 'pong', end: start + 1 };
    return { kind: 'incomplete' };
  }
  const he = buf.indexOf('\r\n\r\n', start, 'latin1');
  if (he < 0) return n - start > max ? err('too_large') : { kind: 'incomplete' };
  const bodyStart = he + 4;
  if (bodyStart - start > max) return err('too_large');
  // Unfold continuation lines first (§7.3.1) so a folded Content-Length is seen.
  const head = buf.toString('latin1', start, he + 2).replace(/\r\n[ \t]+/g, ' ');
  // Content-Length or compact l, at a line start, case-insensitive (§7.3.1, §7.3.3).
  const re = /\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gi;
  let m: RegExpExecArray | null;
  let cl = -1;
  while ((m = re.exec(head))) {
    const v = m[1]!.trim();
    if (!/^\d+$/.test(v)) return err('bad_header', 'Bad Content-Length header');
    const x = Number(v);
    if (cl >= 0 && x !== cl) return err('bad_header', 'Multiple Content-Length headers');
    cl = x;
  }
  if (cl < 0) return err('missing_content_length');
  if (bodyStart + cl - start > max) return err('too_large');
  if (bodyStart + cl > n) return { kind: 'incomplete' };
  return { kind: 'message', end: bodyStart + cl };
}
