import { digestHash, type DigestAlgorithm } from './digest-algorithm.js';

/**
 * HA1 = H(unq(username) ":" unq(realm) ":" passwd), RFC 7616 §3.4.2 (the
 * non-`-sess` form). This is what the subscriber table stores (Kamailio's
 * `ha1` / `ha1b` columns), so the password itself never has to be kept.
 */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** The stored HA1 (lowercase hex): H(username:realm:password). */
  ha1: string;
  nonce: string;
  /** nc-value exactly as sent (8 hex digits): the hash covers its spelling. */
  nc?: string;
  cnonce?: string;
  /** Only `auth`: SIP UAs send no `auth-int` we would offer (we challenge with qop="auth"). */
  qop?: 'auth';
  method: string;
  /** The `uri` parameter, exactly as sent (RFC 7616 §3.4.3 A2 uses the digest-uri). */
  uri: string;
  /** A `-sess` algorithm: HA1 becomes H(HA1 ":" nonce ":" cnonce). */
  sess?: boolean;
}

/**
 * The `response` value, RFC 7616 §3.4.1:
 *   qop=auth:  KD(HA1, nonce ":" nc ":" cnonce ":" qop ":" HA2)
 *   no qop:    KD(HA1, nonce ":" HA2)   — RFC 2069 compatibility (RFC 2617 §3.2.2.1)
 * with KD(secret, data) = H(secret ":" data) and, RFC 7616 §3.4.3 for qop
 * "auth" or absent, HA2 = H(Method ":" digest-uri). For a `-sess` algorithm,
 * RFC 7616 §3.4.2: HA1 = H(H(username ":" realm ":" passwd) ":" nonce ":" cnonce).
 */
export function computeDigestResponse(input: DigestResponseInput): string {
  const { algorithm, nonce, qop, cnonce, nc } = input;
  let ha1 = input.ha1;
  if (input.sess) {
    if (cnonce === undefined) throw new TypeError('a -sess algorithm needs a cnonce (RFC 7616 §3.4.2)');
    ha1 = digestHash(algorithm, `${ha1}:${nonce}:${cnonce}`);
  }
  const ha2 = digestHash(algorithm, `${input.method}:${input.uri}`);
  if (qop === undefined) return digestHash(algorithm, `${ha1}:${nonce}:${ha2}`);
  if (nc === undefined || cnonce === undefined) {
    throw new TypeError('qop=auth needs nc and cnonce (RFC 7616 §3.4)');
  }
  return digestHash(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
}
