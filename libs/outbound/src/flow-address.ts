import type { TransportName } from '@pbx/sip';

/**
 * A flow (RFC 5626 §3.1): the transport, the edge's local socket, the UA's
 * address as the edge sees it, and for stream transports the connection.
 * A received `Peer` of the SIP core has exactly these fields.
 */
export interface FlowAddress {
  readonly transport: TransportName;
  readonly localAddress: string;
  readonly localPort: number;
  readonly address: string;
  readonly port: number;
  /** The stream connection's id; 0 for UDP (the 5-tuple alone names a UDP flow). */
  readonly connectionId: number;
}

/**
 * The key a flow is filed under, also its id in the admin API: the
 * connection for stream transports (a reconnect from the same port is a new
 * flow, §5.2), the 5-tuple for UDP.
 */
export function flowKey(f: FlowAddress): string {
  if (f.transport !== 'udp') return `${f.transport}-${f.connectionId}`;
  return `udp-${f.localAddress}-${f.localPort}-${f.address}-${f.port}`;
}
