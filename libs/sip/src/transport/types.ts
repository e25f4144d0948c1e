import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Clock } from '@pbx/core';
import type { TransportError } from './transport-error.js';

/** The SIP transports (RFC 3261 §18, RFC 7118 for ws/wss), as they appear in a Via. */
export type TransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** One socket to open. `port: 0` lets the OS pick; IPv6 hosts are written bare (`::1`). */
export interface ListenSpec {
  transport: TransportName;
  host: string;
  port: number;
}

/** A listen spec after `start()`: `boundPort` is the port the OS gave (0 before start). */
export type BoundListener = ListenSpec & { boundPort: number };

/**
 * Where a message came from, or which path a send took.
 *
 * For stream transports one object is made per connection and handed to
 * every `onMessage` of that connection: treat it as read-only. For UDP a
 * fresh one is made per datagram. `localAddress` of a UDP peer is the
 * listening socket's address (a wildcard such as `0.0.0.0` stays a wildcard:
 * Node does not expose the datagram's destination address).
 */
export interface Peer {
  readonly transport: TransportName;
  /** Remote IP; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is given as plain IPv4. */
  readonly address: string;
  readonly port: number;
  /** The connection id for tcp/tls/ws/wss, 0 for UDP. */
  readonly connectionId: number;
  readonly localAddress: string;
  readonly localPort: number;
}

/**
 * Where to send. A received `Peer` is a valid target and means "answer the
 * way it came": same connection for streams, same socket for UDP.
 */
export interface SendTarget {
  transport: TransportName;
  /** IP literal (brackets around IPv6 are tolerated). Name resolution (RFC 3263) is the caller's. */
  address: string;
  port: number;
  /** Use exactly this connection; 0 or absent = any. Fails with `connection_gone` if it is not open. */
  connectionId?: number;
  /** UDP only: send from the listening socket bound to this port (and address, unless it is a wildcard). */
  localPort?: number;
  localAddress?: string;
  /** TLS client connections: SNI and certificate name to verify (RFC 5922); default the address when it is a name. */
  tlsServerName?: string;
}

/**
 * Called once per send that was given a callback, never before `send` returns.
 * `via` is the path taken (for a new client connection: its id and local
 * address), or null when nothing was sent.
 */
export type SendCallback = (error: TransportError | null, via: Peer | null) => void;

export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

export interface HostPort {
  address: string;
  port: number;
}

/** A snapshot of one stream connection (tcp, tls, ws, wss). */
export interface ConnectionInfo {
  id: number;
  transport: TransportName;
  /** inbound: accepted by a listener; outbound: opened by `send`. */
  direction: 'inbound' | 'outbound';
  state: ConnectionState;
  remote: HostPort;
  local: HostPort;
  /** Epoch ms when the connection was accepted or the client connection was started. */
  openedAt: number;
  /** Epoch ms of the last read or write. */
  lastActivityAt: number;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** RFC 5626 §4.4.1 double-CRLF pings received (each answered with one CRLF). */
  keepAlivesIn: number;
  /** The idle timeout in force for this connection (0 = none). */
  idleTimeoutMs: number;
}

/** What the transport layer reports to the layer above (the parser / transaction layer). */
export interface TransportHandler {
  /**
   * One complete SIP message: a datagram, a Content-Length-framed stream
   * message, or one WebSocket message. The buffer may be a view into a larger
   * read buffer: copy it if it is kept long after the call.
   */
  onMessage(data: Buffer, source: Peer): void;
  onConnectionOpened?(connection: ConnectionInfo): void;
  /** Called once for every connection that was reported opened. */
  onConnectionClosed?(connection: ConnectionInfo, reason: string): void;
  /** Stream framing is lost (the connection is then closed) or a datagram/frame was refused. */
  onFramingError?(source: Peer, reason: string): void;
  /** A UDP datagram that is not SIP text, e.g. a STUN keep-alive (RFC 5626 §4.4.2): first byte 0x00/0x01. */
  onDatagramOther?(data: Buffer, source: Peer): void;
  /** A double-CRLF keep-alive was answered on a stream connection (RFC 5626 §4.4.1): the outbound edge's flow bookkeeping. */
  onKeepAlive?(source: Peer): void;
}

/** pino-compatible (object first, message second); every method but `warn` is optional. */
export interface TransportLogger {
  warn(obj: object, msg: string): void;
  error?(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface TransportLimits {
  /** Largest message accepted on any transport, headers and body (bytes). */
  maxMessageSize: number;
  /** Largest header section on stream transports (bytes, up to and including CRLFCRLF); default maxMessageSize. */
  maxHeaderSize?: number;
  /** Bytes queued for writing on one connection before it is closed as stalled; default 4 MiB. */
  maxWriteBuffer?: number;
  /** Open stream connections allowed at once (inbound beyond it are refused); default unlimited. */
  maxConnections?: number;
}

export interface SipTransportOptions {
  listen: ListenSpec[];
  /** Certificate and key for tls and wss listeners (required when there is one) and offered on client TLS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Extra options for outgoing TLS connections (e.g. `ca`, `rejectUnauthorized`). Peers are verified by default. */
  tlsClient?: TlsConnectionOptions;
  limits: TransportLimits;
  /** Close a stream connection with no traffic for this long (ms); 0 disables. */
  idleTimeoutMs: number;
  /** Give up on an outgoing TCP/TLS connect after this long (ms); default 10 000. */
  connectTimeoutMs?: number;
  handler: TransportHandler;
  logger?: TransportLogger;
  /** Timestamps for ConnectionInfo; default the system clock. */
  clock?: Clock;
}

/** Counters since construction (plain numbers: the per-packet path only adds). */
export interface TransportStats {
  udpMessagesIn: number;
  udpMessagesOut: number;
  udpKeepAlives: number;
  udpOther: number;
  udpDropped: number;
  streamMessagesIn: number;
  streamMessagesOut: number;
  keepAlivePings: number;
  keepAlivePongs: number;
  framingErrors: number;
  connectionsOpened: number;
  connectionsClosed: number;
  connectionsRefused: number;
  connectFailures: number;
  sendFailures: number;
}
