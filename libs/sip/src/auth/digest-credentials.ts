import { authParseError, type AuthParseError } from './auth-parse-error.js';
import { isAuthToken, parseAuthParams, quoteAuthValue } from './auth-params.js';
import { parseDigestAlgorithm } from './digest-algorithm.js';

/**
 * One Digest Authorization / Proxy-Authorization value (RFC 7616 §3.4,
 * RFC 3261 §22.4 and §25.1 `digest-response`). String values are unquoted
 * and unescaped: exactly what goes into the hashes.
 */
export interface DigestCredentials {
  /** From `username`, or decoded from `username*` (RFC 7616 §3.4.4 / RFC 5987). */
  username: string;
  realm: string;
  nonce: string;
  /** digest-uri: in SIP the Request-URI the UA sent (RFC 3261 §22.4 item 4). */
  uri: string;
  /** request-digest, hex. */
  response: string;
  /** As sent, in canonical case when known (MD5, SHA-256, -sess); absent means MD5. */
  algorithm?: string;
  cnonce?: string;
  opaque?: string;
  /** A single qop-value: `auth`, `auth-int`, or another token. */
  qop?: string;
  /** nc-value exactly as sent: 8 hex digits (the hash covers its spelling). */
  nc?: string;
  /** RFC 7616 §3.4.4: `username` is H(username ":" realm). */
  userhash?: boolean;
}

const NC_VALUE = /^[0-9a-fA-F]{8}$/;
// RFC 5987 ext-value: charset "'" [ language ] "'" value-chars; RFC 7616 §3.4 needs UTF-8.
const EXT_VALUE = /^UTF-8'[A-Za-z0-9-]*'(.*)$/i;

/**
 * Parses an Authorization or Proxy-Authorization header value. Parameter
 * names are case-insensitive and may come in any order; unknown parameters
 * are skipped (RFC 7616 §3.4: "any unrecognized directive MUST be ignored");
 * a repeated parameter is an error. A scheme other than Digest gives the
 * `not-digest` error, which callers treat as "someone else's credentials".
 */
export function parseDigestCredentials(value: string): DigestCredentials | AuthParseError {
  const parsed = parseAuthParams(value);
  if ('error' in parsed) return parsed;
  const p = parsed.params;

  let username = p.get('username');
  const extUsername = p.get('username*');
  if (extUsername !== undefined) {
    // RFC 7616 §3.4: username* "MUST NOT be used together with" username.
    if (username !== undefined) return authParseError('bad-value', 'both username and username*');
    const m = EXT_VALUE.exec(extUsername);
    if (!m) return authParseError('bad-value', 'username* is not a UTF-8 ext-value (RFC 5987)');
    try {
      username = decodeURIComponent(m[1]!);
    } catch {
      return authParseError('bad-value', 'username* has a bad percent-encoding');
    }
  }
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  // RFC 3261 §25.1 digest-response / RFC 7616 §3.4: these are mandatory.
  if (username === undefined) return authParseError('missing-param', 'username');
  if (realm === undefined) return authParseError('missing-param', 'realm');
  if (nonce === undefined) return authParseError('missing-param', 'nonce');
  if (uri === undefined) return authParseError('missing-param', 'uri');
  if (response === undefined) return authParseError('missing-param', 'response');

  const creds: DigestCredentials = { username, realm, nonce, uri, response };
  const algorithm = p.get('algorithm');
  if (algorithm !== undefined) creds.algorithm = parseDigestAlgorithm(algorithm)?.name ?? algorithm;
  const cnonce = p.get('cnonce');
  if (cnonce !== undefined) creds.cnonce = cnonce;
  const opaque = p.get('opaque');
  if (opaque !== undefined) creds.opaque = opaque;
  const nc = p.get('nc');
  if (nc !== undefined) {
    if (!NC_VALUE.test(nc)) return authParseError('bad-value', 'nc is not 8 hex digits (RFC 7616 §3.4)');
    creds.nc = nc;
  }
  const qop = p.get('qop');
  if (qop !== undefined) {
    // The response carries the one qop-value chosen, a token (RFC 7616 §3.4).
    if (!isAuthToken(qop)) return authParseError('bad-value', 'qop must be a single token');
    creds.qop = qop.toLowerCase();
    // RFC 7616 §3.4: cnonce and nc "MUST" be sent when qop is.
    if (cnonce === undefined) return authParseError('missing-param', 'cnonce (required with qop)');
    if (nc === undefined) return authParseError('missing-param', 'nc (required with qop)');
  }
  const userhash = p.get('userhash');
  if (userhash !== undefined) {
    const u = userhash.toLowerCase();
    if (u !== 'true' && u !== 'false') return authParseError('bad-value', 'userhash must be true or false');
    creds.userhash = u === 'true';
  }
  return creds;
}

/**
 * Renders credentials as an Authorization value. RFC 7616 §3.4: username,
 * realm, nonce, uri, response, cnonce and opaque are quoted; algorithm, qop
 * and nc are not ("a sender MUST NOT generate the quoted string syntax").
 */
export function formatDigestCredentials(c: DigestCredentials): string {
  const parts = [
    `username=${quoteAuthValue(c.username)}`,
    `realm=${quoteAuthValue(c.realm)}`,
    `nonce=${quoteAuthValue(c.nonce)}`,
    `uri=${quoteAuthValue(c.uri)}`,
    `response=${quoteAuthValue(c.response)}`,
  ];
  if (c.algorithm !== undefined) parts.push(`algorithm=${token(c.algorithm, 'algorithm')}`);
  if (c.cnonce !== undefined) parts.push(`cnonce=${quoteAuthValue(c.cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quoteAuthValue(c.opaque)}`);
  if (c.qop !== undefined) parts.push(`qop=${token(c.qop, 'qop')}`);
  if (c.nc !== undefined) parts.push(`nc=${token(c.nc, 'nc')}`);
  if (c.userhash !== undefined) parts.push(`userhash=${c.userhash ? 'true' : 'false'}`);
  return `Digest ${parts.join(', ')}`;
}

function token(v: string, name: string): string {
  if (!isAuthToken(v)) throw new RangeError(`${name} must be a token: ${JSON.stringify(v)}`);
  return v;
}
