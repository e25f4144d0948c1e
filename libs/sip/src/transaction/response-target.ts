import type { Via } from '../message/index.js';
import type { Peer, SendTarget, TransportName } from '../transport/index.js';

const TRANSPORT_OF: Readonly<Record<string, TransportName>> = { UDP: 'udp', TCP: 'tcp', TLS: 'tls', WS: 'ws', WSS: 'wss' };

/** Our transport name for a Via transport token (`UDP` → `udp`), or undefined (SCTP, unknown). */
export function viaTransport(via: Via): TransportName | undefined {
  return TRANSPORT_OF[via.transportUpper];
}

/** The default port of a transport when a sent-by or URI names none (§18.2.2, §19.1.2; RFC 7118 §5). */
export function defaultPort(transport: TransportName): number {
  switch (transport) {
    case 'tls':
      return 5061;
    case 'ws':
      return 80;
    case 'wss':
      return 443;
    default:
      return 5060;
  }
}

function unbracket(h: string): string {
  return h.charCodeAt(0) === 0x5b ? h.slice(1, -1) : h;
}

/**
 * Where a server sends a response to a request that arrived from `source`
 * with top Via `via` (RFC 3261 §18.2.2, RFC 3581 §4):
 * - reliable transports: back over the connection the request came on;
 * - UDP with `rport`: to the packet's source address and port;
 * - UDP otherwise: to the source address (the `received` value) at the
 *   sent-by port (default 5060), from the socket the request arrived on.
 */
export function responseTarget(via: Via, source: Peer): SendTarget {
  if (source.transport !== 'udp') return source;
  if (via.params.has('rport')) return source;
  const port = via.port ?? 5060;
  if (port === source.port) return source;
  return { transport: 'udp', address: source.address, port, localPort: source.localPort, localAddress: source.localAddress };
}

/**
 * Where to send a response when only its Via is known (a stateless proxy
 * forwarding a response, §16.11 / §18.2.2): `received` (else sent-by host)
 * and `rport` (else sent-by port, else the transport default). The host must
 * be an IP literal; a name needs RFC 3263 resolution, which is the caller's.
 */
export function viaTarget(via: Via): SendTarget | undefined {
  const transport = viaTransport(via);
  if (transport === undefined) return undefined;
  const received = via.received;
  const address = received !== undefined ? unbracket(received) : via.hostType === 'domain' ? undefined : unbracket(via.host);
  if (address === undefined) return undefined;
  const rport = via.rport;
  const port = typeof rport === 'number' && rport > 0 ? rport : (via.port ?? defaultPort(transport));
  return { transport, address, port };
}
