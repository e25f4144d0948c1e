import { randomBytes } from 'node:crypto';
import { isAuthParseError } from './auth-parse-error.js';
import { digestHash, parseDigestAlgorithm, type ParsedDigestAlgorithm } from './digest-algorithm.js';
import { parseDigestChallenge, type DigestChallenge } from './digest-challenge.js';
import { formatDigestCredentials, type DigestCredentials } from './digest-credentials.js';
import { computeDigestResponse, computeHa1 } from './digest-hash.js';

export interface DigestClientOptions {
  username: string;
  password: string;
  /** cnonce source (tests pin it); default 16 random bytes in hex. */
  cnonce?: () => string;
}

/** Nonces whose counters a client remembers (it only ever uses the latest few). */
const MAX_NONCES = 64;

/**
 * The UA side, for tests and benchmarks playing a phone: turns a 401/407
 * challenge into an Authorization / Proxy-Authorization value. Keeps a
 * nonce-count per nonce, so reusing a nonce sends nc=00000002, 00000003…
 * (RFC 7616 §3.4: "incremented for each request ... with the same nonce").
 */
export class DigestClient {
  private readonly counts = new Map<string, number>();
  private readonly ha1Cache = new Map<string, string>();
  private readonly newCnonce: () => string;

  constructor(private readonly opts: DigestClientOptions) {
    this.newCnonce = opts.cnonce ?? (() => randomBytes(16).toString('hex'));
  }

  /**
   * `challenge`: one WWW-/Proxy-Authenticate value or all of them in order.
   * RFC 8760 §2.4: use the topmost challenge we support and ignore those we
   * do not understand. Throws if none is usable.
   */
  authorize(challenge: string | readonly string[], method: string, uri: string): string {
    const picked = this.pick(typeof challenge === 'string' ? [challenge] : challenge);
    if (picked === undefined) throw new Error('no Digest challenge this client can answer');
    const { c, alg } = picked;
    const username = c.userhash
      ? digestHash(alg.algorithm, `${this.opts.username}:${c.realm}`) // RFC 7616 §3.4.4
      : this.opts.username;
    const key = `${alg.algorithm}\n${c.realm}`;
    let ha1 = this.ha1Cache.get(key);
    if (ha1 === undefined) {
      ha1 = computeHa1(alg.algorithm, this.opts.username, c.realm, this.opts.password);
      this.ha1Cache.set(key, ha1);
    }
    const qop = c.qop?.includes('auth') ? 'auth' : undefined;
    const creds: DigestCredentials = { username, realm: c.realm, nonce: c.nonce, uri, response: '' };
    if (c.algorithm !== undefined) creds.algorithm = alg.name;
    let nc: string | undefined;
    let cnonce: string | undefined;
    if (qop !== undefined || alg.sess) cnonce = this.newCnonce();
    if (qop !== undefined) {
      const count = (this.counts.get(c.nonce) ?? 0) + 1;
      this.counts.delete(c.nonce); // re-insert: most recently used last
      this.counts.set(c.nonce, count);
      if (this.counts.size > MAX_NONCES) this.counts.delete(this.counts.keys().next().value!);
      nc = count.toString(16).padStart(8, '0');
    }
    creds.response = computeDigestResponse({ algorithm: alg.algorithm, ha1, nonce: c.nonce, nc, cnonce, qop, method, uri, sess: alg.sess });
    if (cnonce !== undefined) creds.cnonce = cnonce;
    if (c.opaque !== undefined) creds.opaque = c.opaque; // RFC 7616 §3.4: returned unchanged
    if (qop !== undefined) {
      creds.qop = qop;
      creds.nc = nc;
    }
    if (c.userhash) creds.userhash = true;
    return formatDigestCredentials(creds);
  }

  private pick(values: readonly string[]): { c: DigestChallenge; alg: ParsedDigestAlgorithm } | undefined {
    for (const v of values) {
      const c = parseDigestChallenge(v);
      if (isAuthParseError(c)) continue;
      const alg = parseDigestAlgorithm(c.algorithm);
      if (alg === undefined) continue;
      // We speak qop=auth or the RFC 2069 form (no qop); a challenge that
      // offers only auth-int is skipped. A -sess one needs qop for its cnonce.
      if (c.qop !== undefined && !c.qop.includes('auth')) continue;
      if (alg.sess && c.qop === undefined) continue;
      return { c, alg };
    }
    return undefined;
  }
}
