import { TOKEN } from './char-classes.js';
import { GrammarError } from './errors.js';

/**
 * Small scanning helpers shared by the typed header parsers. They work on an
 * unfolded header value (line folding already replaced by SP, RFC 3261
 * §7.3.1) and return positions; `cursor.pos` carries a second return value
 * so the hot path allocates nothing for bookkeeping.
 */
export const cursor = { pos: 0 };

export function fail(detail: string): never {
  throw new GrammarError(detail);
}

// Memo for nextIndexOf, one slot per searched character.
const memoStr = ['', '', '', ''];
const memoFrom = [0, 0, 0, 0];
const memoAt = [0, 0, 0, 0];

/** Slots of nextIndexOf. */
export const AT_SIGN = 0;
export const COLON = 1;
export const BACKSLASH = 2;
export const CR_CHAR = 3;
const SLOT_CHARS = ['@', ':', '\\', '\r'];

/**
 * s.indexOf(ch, from), remembering the last answer per character. Parsers
 * search the whole message text for a character that may not occur inside
 * the span they parse; without the memo, a header with thousands of short
 * values lacking it would make each search run to the end of the message
 * (quadratic work for one hostile message). With it, the searches of one
 * message cost O(message length) in total.
 */
export function nextIndexOf(s: string, slot: number, from: number): number {
  const at = memoAt[slot]!;
  if (from >= memoFrom[slot]! && (at < 0 || from <= at) && memoStr[slot] === s) return at;
  const r = s.indexOf(SLOT_CHARS[slot]!, from);
  memoStr[slot] = s;
  memoFrom[slot] = from;
  memoAt[slot] = r;
  return r;
}

/** Skips SP / HTAB (LWS after unfolding). */
export function skipWs(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Scans token characters; returns the stop index. */
export function scanToken(s: string, i: number, end: number): number {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const TOKEN_ = TOKEN;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c > 255 || TOKEN_[c] === 0) break;
    i++;
  }
  return i;
}

/**
 * Scans a quoted-string starting at s[i] === '"'. Returns the index after the
 * closing quote. quoted-pair = "\" followed by any octet except CR and LF.
 */
export function scanQuoted(s: string, i: number, end: number): number {
  // Fast path: the closing quote found natively, with no backslash or CR before it.
  const q = s.indexOf('"', i + 1);
  if (q >= 0 && q < end) {
    const bs = nextIndexOf(s, BACKSLASH, i + 1);
    if (bs < 0 || bs > q) {
      const cr = nextIndexOf(s, CR_CHAR, i + 1);
      if (cr < 0 || cr > q) return q + 1;
    }
  }
  i++;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      if (i + 1 >= end) break;
      i += 2;
      continue;
    }
    if (c === 0x0d || c === 0x0a) fail('line break inside quoted string');
    i++;
  }
  fail('unterminated quoted string');
}

/** Value chars for generic parameters: token, plus ':' '[' ']' for hosts and bare IPv6 (received=2001:db8::1, RFC 5118 §4.5). */
const VALUECHAR = (() => {
  const t = TOKEN.slice();
  t[0x3a] = 1;
  t[0x5b] = 1;
  t[0x5d] = 1;
  return t;
})();

/**
 * Parses `*( SEMI generic-param )` where SEMI = SWS ";" SWS and
 * generic-param = token [ EQUAL gen-value ]. Starts at s[i] (which may be
 * whitespace before the first ';'). Stops at ',' (when `list`) or end, or
 * throws on anything else. Pushes [lower, written, raw] triplets into kv.
 * Returns the stop index (at the ',' or end).
 */
