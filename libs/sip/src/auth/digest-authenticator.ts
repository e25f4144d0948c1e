import { timingSafeEqual } from 'node:crypto';
import { AUTH_FAILURES, type AuthFailure } from './auth-failure.js';
import { isQuotable } from './auth-params.js';
import {
  DIGEST_HEX_LENGTH,
  parseDigestAlgorithm,
  type DigestAlgorithm,
  type DigestAlgorithmName,
  type ParsedDigestAlgorithm,
} from './digest-algorithm.js';
import { formatDigestChallenge } from './digest-challenge.js';
import { parseDigestCredentials, type DigestCredentials } from './digest-credentials.js';
import { computeDigestResponse } from './digest-hash.js';
import { NonceCountTracker } from './nonce-count-tracker.js';
import { NonceService } from './nonce-service.js';
import { requestUrisEquivalent } from './uri-equivalence.js';

/** A subscriber's stored HA1 values (Kamailio `subscriber.ha1` / `ha1b`-style), lowercase hex. */
export interface StoredHa1 {
  ha1Md5: string;
  ha1Sha256: string;
}

/**
 * Synchronous on purpose: subscribers are cached in memory, and nothing on
 * the per-request path waits for the database.
 */
export type CredentialLookup = (username: string, realm: string) => StoredHa1 | undefined;

export interface DigestAuthenticatorOptions {
  /** HMAC key for nonces (>= 16 bytes); share it between nodes that share phones. */
  secret: Buffer;
  /** Nonce lifetime (Kamailio auth `nonce_expire`, default there 300). */
  nonceExpiresSec: number;
  /** Offered algorithms, most preferred first (RFC 8760 §2.3). */
  algorithms: DigestAlgorithm[];
  /** Milliseconds since the epoch. */
  clock: { now(): number };
  credentials: CredentialLookup;
  /**
   * RFC 7616 §3.4.6 uri check (default true). RFC 3261 §22.4 notes that in
   * SIP a proxy may have retargeted the request, so a server behind such a
   * proxy "MAY" accept a uri that is not the Request-URI: set false there.
   */
  checkUri?: boolean;
  /** Hard cap on nonces whose nc history is kept (default 100 000). */
  maxTrackedNonces?: number;
}

export interface AuthRequest {
  method: string;
  /** The Request-URI as received. */
  requestUri: string;
  /** The realm we protect for this request (e.g. the From domain for REGISTER). */
  realm: string;
  /** Every Authorization (or, when proxy, Proxy-Authorization) header value, in order. */
  authorization: readonly string[];
  /** true: we act as a proxy (407 / Proxy-Authenticate); false: registrar/UAS (401 / WWW-Authenticate). */
  proxy: boolean;
}

export interface AuthSuccess {
  ok: true;
  username: string;
  realm: string;
  algorithm: DigestAlgorithmName;
}

export interface AuthRejection {
  ok: false;
  status: 401 | 407 | 400 | 403;
  reason: string;
  /** Header values to add, one per offered algorithm, most preferred first; empty for 400/403. */
  challenges: string[];
  /** The header the challenges go in. */
  header: 'WWW-Authenticate' | 'Proxy-Authenticate';
  failure: AuthFailure;
}

export type AuthResult = AuthSuccess | AuthRejection;

const HEX = /^[0-9a-fA-F]+$/;
const UNKNOWN_USER_HA1: Record<DigestAlgorithm, string> = { 'MD5': '0'.repeat(32), 'SHA-256': '0'.repeat(64) };

/**
 * Server side of SIP digest authentication (RFC 3261 §22, RFC 7616 as
 * applied by RFC 8760). Stateless nonces (NonceService) plus a bounded
 * per-nonce nc history (NonceCountTracker). Order of checks: pick our
 * realm's credentials → grammar → algorithm/qop we offered → uri → nonce
 * authentic → subscriber → response (constant time) → nonce fresh → nc.
 * Staleness and replay are judged after the response so that stale=true is
 * only ever said to someone who knows the password (RFC 7616 §3.3).
 */
export class DigestAuthenticator {
  readonly nonces: NonceService;
  private readonly tracker: NonceCountTracker;
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly clock: { now(): number };
  private readonly lookup: CredentialLookup;
  private readonly checkUri: boolean;

  constructor(opts: DigestAuthenticatorOptions) {
    if (opts.algorithms.length === 0) throw new RangeError('at least one digest algorithm must be offered');
    if (new Set(opts.algorithms).size !== opts.algorithms.length) {
      // RFC 8760 §2.3: challenges with the same realm "MUST use a different digest algorithm".
      throw new RangeError('each digest algorithm may be offered once');
    }
    this.nonces = new NonceService({ secret: opts.secret, expiresSec: opts.nonceExpiresSec });
    this.tracker = new NonceCountTracker({
      maxEntries: opts.maxTrackedNonces ?? 100_000,
      sweepIntervalMs: Math.max(1000, (opts.nonceExpiresSec * 1000) / 4),
    });
    this.algorithms = [...opts.algorithms];
    this.clock = opts.clock;
    this.lookup = opts.credentials;
    this.checkUri = opts.checkUri ?? true;
  }

  /** Nonces whose nc history is currently held (for metrics). */
  get trackedNonces(): number {
    return this.tracker.size;
  }

