/**
 * Every way digest authentication can fail, one closed set (STYLE 4, after
 * Kamailio's auth return codes). AUTH_FAILURES maps each to its reply.
 */
export type AuthFailure =
  | 'no-credentials'
  | 'malformed'
  | 'uri-mismatch'
  | 'unsupported-algorithm'
  | 'unsupported-qop'
  | 'userhash-unsupported'
  | 'nonce-invalid'
  | 'unknown-user'
  | 'bad-response'
  | 'nonce-stale'
  | 'nc-replay'
  | 'nonce-forgotten'
  | 'identity-mismatch';

export interface AuthFailureReply {
  /**
   * 'challenge': 401 with WWW-Authenticate from a registrar/UAS, 407 with
   * Proxy-Authenticate from a proxy (RFC 3261 §22.2, §22.3). Otherwise the
   * final status, sent without a challenge.
   */
  status: 'challenge' | 400 | 403;
  /** Reason-Phrase for a non-challenge status (challenges use the standard phrases). */
  reason: string;
  /** Challenge with stale=true (RFC 7616 §3.3: only when the response itself was right). */
  stale: boolean;
  /** What it means, for logs and the docs. */
  description: string;
}

export const AUTH_FAILURES: Readonly<Record<AuthFailure, AuthFailureReply>> = {
  'no-credentials': {
    status: 'challenge', reason: '', stale: false,
    description: 'no Digest credentials for this realm (RFC 3261 §22.1)',
  },
  'malformed': {
    status: 400, reason: 'Bad Request', stale: false,
    description: 'Digest credentials for this realm break the grammar or omit a mandatory parameter (RFC 7616 §3.4)',
  },
  'uri-mismatch': {
    status: 400, reason: 'Bad Request', stale: false,
    description: 'the uri parameter does not designate the Request-URI (RFC 7616 §3.4.6: "SHOULD return a 400")',
  },
  'unsupported-algorithm': {
    status: 'challenge', reason: '', stale: false,
    description: 'the credentials use an algorithm we did not offer (RFC 8760 §2.3)',
  },
  'unsupported-qop': {
    status: 'challenge', reason: '', stale: false,
    description: 'qop other than "auth" (we only offer qop="auth")',
  },
  'userhash-unsupported': {
    status: 'challenge', reason: '', stale: false,
    description: 'userhash=true, which we never offer (RFC 7616 §3.4.4)',
  },
  'nonce-invalid': {
    status: 'challenge', reason: '', stale: false,
    description: 'the nonce was not issued by us (forged, garbled or another secret)',
  },
  'unknown-user': {
    status: 'challenge', reason: '', stale: false,
    description: 'no subscriber with this username in this realm',
  },
  'bad-response': {
    status: 'challenge', reason: '', stale: false,
    description: 'the response does not match: wrong password (RFC 7616 §3.4.1)',
  },
  'nonce-stale': {
    status: 'challenge', reason: '', stale: true,
    description: 'our nonce, right response, but the nonce expired (RFC 7616 §3.3 stale)',
  },
  'nc-replay': {
    status: 'challenge', reason: '', stale: true,
    description: 'right response but nc not greater than one already accepted: a replay (RFC 7616 §3.4)',
  },
  'nonce-forgotten': {
    status: 'challenge', reason: '', stale: true,
    description: 'right response but the nonce history was dropped at the memory cap, so a replay cannot be ruled out',
  },
  'identity-mismatch': {
    status: 403, reason: 'Forbidden', stale: false,
    description: 'authenticated as a different user than the request claims (Kamailio auth_check flag 1)',
  },
};
