/**
 * Every way a send can fail, closed, with the SIP answer each one implies.
 *
 * RFC 3261 §16.9: "If the transport layer notifies a proxy of an error when
 * it tries to forward a request ... the proxy MUST behave as if the
 * forwarded request received a 503 (Service Unavailable) response"; §8.1.3.1
 * says the same for a UAC. The exception is a request that had to go down
 * one specific flow: RFC 5626 §5.3 answers 430 (Flow Failed) when that flow
 * is gone.
 */
export type TransportErrorCode =
  | 'connection_gone'
  | 'no_connection'
  | 'no_listener'
  | 'connect_failed'
  | 'connect_timeout'
  | 'write_failed'
  | 'backpressure'
  | 'message_too_large'
  | 'stopped';

export interface TransportErrorEntry {
  /** SIP status a proxy answers when a forward fails this way. */
  sipStatus: number;
  sipReason: string;
  description: string;
}

export const TRANSPORT_ERRORS: Readonly<Record<TransportErrorCode, TransportErrorEntry>> = {
  connection_gone: {
    sipStatus: 430,
    sipReason: 'Flow Failed',
    description: 'the connection named by connectionId is not open (RFC 5626 §5.3)',
  },
  no_connection: {
    sipStatus: 503,
    sipReason: 'Service Unavailable',
    description: 'no open WebSocket connection to that address: a server cannot dial a browser (RFC 7118: only the client opens the connection)',
  },
  no_listener: {
    sipStatus: 503,
    sipReason: 'Service Unavailable',
    description: 'no UDP listening socket of the target address family',
  },
  connect_failed: {
    sipStatus: 503,
    sipReason: 'Service Unavailable',
    description: 'the TCP/TLS connection could not be opened',
  },
  connect_timeout: {
    sipStatus: 503,
    sipReason: 'Service Unavailable',
    description: 'the TCP/TLS connection did not open within connectTimeoutMs',
  },
  write_failed: {
    sipStatus: 503,
    sipReason: 'Service Unavailable',
    description: 'the socket refused or lost the data',
  },
  backpressure: {
    sipStatus: 503,
    sipReason: 'Service Unavailable',
    description: 'the connection had more than maxWriteBuffer bytes queued and was closed',
  },
  message_too_large: {
    sipStatus: 513,
    sipReason: 'Message Too Large',
    description: 'larger than a UDP datagram can carry (RFC 3261 §18.1.1: use a congestion-controlled transport)',
  },
  stopped: {
    sipStatus: 503,
    sipReason: 'Service Unavailable',
    description: 'the transport layer is not running',
  },
};

export class TransportError extends Error {
  readonly sipStatus: number;
  readonly sipReason: string;
  constructor(
    readonly code: TransportErrorCode,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    const entry = TRANSPORT_ERRORS[code];
    super(detail ? `${code}: ${detail}` : `${code}: ${entry.description}`, options);
    this.name = 'TransportError';
    this.sipStatus = entry.sipStatus;
    this.sipReason = entry.sipReason;
  }
}