export function parseGenericParams(s: string, i: number, end: number, kv: Array<string | null>, list: boolean): number {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const TOKEN_ = TOKEN; const VALUECHAR_ = VALUECHAR;
  let c = 0;
  for (;;) {
    while (i < end && ((c = s.charCodeAt(i)) === 0x20 || c === 0x09)) i++;
    if (i >= end) return i;
    c = s.charCodeAt(i);
    if (c === 0x2c && list) return i;
    if (c !== 0x3b) fail(`unexpected ${JSON.stringify(String.fromCharCode(c))} where ";" or end expected`);
    i++;
    while (i < end && ((c = s.charCodeAt(i)) === 0x20 || c === 0x09)) i++;
    const ns = i;
    let upper = false;
    while (i < end) {
      c = s.charCodeAt(i);
      if (c > 255 || TOKEN_[c] === 0) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
      i++;
    }
    if (i === ns) fail('empty parameter');
    const name = s.slice(ns, i);
    let value: string | null = null;
    let j = i;
    while (j < end && ((c = s.charCodeAt(j)) === 0x20 || c === 0x09)) j++;
    if (j < end && s.charCodeAt(j) === 0x3d) {
      j++;
      while (j < end && ((c = s.charCodeAt(j)) === 0x20 || c === 0x09)) j++;
      const vs = j;
      if (j < end && s.charCodeAt(j) === 0x22) j = scanQuoted(s, j, end);
      else
        while (j < end) {
          c = s.charCodeAt(j);
          if (c > 255 || VALUECHAR_[c] === 0) break;
          j++;
        }
      if (j === vs) fail(`empty value for parameter ${name}`);
      value = s.slice(vs, j);
      i = j;
    }
    kv.push(upper ? name.toLowerCase() : name, name, value);
  }
}

/**
 * Validates `*( SEMI generic-param )` like parseGenericParams but builds
 * nothing (the lazy parsers decode parameters on first access). Returns the
 * stop index (at ',' when `list`, or end).
 */
export function skipGenericParams(s: string, i: number, end: number, list: boolean): number {
  const TOKEN_ = TOKEN;
  const VALUECHAR_ = VALUECHAR;
  let c = 0;
  for (;;) {
    while (i < end && ((c = s.charCodeAt(i)) === 0x20 || c === 0x09)) i++;
    if (i >= end) return i;
    c = s.charCodeAt(i);
    if (c === 0x2c && list) return i;
    if (c !== 0x3b) fail(`unexpected ${JSON.stringify(String.fromCharCode(c))} where ";" or end expected`);
    i++;
    while (i < end && ((c = s.charCodeAt(i)) === 0x20 || c === 0x09)) i++;
    const ns = i;
    while (i < end && (c = s.charCodeAt(i)) < 256 && TOKEN_[c] === 1) i++;
    if (i === ns) fail('empty parameter');
    let j = i;
    while (j < end && ((c = s.charCodeAt(j)) === 0x20 || c === 0x09)) j++;
    if (j < end && s.charCodeAt(j) === 0x3d) {
      j++;
      while (j < end && ((c = s.charCodeAt(j)) === 0x20 || c === 0x09)) j++;
      const vs = j;
      if (j < end && s.charCodeAt(j) === 0x22) j = scanQuoted(s, j, end);
      else while (j < end && (c = s.charCodeAt(j)) < 256 && VALUECHAR_[c] === 1) j++;
      if (j === vs) fail(`empty value for parameter ${s.slice(ns, i)}`);
      i = j;
    }
  }
}

export function lower(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return name.toLowerCase();
  }
  return name;
}

/** Parses an unsigned decimal in s[a,b) (1*DIGIT); -1 when not digits or above max. */
export function parseDigits(s: string, a: number, b: number, max: number): number {
  if (b <= a) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
    if (v > max) return -1;
  }
  return v;
}

/**
 * Splits a header value at top-level commas — not inside a quoted string,
 * <...> or a (comment) — trimming LWS around each element. Empty elements are
 * dropped.
 */
export function splitCommaList(v: string): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  let paren = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x22) {
      i++;
      while (i < v.length && v.charCodeAt(i) !== 0x22) {
        if (v.charCodeAt(i) === 0x5c) i++;
        i++;
      }
    } else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === 0x28) paren++;
    else if (c === 0x29 && paren > 0) paren--;
    else if (c === 0x2c && !angle && paren === 0) {
      const e = v.slice(start, i).trim();
      if (e) out.push(e);
      start = i + 1;
    }
  }
  const e = v.slice(start).trim();
  if (e) out.push(e);
  return out;
}
