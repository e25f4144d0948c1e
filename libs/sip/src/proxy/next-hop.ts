import { isIP } from 'node:net';
import type { NameAddr, SipRequest, Uri } from '../message/index.js';
import type { SendTarget, TransportName } from '../transport/index.js';
import { defaultPort } from '../transaction/index.js';

/** Maps a URI to where to send (RFC 3263 would go here; the caller supplies it). */
export type Resolver = (uri: Uri) => SendTarget | undefined;

const URI_TRANSPORTS: Readonly<Record<string, TransportName>> = { udp: 'udp', tcp: 'tcp', tls: 'tls', ws: 'ws', wss: 'wss' };

/**
 * The default resolver: SIP/SIPS URIs whose host (or `maddr`) is an IP
 * literal or `localhost`, no DNS (RFC 3263 §4.1-4.2 without the lookups):
 * transport from the `transport` parameter, else TLS for sips:, else UDP;
 * port from the URI, else the transport's default. Anything else: undefined.
 */
export function resolveLiteral(uri: Uri): SendTarget | undefined {
  if (uri.kind !== 'sip') return undefined;
  const tp = uri.transport;
  let transport: TransportName | undefined = tp === undefined ? (uri.secure ? 'tls' : 'udp') : URI_TRANSPORTS[tp];
  if (transport === undefined) return undefined;
  if (uri.secure && transport === 'tcp') transport = 'tls';
  let host = uri.maddr ?? uri.hostname;
  if (host.charCodeAt(0) === 0x5b) host = host.slice(1, -1);
  if (host.toLowerCase() === 'localhost') host = '127.0.0.1';
  else if (isIP(host) === 0) return undefined;
  return { transport, address: host, port: uri.port ?? defaultPort(transport) };
}

/** The text of a Route value for a route-set entry. */
export function routeValue(entry: NameAddr | Uri | string): string {
  if (typeof entry === 'string') return entry.charCodeAt(0) === 0x3c || entry.includes('<') ? entry : `<${entry}>`;
  if ('uri' in entry) return entry.toString();
  return `<${entry.toString()}>`;
}

/**
 * RFC 3261 §16.6 steps 6-7 on a copy about to be forwarded: if the first
 * Route value is a strict router (no `lr`), rewrite for it — "the proxy MUST
 * place the Request-URI into the Route header field as the last value ...
 * then place the first Route header field value into the Request-URI and
 * remove that value from the Route header field" — and return the URI whose
 * address the request goes to: the first Route value (loose), the new
 * Request-URI (strict), or the Request-URI when there is no Route.
 */
export function routeForNextHop(req: SipRequest): Uri {
  const routes = req.route();
  if (routes.length === 0) return req.uri;
  const first = routes[0]!.uri;
  if (first.kind === 'sip' && !first.lr) {
    const ruri = req.uri.toString();
    req.removeFirstRoute();
    req.addHeader('Route', `<${ruri}>`);
    req.setRequestUri(first.clone());
    return req.uri;
  }
  return first;
}