  /**
   * One challenge per offered algorithm, most preferred first (RFC 8760
   * §2.3: "in the order in which it would prefer to see them used"), all
   * with one fresh nonce and qop="auth" (RFC 3261 §22.4 item 1 / RFC 8760
   * §2.6: SIP clients MUST support qop auth).
   */
  challenges(realm: string, stale = false): string[] {
    const nonce = this.nonces.issue(this.clock.now());
    return this.algorithms.map((algorithm) =>
      formatDigestChallenge({ realm, nonce, algorithm, qop: ['auth'], stale }),
    );
  }

  authenticate(req: AuthRequest): AuthResult {
    if (!isQuotable(req.realm)) return this.reject('malformed', req);
    const realm = req.realm.toLowerCase();

    // RFC 3261 §22.3: a request may carry credentials for several realms
    // (proxies on the path); only ours are examined, the others are left for
    // whoever issued their challenge. Other schemes (e.g. Bearer) likewise.
    let malformed = false;
    let anyForRealm: DigestCredentials | undefined;
    let chosen: { creds: DigestCredentials; alg: ParsedDigestAlgorithm; rank: number } | undefined;
    for (const value of req.authorization) {
      const creds = parseDigestCredentials(value);
      if ('error' in creds) {
        if (creds.error !== 'not-digest') malformed = true;
        continue;
      }
      if (creds.realm.toLowerCase() !== realm) continue;
      anyForRealm ??= creds;
      const alg = parseDigestAlgorithm(creds.algorithm);
      const rank = alg ? this.algorithms.indexOf(alg.algorithm) : -1;
      if (alg && rank >= 0 && (chosen === undefined || rank < chosen.rank)) chosen = { creds, alg, rank };
    }
    if (anyForRealm === undefined) return this.reject(malformed ? 'malformed' : 'no-credentials', req);
    // Unknown algorithm, or one we did not offer (e.g. MD5 when only SHA-256 is on).
    if (chosen === undefined) return this.reject('unsupported-algorithm', req);
    const { creds, alg } = chosen;

    if (creds.qop !== undefined && creds.qop !== 'auth') return this.reject('unsupported-qop', req);
    if (creds.userhash) return this.reject('userhash-unsupported', req);
    if (alg.sess && creds.cnonce === undefined) return this.reject('malformed', req);
    if (creds.response.length !== DIGEST_HEX_LENGTH[alg.algorithm] || !HEX.test(creds.response)) {
      return this.reject('malformed', req);
    }
    if (this.checkUri && !requestUrisEquivalent(creds.uri, req.requestUri)) return this.reject('uri-mismatch', req);

    const now = this.clock.now();
    const nonce = this.nonces.verify(creds.nonce, now);
    if (nonce.state === 'invalid') return this.reject('nonce-invalid', req);

    // The realm hashed into HA1 is the one we challenged with.
    const stored = this.lookup(creds.username, req.realm);
    // An unknown user still costs the full computation: answering faster
    // would tell anyone holding one of our (public) nonces which names exist.
    const ha1 =
      stored === undefined
        ? UNKNOWN_USER_HA1[alg.algorithm]
        : (alg.algorithm === 'MD5' ? stored.ha1Md5 : stored.ha1Sha256).toLowerCase();
    const expected = computeDigestResponse({
      algorithm: alg.algorithm,
      ha1,
      nonce: creds.nonce,
      nc: creds.nc,
      cnonce: creds.cnonce,
      qop: creds.qop === 'auth' ? 'auth' : undefined,
      method: req.method,
      uri: creds.uri,
      sess: alg.sess,
    });
    // Constant time: lengths are equal (checked above), so only the bytes vary.
    const match = timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(creds.response.toLowerCase(), 'latin1'));
    if (stored === undefined) return this.reject('unknown-user', req);
    if (!match) return this.reject('bad-response', req);
    if (nonce.state === 'stale') return this.reject('nonce-stale', req);

    if (creds.qop === 'auth') {
      // RFC 7616 §3.4: nc lets us "detect request replays" — refuse any
      // count not greater than the highest accepted for this nonce.
      const verdict = this.tracker.accept(creds.nonce, parseInt(creds.nc!, 16), nonce.issuedAt, nonce.expiresAt, now);
      if (verdict === 'replay') return this.reject('nc-replay', req);
      if (verdict === 'forgotten') return this.reject('nonce-forgotten', req);
    }
    // Without qop (RFC 2069 form, RFC 2617 §3.2.2.1) there is no nc, and
    // such clients reuse the nonce of the last challenge for every request
    // until told it is stale. Making nonces single-use would cost them a
    // 401 round trip per request and us per-nonce state; instead the
    // replay window is bounded by the nonce lifetime.
    return { ok: true, username: creds.username, realm: req.realm, algorithm: alg.name };
  }

  private reject(failure: AuthFailure, req: AuthRequest): AuthRejection {
    const row = AUTH_FAILURES[failure];
    const header = req.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    if (row.status !== 'challenge') return { ok: false, status: row.status, reason: row.reason, challenges: [], header, failure };
    // RFC 3261 §22.2 (401 from UAS/registrar) and §22.3 (407 from a proxy).
    return {
      ok: false,
      status: req.proxy ? 407 : 401,
      reason: req.proxy ? 'Proxy Authentication Required' : 'Unauthorized',
      challenges: this.challenges(req.realm, row.stale),
      header,
      failure,
    };
  }
}
