/**
 * Whether the digest `uri` and the Request-URI name the same resource
 * (RFC 7616 §3.4.6: the server "MUST assure that the resource designated by
 * the "uri" parameter is the same as the resource specified in the
 * Request-Line"). A UA normally copies the Request-URI byte for byte; this
 * tolerates the spellings RFC 3261 §19.1.4 calls equal: case in scheme, host
 * and parameters, %-escapes of unreserved characters, parameter and header
 * order, parameters present on one side only (except user, ttl, method,
 * maddr and transport). Self-contained on purpose: the auth code takes
 * header values as strings and does not lean on the message parser.
 */
export function requestUrisEquivalent(a: string, b: string): boolean {
  if (a === b) return true;
  const ua = splitUri(a);
  const ub = splitUri(b);
  if (!ua || !ub || ua.scheme !== ub.scheme) return false;
  if (ua.sip === undefined || ub.sip === undefined) {
    // Not a SIP/SIPS URI (tel:, urn:…): scheme case-insensitive, rest by escapes only.
    return normaliseEscapes(ua.rest) === normaliseEscapes(ub.rest);
  }
  return sipUrisEqual(ua.sip, ub.sip);
}

interface SipParts {
  /** userinfo (user[:password]), escapes normalised; undefined if absent. */
  userinfo: string | undefined;
  host: string;
  port: string | undefined;
  params: Map<string, string>;
  headers: Map<string, string>;
}

// RFC 3261 §19.1.4: a user, ttl, method or maddr parameter present in only
// one URI never matches; the transport examples in the same section (the
// "can resolve to different transports" pair) treat transport likewise.
const PARAMS_THAT_MUST_BOTH_APPEAR = ['user', 'ttl', 'method', 'maddr', 'transport'];

function sipUrisEqual(a: SipParts, b: SipParts): boolean {
  // "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive."
  if (a.userinfo !== b.userinfo) return false;
  // "A URI omitting any component with a default value will not match a URI
  // explicitly containing that component with its default value."
  if (a.host !== b.host || a.port !== b.port) return false;
  for (const [name, v] of a.params) {
    const w = b.params.get(name);
    if (w !== undefined ? w !== v : PARAMS_THAT_MUST_BOTH_APPEAR.includes(name)) return false;
  }
  for (const name of PARAMS_THAT_MUST_BOTH_APPEAR) {
    if (b.params.has(name) && !a.params.has(name)) return false;
  }
  // "URI header components are never ignored."
  if (a.headers.size !== b.headers.size) return false;
  for (const [name, v] of a.headers) if (b.headers.get(name) !== v) return false;
  return true;
}

function splitUri(uri: string): { scheme: string; rest: string; sip?: SipParts } | undefined {
  const colon = uri.indexOf(':');
  if (colon <= 0) return undefined;
  const scheme = uri.slice(0, colon).toLowerCase();
  const rest = uri.slice(colon + 1);
  if (scheme !== 'sip' && scheme !== 'sips') return { scheme, rest };
  const q = rest.indexOf('?');
  const beforeHeaders = q < 0 ? rest : rest.slice(0, q);
  const at = beforeHeaders.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : normaliseEscapes(beforeHeaders.slice(0, at));
  const hostAndParams = beforeHeaders.slice(at + 1).split(';');
  const hostport = hostAndParams[0]!;
  let host = hostport;
  let port: string | undefined;
  const portColon = hostport.lastIndexOf(':');
  if (portColon >= 0 && portColon > hostport.lastIndexOf(']')) {
    host = hostport.slice(0, portColon);
    port = hostport.slice(portColon + 1);
    if (!/^[0-9]{1,5}$/.test(port)) return undefined;
  }
  if (host.length === 0) return undefined;
  const params = new Map<string, string>();
  for (const p of hostAndParams.slice(1)) {
    const eq = p.indexOf('=');
    const name = normaliseEscapes(eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    if (name.length === 0 || params.has(name)) return undefined;
    // "Comparison of all other components of the URI is case-insensitive."
    params.set(name, eq < 0 ? '' : normaliseEscapes(p.slice(eq + 1)).toLowerCase());
  }
  const headers = new Map<string, string>();
  if (q >= 0) {
    for (const h of rest.slice(q + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) return undefined;
      const name = normaliseEscapes(h.slice(0, eq)).toLowerCase();
      if (headers.has(name)) return undefined;
      headers.set(name, normaliseEscapes(h.slice(eq + 1)));
    }
  }
  return { scheme, rest, sip: { userinfo, host: host.toLowerCase(), port, params, headers } };
}

// RFC 3261 §19.1.4: "Characters other than those in the reserved set are
// equivalent to their "%" HEX HEX encoding." We decode the unreserved
// ones (alphanum / mark, §25.1): anything else cannot appear unescaped in a
// valid URI, so it stays escaped, hex upper-cased so %2f and %2F are equal.
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]$/;
function normaliseEscapes(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}
