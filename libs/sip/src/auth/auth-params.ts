import { authParseError, type AuthParseError } from './auth-parse-error.js';

/** Hard limits (STYLE 6): a real Authorization value is a few hundred bytes. */
export const MAX_AUTH_HEADER_LENGTH = 4096;
export const MAX_AUTH_PARAMS = 32;

export interface AuthParams {
  /** The auth-scheme as sent (compare case-insensitively, RFC 7235 §2.1). */
  scheme: string;
  /** Parameter names lower-cased (names are case-insensitive), values unquoted and unescaped. */
  params: Map<string, string>;
}

// token chars: RFC 3261 §25.1 `token` (alphanum - . ! % * _ + ` ' ~) plus
// the HTTP tchar extras (# $ & ^ |) that HTTP-derived stacks put in tokens.
const TOKEN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~#$&^|') {
  TOKEN[c.charCodeAt(0)] = 1;
}
const isToken = (c: number): boolean => c < 128 && TOKEN[c] === 1;
// LWS, after the header parser has unfolded the value: SP / HTAB (plus a
// stray CR LF pair of an unfolded continuation line).
const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/**
 * Splits `Digest param=value, param="quoted", …` (RFC 3261 §25.1
 * `challenge` / `credentials`, RFC 7235 §2.1 `auth-param`). Values may be a
 * token or a quoted-string whatever the parameter: RFC 7616 §3.3/§3.4 tell
 * senders which form to use, RFC 7235 §2.1 tells recipients to accept both.
 * quoted-pair (`\x`) is unescaped (RFC 3261 §25.1). A repeated parameter is
 * an error (RFC 7235 §2.1: "each parameter name MUST only occur once").
 */
export function parseAuthParams(value: string): AuthParams | AuthParseError {
  const n = value.length;
  let i = 0;
  while (i < n && isWs(value.charCodeAt(i))) i++;
  const schemeStart = i;
  while (i < n && isToken(value.charCodeAt(i))) i++;
  if (i === schemeStart) return authParseError('syntax', 'no auth-scheme');
  const scheme = value.slice(schemeStart, i);
  // Another scheme's parameters need not be auth-params at all (Basic and
  // Bearer carry token68), so they are not parsed, nor called malformed.
  if (scheme.toLowerCase() !== 'digest') return authParseError('not-digest', `scheme ${scheme}`);
  if (n > MAX_AUTH_HEADER_LENGTH) return authParseError('too-long', `longer than ${MAX_AUTH_HEADER_LENGTH} characters`);
  const params = new Map<string, string>();
  if (i < n && !isWs(value.charCodeAt(i))) return authParseError('syntax', `unexpected character after scheme at ${i}`);
  while (i < n && isWs(value.charCodeAt(i))) i++;
  if (i === n) return { scheme, params };

  for (;;) {
    const nameStart = i;
    while (i < n && isToken(value.charCodeAt(i))) i++;
    if (i === nameStart) return authParseError('syntax', `expected a parameter name at ${i}`);
    const name = value.slice(nameStart, i).toLowerCase();
    while (i < n && isWs(value.charCodeAt(i))) i++;
    if (value.charCodeAt(i) !== 0x3d /* = */) return authParseError('syntax', `expected '=' after ${name}`);
    i++;
    while (i < n && isWs(value.charCodeAt(i))) i++;
    let v: string;
    if (value.charCodeAt(i) === 0x22 /* " */) {
      i++;
      let out = '';
      let runStart = i;
      for (;;) {
        if (i >= n) return authParseError('syntax', `unterminated quoted string in ${name}`);
        const c = value.charCodeAt(i);
        if (c === 0x22) break;
        if (c === 0x5c /* \ */) {
          // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): never CR or LF
          const e = value.charCodeAt(i + 1);
          if (i + 1 >= n || e === 0x0a || e === 0x0d || e > 0x7f) {
            return authParseError('syntax', `bad escape in ${name}`);
          }
          out += value.slice(runStart, i);
          runStart = i + 1;
          i += 2;
          continue;
        }
        // qdtext: no control characters other than HTAB (SP and UTF-8 are fine)
        if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
          return authParseError('syntax', `control character in ${name}`);
        }
        i++;
      }
      v = out + value.slice(runStart, i);
      i++; // closing quote
    } else {
      const vStart = i;
      while (i < n && isToken(value.charCodeAt(i))) i++;
      if (i === vStart) return authParseError('syntax', `empty or invalid value for ${name}`);
      v = value.slice(vStart, i);
    }
    if (params.has(name)) return authParseError('duplicate-param', `${name} appears twice`);
    if (params.size >= MAX_AUTH_PARAMS) return authParseError('too-long', `more than ${MAX_AUTH_PARAMS} parameters`);
    params.set(name, v);
    while (i < n && isWs(value.charCodeAt(i))) i++;
    if (i === n) return { scheme, params };
    if (value.charCodeAt(i) !== 0x2c /* , */) return authParseError('syntax', `expected ',' at ${i}`);
    i++;
    while (i < n && isWs(value.charCodeAt(i))) i++;
    if (i === n) return authParseError('syntax', 'trailing comma');
  }
}

/** True if `s` can be carried as a token (RFC 3261 §25.1) without quotes. */
export function isAuthToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isToken(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Renders a quoted-string (RFC 3261 §25.1): `"` and `\` are escaped. CR, LF
 * and other controls cannot be carried at all (quoted-pair excludes CR/LF),
 * and letting them through would let a value split the header, so they throw.
 */
export function quoteAuthValue(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      throw new RangeError(`control character 0x${c.toString(16)} cannot be quoted in an auth-param`);
    }
  }
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/** True if `quoteAuthValue(s)` would succeed. */
export function isQuotable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}
