// The MSRP relay (RFC 4975, RFC 4976, RFC 7977), as Kamailio's msrp module with its
// connection-map example as the policy: framing, relay core, connection map, transports.
export * from './config.js';
export { FrameHead } from './frame/frame-head.js';
export { MsrpFramer, DEFAULT_MAX_HEAD_SIZE, type FrameSink, type ContinuationFlag, type FramerLimits } from './frame/msrp-framer.js';
export { parseMsrpUri, hostPort, sessionOf, MSRP_DEFAULT_PORT, type MsrpUri } from './frame/msrp-uri.js';
export { MsrpRelay, TRANSACTION_TIMEOUT_MS, type MsrpRelayOptions, type MsrpEventMap } from './relay/msrp-relay.js';
export { ConnectionMap } from './relay/connection-map.js';
export type { MsrpSession, MsrpSessionView } from './relay/msrp-session.js';
export { RELAY_ERRORS, type RelayErrorCode } from './relay/relay-error.js';
export type { RelayLink, LinkHandler, MsrpTransport } from './relay/relay-link.js';
export { RelayPeer } from './relay/relay-peer.js';
export { registerMsrpStats, type MsrpStats } from './relay/msrp-stats.js';
export { newSessionId } from './relay/session-id.js';
export { MsrpTransportLayer, MSRP_SUBPROTOCOL, type MsrpListenerInfo, type MsrpTransportOptions } from './transport/msrp-transport.js';
