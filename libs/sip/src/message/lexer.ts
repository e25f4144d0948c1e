import { TOKEN } from './char-classes.js';
import { GrammarError } from './errors.js';

/**
 * Small scanning helpers shared by the typed header parsers. They work on an
 * unfolded header value (line folding already replaced by SP, RFC 3261
 * §7.3.1) and return positions; `cursor.pos` carries a second return value
 * so the hot path allocates nothing for bookkeeping. They read the bytes of
 * the value (`u`, the received Buffer or bytesOf() of a string): a
 * typed-array load is cheaper than String#charCodeAt. The string itself is
 * used only to slice what a parser returns and to quote chars in errors.
 */
export const cursor = { pos: 0 };

export function fail(detail: string): never {
  throw new GrammarError(detail);
}

/** Skips SP / HTAB (LWS after unfolding). */
export function skipWs(u: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = u[i]!;
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Scans token characters; returns the stop index. */
export function scanToken(u: Uint8Array, i: number, end: number): number {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const TOKEN_ = TOKEN;
  while (i < end) {
    const c = u[i]!;
    if (TOKEN_[c] === 0) break;
    i++;
  }
  return i;
}

/**
 * Scans a quoted-string starting at s[i] === '"'. Returns the index after the
 * closing quote. quoted-pair = "\" followed by any octet except CR and LF.
 * One bounded pass: a search that could run past `end` would make a message
 * with many quoted values cost quadratic time.
 */
export function scanQuoted(u: Uint8Array, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = u[i]!;
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
export function parseGenericParams(s: string, u: Uint8Array, i: number, end: number, kv: Array<string | null>, list: boolean): number {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const TOKEN_ = TOKEN; const VALUECHAR_ = VALUECHAR;
  let c = 0;
  for (;;) {
    while (i < end && ((c = u[i]!) === 0x20 || c === 0x09)) i++;
    if (i >= end) return i;
    c = u[i]!;
    if (c === 0x2c && list) return i;
    if (c !== 0x3b) fail(`unexpected ${JSON.stringify(s[i])} where ";" or end expected`);
    i++;
    while (i < end && ((c = u[i]!) === 0x20 || c === 0x09)) i++;
    const ns = i;
    let upper = false;
    while (i < end) {
      c = u[i]!;
      if (TOKEN_[c] === 0) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
      i++;
    }
    if (i === ns) fail('empty parameter');
    const name = s.slice(ns, i);
    let value: string | null = null;
    let j = i;
    while (j < end && ((c = u[j]!) === 0x20 || c === 0x09)) j++;
    if (j < end && u[j]! === 0x3d) {
      j++;
      while (j < end && ((c = u[j]!) === 0x20 || c === 0x09)) j++;
      const vs = j;
      if (j < end && u[j]! === 0x22) j = scanQuoted(u, j, end);
      else
        while (j < end) {
          c = u[j]!;
          if (VALUECHAR_[c] === 0) break;
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
export function skipGenericParams(s: string, u: Uint8Array, i: number, end: number, list: boolean): number {
  const TOKEN_ = TOKEN;
  const VALUECHAR_ = VALUECHAR;
  let c = 0;
  for (;;) {
    while (i < end && ((c = u[i]!) === 0x20 || c === 0x09)) i++;
    if (i >= end) return i;
    c = u[i]!;
    if (c === 0x2c && list) return i;
    if (c !== 0x3b) fail(`unexpected ${JSON.stringify(s[i])} where ";" or end expected`);
    i++;
    while (i < end && ((c = u[i]!) === 0x20 || c === 0x09)) i++;
    const ns = i;
    while (i < end && TOKEN_[(c = u[i]!)] === 1) i++;
    if (i === ns) fail('empty parameter');
    let j = i;
    while (j < end && ((c = u[j]!) === 0x20 || c === 0x09)) j++;
    if (j < end && u[j]! === 0x3d) {
      j++;
      while (j < end && ((c = u[j]!) === 0x20 || c === 0x09)) j++;
      const vs = j;
      if (j < end && u[j]! === 0x22) j = scanQuoted(u, j, end);
      else while (j < end && VALUECHAR_[(c = u[j]!)] === 1) j++;
      if (j === vs) fail(`empty value for parameter ${s.slice(ns, i)}`);
      i = j;
    }
  }
}

/** Result of findParam: the raw value is s[found.vs, found.ve); vs = -1 for a parameter without value. */
export const found = { vs: 0, ve: 0 };

/**
 * Looks up one parameter by lower-case name in a span that skipGenericParams
 * has already validated (s[i,end), starting at or before the first ';'),
 * building nothing: the typed getters (branch, tag, expires…) slice only the
 * value they return. Returns true when present, the value span in `found`.
 * The first occurrence wins, as in Params#get.
 */
export function findParam(u: Uint8Array, i: number, end: number, lname: string): boolean {
  const TOKEN_ = TOKEN;
  const VALUECHAR_ = VALUECHAR;
  const nlen = lname.length;
  let c = 0;
  for (;;) {
    while (i < end && ((c = u[i]!) === 0x20 || c === 0x09)) i++;
    if (i >= end || u[i]! !== 0x3b) return false;
    i++;
    while (i < end && ((c = u[i]!) === 0x20 || c === 0x09)) i++;
    const ns = i;
    while (i < end && TOKEN_[(c = u[i]!)] === 1) i++;
    let match = i - ns === nlen;
    for (let k = 0; match && k < nlen; k++) {
      const x = u[ns + k]!;
      const t = lname.charCodeAt(k);
      match = x === t || (x >= 0x41 && x <= 0x5a && x + 0x20 === t);
    }
    let vs = -1;
    let ve = -1;
    let j = i;
    while (j < end && ((c = u[j]!) === 0x20 || c === 0x09)) j++;
    if (j < end && u[j]! === 0x3d) {
      j++;
      while (j < end && ((c = u[j]!) === 0x20 || c === 0x09)) j++;
      vs = j;
      if (j < end && u[j]! === 0x22) j = scanQuoted(u, j, end);
      else while (j < end && VALUECHAR_[(c = u[j]!)] === 1) j++;
      ve = j;
      i = j;
    }
    if (match) {
      found.vs = vs;
      found.ve = ve;
      return true;
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

/** Parses an unsigned decimal in u[a,b) (1*DIGIT); -1 when not digits or above max. */
export function parseDigitsAt(u: Uint8Array, a: number, b: number, max: number): number {
  if (b <= a) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = u[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
    if (v > max) return -1;
  }
  return v;
}

/** Bytes of the empty string (a Buffer, like every byte view the scanners see, so their loads stay monomorphic). */
export const NO_BYTES: Uint8Array = Buffer.alloc(0);

/**
 * The bytes of a wire string for the byte-level scanners: chars up to U+00FF
 * are their byte; a char above it (text typed into a setter) becomes 0xFF,
 * which no character class of §25.1 contains and no delimiter equals, so
 * every scanner decision is the one it would make on the char itself.
 */
export function bytesOf(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) b[i] = 0xff;
  return b;
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
