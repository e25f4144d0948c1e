import { detach, parseUri, unescape, type SipUri, type Uri } from '@pbx/sip';
import { RegistrarError } from './errors.js';

/** How an address-of-record becomes the key bindings are stored under. */
export interface AorOptions {
  /** usrloc.use_domain: the key is `user@domain` (multi-domain) instead of `user`. */
  useDomain: boolean;
  /** registrar.case_sensitive: keep the user part's case (0 folds it, the documented recommendation). */
  caseSensitive: boolean;
  /** registrar.realm_prefix: stripped from the domain, so `sip.example.net` is `example.net`. */
  realmPrefix?: string | undefined;
}

/** A normalised AoR. */
export interface Aor {
  /** The storage and lookup key. */
  readonly key: string;
  /** The user part, unescaped and folded per case_sensitive (location.username). */
  readonly user: string;
  /** The domain, lower case, realm_prefix stripped (location.domain; null with use_domain 0). */
  readonly domain: string | null;
  /** The host the GRUUs are built on (the AoR's domain even with use_domain 0). */
  readonly host: string;
  /** `sips` when the AoR is a SIPS URI: a GRUU takes the scheme of the AoR (RFC 5627 §3.1). */
  readonly scheme: 'sip' | 'sips';
}

/** location.username and location.domain are varchar(64). */
const MAX_PART = 64;

/**
 * The AoR of a URI as Kamailio's extract_aor builds it: the user part
 * unescaped (RFC 3261 §19.1.4 compares users unescaped), case-folded unless
 * case_sensitive, and with use_domain the host, lower-cased (hosts are
 * case-insensitive) without the realm prefix. URI parameters never belong
 * to an AoR. Throws RegistrarError (bad_aor, no_username, aor_too_long).
 */
export function aorOf(uri: Uri | string, opts: AorOptions): Aor {
  let u: Uri;
  if (typeof uri === 'string') {
    const r = parseUri(uri);
    if (!r.ok) throw new RegistrarError('bad_aor', r.reason);
    u = r.uri;
  } else u = uri;
  if (u.kind !== 'sip') throw new RegistrarError('bad_aor', `${u.scheme}: URI`);
  return sipAor(u, opts);
}

function sipAor(u: SipUri, opts: AorOptions): Aor {
  const a = tryAor(u, opts);
  if (typeof a === 'string') throw new RegistrarError(a);
  // Kept in bindings: flat copies, not views on the REGISTER.
  const user = detach(a.user);
  const host = detach(a.host);
  const domain = a.domain === null ? null : host;
  return { key: domain === null ? user : `${user}@${domain}`, user, domain, host, scheme: a.scheme };
}

/** aorOf() for a parsed SIP URI without throwing or copying (lookup's hot path): the Aor, or why there is none. */
export function tryAor(u: SipUri, opts: AorOptions): Aor | 'no_username' | 'aor_too_long' {
  if (u.user === null || u.user === '') return 'no_username';
  let user = unescape(u.user);
  if (!opts.caseSensitive) user = user.toLowerCase();
  let host = u.host.toLowerCase();
  const prefix = opts.realmPrefix;
  if (prefix && host.length > prefix.length && host.startsWith(prefix.toLowerCase())) host = host.slice(prefix.length);
  if (user.length > MAX_PART || host.length > MAX_PART) return 'aor_too_long';
  const domain = opts.useDomain ? host : null;
  return { key: domain === null ? user : `${user}@${domain}`, user, domain, host, scheme: u.scheme };
}

/** location.username / location.domain of a key (the domain is after the last '@'; a user may hold an unescaped '@'). */
export function splitAorKey(key: string, useDomain: boolean): { username: string; domain: string | null } {
  if (!useDomain) return { username: key, domain: null };
  const at = key.lastIndexOf('@');
  return at < 0 ? { username: key, domain: null } : { username: key.slice(0, at), domain: key.slice(at + 1) };
}

/** The key of a location row. */
export function aorKeyOf(username: string, domain: string | null): string {
  return domain === null || domain === '' ? username : `${username}@${domain}`;
}
