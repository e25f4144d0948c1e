import type { Peer } from '@pbx/sip';
import type { RequestContext } from '../routing/route-context.js';

/** What the SIP service needs from the edge role (`role: edge`): its route and its keep-alive handlers. */
export interface EdgeHooks {
  /** Replaces the registrar's request route. */
  route(c: RequestContext): void;
  /** A non-SIP datagram on a SIP UDP port: STUN (RFC 5626 §4.4.2). */
  onDatagramOther(data: Buffer, source: Peer): void;
  /** A double-CRLF ping was answered on a stream connection (RFC 5626 §4.4.1). */
  onKeepAlive(source: Peer): void;
  /** Idle lifetime of stream connections, seconds (outbound.tcp_connection_lifetime). */
  readonly connectionLifetimeSec: number;
}
