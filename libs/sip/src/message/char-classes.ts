/**
 * Byte classes from the RFC 3261 §25.1 ABNF, as 256-entry lookup tables so the
 * hot loops test a character with one array load instead of a regex.
 */

function table(chars: string, ranges: Array<[number, number]> = []): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) t[c] = 1;
  return t;
}

const ALNUM: Array<[number, number]> = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
];

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~", ALNUM);

/** word = 1*(alphanum / token marks / "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}") — Call-ID. */
export const WORD = table('-.!%*_+`\'~()<>:\\"/[]?{}', ALNUM);

/** unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")" */
export const UNRESERVED = table("-_.!~*'()", ALNUM);

/** user = 1*(unreserved / escaped / user-unreserved); user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
export const USER = table("-_.!~*'()&=+$,;?/", ALNUM);

/** password = *(unreserved / escaped / "&" / "=" / "+" / "$" / ",") */
export const PASSWORD = table("-_.!~*'()&=+$,", ALNUM);

/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$" */
export const PARAMCHAR = table("-_.!~*'()[]/:&+$", ALNUM);

/** hnv-unreserved / unreserved for URI headers: "[" / "]" / "/" / "?" / ":" / "+" / "$" */
export const HNVCHAR = table("-_.!~*'()[]/?:+$", ALNUM);

/** hostname characters (alphanum / "-" / "."), validated label-wise after the scan. */
export const HOSTCHAR = table('-.', ALNUM);

/** uric (RFC 2396) for opaque absolute URIs: reserved / unreserved / escaped. */
export const URIC = table(";/?:@&=+$,-_.!~*'()%[]#", ALNUM);

/** RFC 3966 phonedigit-hex / visual separators for tel: numbers. */
export const TELCHAR = table('0123456789abcdefABCDEF*#-.()+');

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const SCHEMECHAR = table('+-.', ALNUM);

export const DIGIT = table('', [[0x30, 0x39]]);
export const HEX = table('abcdefABCDEF', [[0x30, 0x39]]);

export const SP = 0x20;
export const HTAB = 0x09;
export const CR = 0x0d;
export const LF = 0x0a;

export function isWs(c: number): boolean {
  return c === SP || c === HTAB;
}

/** True when every character of s[start,end) is in the table (and the range is not empty). */
export function allIn(t: Uint8Array, s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || t[c] === 0) return false;
  }
  return true;
}

export function isToken(s: string): boolean {
  return allIn(TOKEN, s, 0, s.length);
}
