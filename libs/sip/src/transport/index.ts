/**
 * SIP transport layer (RFC 3261 §18, RFC 5626 keep-alives, RFC 7118
 * WebSocket): the public surface of libs/sip/src/transport. Moves whole
 * messages as bytes; parsing is libs/sip/src/message's.
 */
export type {
  TransportName,
  ListenSpec,
  BoundListener,
  Peer,
  SendTarget,
  SendCallback,
  ConnectionState,
  HostPort,
  ConnectionInfo,
  TransportHandler,
  TransportLogger,
  TransportLimits,
  SipTransportOptions,
  TransportStats,
} from './types.js';
export { TransportError, TRANSPORT_ERRORS } from './transport-error.js';
export type { TransportErrorCode, TransportErrorEntry } from './transport-error.js';
export { SipTransportLayer, DEFAULT_MAX_WRITE_BUFFER, DEFAULT_CONNECT_TIMEOUT_MS } from './sip-transport-layer.js';
export { nextConnectionId } from './connection-id.js';
export { SIP_SUBPROTOCOL } from './ws-handshake.js';
export { ensureTlsCertificate } from './tls-certificate.js';
export type { TlsCertificate } from './tls-certificate.js';
