/**
 * Content-Length from a raw header section, without decoding it to a string:
 * the framer needs only this one header to know where a stream message ends
 * (RFC 3261 §18.3), and the parser proper runs later on the whole message.
 *
 * Grammar (RFC 3261 §20.14, §7.3.1, §25.1):
 *   Content-Length  =  ( "Content-Length" / "l" ) HCOLON 1*DIGIT
 *   HCOLON          =  *( SP / HTAB ) ":" SWS
 *   SWS             =  [LWS]    LWS = [*WSP CRLF] 1*WSP   (a folded line)
 * Header names are case-insensitive (§7.3.1).
 */

/** No Content-Length header in the section. */
export const CONTENT_LENGTH_MISSING = -1;
/** A Content-Length whose value is not 1*DIGIT. */
export const CONTENT_LENGTH_INVALID = -2;
/** Two Content-Length headers that disagree (a request-smuggling shape). */
export const CONTENT_LENGTH_CONFLICT = -3;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const NAME = Buffer.from('content-length');
/** Values with more digits than this are reported as this many bytes (over any sane limit). */
const MAX_DIGITS = 15;

function isWsp(b: number | undefined): boolean {
  return b === SP || b === HTAB;
}

/**
 * The Content-Length value in `buf[start, end)` (the header section, start
 * line included), or one of the negative CONTENT_LENGTH_* codes.
 */
export function readContentLength(buf: Buffer, start = 0, end = buf.length): number {
  let found = CONTENT_LENGTH_MISSING;
  // Skip the start line: header lines begin after the first LF.
  let nl = buf.indexOf(LF, start);
  while (nl >= 0 && nl + 1 < end) {
    const line = nl + 1;
    nl = buf.indexOf(LF, line);
    if (nl >= end) nl = -1;
    const value = headerValueStart(buf, line, end);
    if (value < 0) continue;
    const v = readDigits(buf, value, end);
    if (v < 0) return CONTENT_LENGTH_INVALID;
    if (found >= 0 && found !== v) return CONTENT_LENGTH_CONFLICT;
    found = v;
  }
  return found;
}

/** If the line at `i` is a Content-Length header, the offset just after its HCOLON; else -1. */
function headerValueStart(buf: Buffer, i: number, end: number): number {
  const first = buf[i]! | 0x20;
  let j: number;
  if (first === 0x6c /* l */) {
    j = i + 1;
  } else if (first === 0x63 /* c */) {
    if (i + NAME.length > end) return -1;
    for (let k = 1; k < NAME.length; k++) if ((buf[i + k]! | 0x20) !== NAME[k]) return -1;
    j = i + NAME.length;
  } else return -1;
  while (j < end && isWsp(buf[j])) j++;
  if (buf[j] !== COLON || j >= end) return -1;
  return j + 1;
}

/** 1*DIGIT after SWS, then only trailing whitespace up to the end of the (possibly folded) value. */
function readDigits(buf: Buffer, i: number, end: number): number {
  i = skipLws(buf, i, end);
  let v = 0;
  let digits = 0;
  while (i < end) {
    const b = buf[i]!;
    if (b < 0x30 || b > 0x39) break;
    if (digits < MAX_DIGITS) v = v * 10 + (b - 0x30);
    digits++;
    i++;
  }
  if (digits === 0) return CONTENT_LENGTH_INVALID;
  if (digits > MAX_DIGITS) v = Number.MAX_SAFE_INTEGER;
  // Trailing whitespace, then the end of the line that is not a fold.
  i = skipLws(buf, i, end);
  if (i < end && buf[i] !== CR && buf[i] !== LF) return CONTENT_LENGTH_INVALID;
  return v;
}

/** Skip WSP and folds (CRLF or LF followed by WSP). */
function skipLws(buf: Buffer, i: number, end: number): number {
  for (;;) {
    while (i < end && isWsp(buf[i])) i++;
    if (buf[i] === CR && buf[i + 1] === LF && i + 2 < end && isWsp(buf[i + 2])) i += 3;
    else if (buf[i] === LF && i + 1 < end && isWsp(buf[i + 1])) i += 2;
    else return i;
  }
}
