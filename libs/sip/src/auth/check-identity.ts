import { AUTH_FAILURES } from './auth-failure.js';
import type { AuthRejection } from './digest-authenticator.js';

/**
 * The 403 check left to the caller (Kamailio `auth_check` flag 1): having
 * authenticated, is this subscriber the one the request speaks for (the
 * To user of a REGISTER, the From user of an INVITE)? Users compare
 * case-sensitively (RFC 3261 §19.1.4 userinfo), domains case-insensitively.
 * Returns undefined when they match.
 */
export function checkIdentity(
  authenticated: { username: string; realm: string },
  expected: { username: string; domain?: string },
  proxy = false,
): AuthRejection | undefined {
  if (
    authenticated.username === expected.username &&
    (expected.domain === undefined || authenticated.realm.toLowerCase() === expected.domain.toLowerCase())
  ) {
    return undefined;
  }
  const row = AUTH_FAILURES['identity-mismatch'];
  return {
    ok: false,
    status: 403,
    reason: row.reason,
    challenges: [],
    header: proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate',
    failure: 'identity-mismatch',
  };
}
