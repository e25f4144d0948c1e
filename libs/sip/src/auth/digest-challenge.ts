import { authParseError, type AuthParseError } from './auth-parse-error.js';
import { isAuthToken, parseAuthParams, quoteAuthValue } from './auth-params.js';
import { parseDigestAlgorithm } from './digest-algorithm.js';

/** One Digest WWW-Authenticate / Proxy-Authenticate value (RFC 7616 §3.3, RFC 3261 §25.1 `digest-cln`). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** Canonical case when known; absent means MD5. Unknown algorithms are kept as sent. */
  algorithm?: string;
  /** The qop-options offered, lower-cased, e.g. ['auth'] or ['auth', 'auth-int']. Absent: RFC 2069 form. */
  qop?: string[];
  opaque?: string;
  /** RFC 7616 §3.3: the previous nonce was refused as stale, the credentials were good. */
  stale?: boolean;
  domain?: string;
  charset?: string;
  /** RFC 7616 §3.3: the server supports hashed usernames. */
  userhash?: boolean;
}

const BOOLEAN: Record<string, boolean> = { true: true, false: false };

/**
 * Parses a WWW-Authenticate or Proxy-Authenticate value holding one Digest
 * challenge (SIP carries one challenge per header value: RFC 8760 §2.3 adds
 * one header field per algorithm). realm and nonce are mandatory
 * (RFC 7616 §3.3); unknown parameters are ignored.
 */
export function parseDigestChallenge(value: string): DigestChallenge | AuthParseError {
  const parsed = parseAuthParams(value);
  if ('error' in parsed) return parsed;
  const p = parsed.params;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined) return authParseError('missing-param', 'realm');
  if (nonce === undefined) return authParseError('missing-param', 'nonce');
  const c: DigestChallenge = { realm, nonce };

  const algorithm = p.get('algorithm');
  if (algorithm !== undefined) c.algorithm = parseDigestAlgorithm(algorithm)?.name ?? algorithm;
  const qop = p.get('qop');
  if (qop !== undefined) {
    // qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT
    const list = qop.split(',').map((s) => s.trim().toLowerCase());
    if (list.some((s) => !isAuthToken(s))) return authParseError('bad-value', 'qop is not a list of tokens');
    c.qop = list;
  }
  const opaque = p.get('opaque');
  if (opaque !== undefined) c.opaque = opaque;
  const domain = p.get('domain');
  if (domain !== undefined) c.domain = domain;
  const charset = p.get('charset');
  if (charset !== undefined) c.charset = charset;
  for (const name of ['stale', 'userhash'] as const) {
    const v = p.get(name);
    if (v === undefined) continue;
    const b = BOOLEAN[v.toLowerCase()];
    if (b === undefined) return authParseError('bad-value', `${name} must be true or false`);
    c[name] = b;
  }
  return c;
}

/**
 * Renders a challenge in RFC 7616 §3.3's parameter order. realm, nonce,
 * opaque, domain and the qop list are quoted; algorithm, stale, charset and
 * userhash are tokens. `stale` is written only when true (absent = false).
 */
export function formatDigestChallenge(c: DigestChallenge): string {
  const parts = [`realm=${quoteAuthValue(c.realm)}`];
  if (c.domain !== undefined) parts.push(`domain=${quoteAuthValue(c.domain)}`);
  parts.push(`nonce=${quoteAuthValue(c.nonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quoteAuthValue(c.opaque)}`);
  if (c.stale) parts.push('stale=true');
  if (c.algorithm !== undefined) {
    if (!isAuthToken(c.algorithm)) throw new RangeError(`algorithm must be a token: ${JSON.stringify(c.algorithm)}`);
    parts.push(`algorithm=${c.algorithm}`);
  }
  if (c.qop !== undefined) {
    if (c.qop.length === 0 || c.qop.some((q) => !isAuthToken(q))) throw new RangeError('qop must be a non-empty list of tokens');
    parts.push(`qop=${quoteAuthValue(c.qop.join(','))}`);
  }
  if (c.charset !== undefined) {
    if (!isAuthToken(c.charset)) throw new RangeError('charset must be a token');
    parts.push(`charset=${c.charset}`);
  }
  if (c.userhash !== undefined) parts.push(`userhash=${c.userhash ? 'true' : 'false'}`);
  return `Digest ${parts.join(', ')}`;
}
