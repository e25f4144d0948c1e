import type { IncomingMessage } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { connectionKey, isIpv6, isWebSocketTransport, normalizeAddress } from './address.js';
import { nextConnectionId } from './connection-id.js';
import { DATAGRAM_KEEPALIVE, DATAGRAM_OTHER, MAX_UDP_PAYLOAD_V4, MAX_UDP_PAYLOAD_V6, sipTextStart } from './datagram.js';
import { SocketConnection } from './socket-connection.js';
import type { ConnectionOwner, StreamConnection } from './stream-connection.js';
import { StreamListener, type StreamListenerSink } from './stream-listener.js';
import { TransportError, type TransportErrorCode } from './transport-error.js';
import type {
  BoundListener,
  ConnectionInfo,
  Peer,
  SendCallback,
  SendTarget,
  SipTransportOptions,
  TransportHandler,
  TransportLogger,
  TransportName,
  TransportStats,
} from './types.js';
import { UdpListener, type DatagramSink } from './udp-listener.js';
import { WsConnection } from './ws-connection.js';
import { refuseUpgrade, selectSipSubprotocol } from './ws-handshake.js';

const TRANSPORTS: ReadonlySet<string> = new Set(['udp', 'tcp', 'tls', 'ws', 'wss']);
export const DEFAULT_MAX_WRITE_BUFFER = 4 * 1024 * 1024;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const silentLogger: TransportLogger = { warn: () => {} };

type LayerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The SIP transport layer (RFC 3261 §18): moves whole messages between
 * sockets and the layer above, and knows nothing of SIP beyond where a
 * message ends. UDP datagrams, Content-Length-framed TCP/TLS streams and
 * WebSocket messages (RFC 7118) all arrive at `handler.onMessage`.
 *
 * Sending never throws and never allocates a Promise: `send` returns false
 * when it failed on the spot, and an optional callback hears the outcome
 * (RFC 3261 §16.9 / §8.1.3.1: a transport error is a 503 to the layer above;
 * `TransportError.sipStatus` carries the status to use).
 */
export class SipTransportLayer {
  private readonly log: TransportLogger;
  private readonly maxMessageSize: number;
  private readonly maxConnections: number;
  private readonly idleTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly handler: TransportHandler;
  private readonly owner: ConnectionOwner;
  private state: LayerState = 'idle';
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  private readonly udp: UdpListener[] = [];
  private readonly streams: StreamListener[] = [];
  /** Listeners in the order of `options.listen`. */
  private readonly ordered: Array<UdpListener | StreamListener> = [];
  /** Default UDP sockets per target family (IPv4 falls back to a dual-stack `::` socket). */
  private udpFor4: UdpListener | null = null;
  private udpFor6: UdpListener | null = null;

  private readonly conns = new Map<number, StreamConnection>();
  private readonly byAddress = new Map<string, StreamConnection[]>();
  private wss: WebSocketServer | null = null;

  private readonly counters: TransportStats = {
    udpMessagesIn: 0,
    udpMessagesOut: 0,
    udpKeepAlives: 0,
    udpOther: 0,
    udpDropped: 0,
    streamMessagesIn: 0,
    streamMessagesOut: 0,
    keepAlivePings: 0,
    keepAlivePongs: 0,
    framingErrors: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
    connectionsRefused: 0,
    connectFailures: 0,
    sendFailures: 0,
  };

  /** Shared dgram completion for sends without a callback: one function, no per-packet closure. */
  private readonly udpSendDone = (err: Error | null): void => {
    if (err) {
      this.counters.sendFailures++;
      this.log.warn({ err }, 'SIP UDP send failed');
    }
  };

  constructor(private readonly options: SipTransportOptions) {
    const { limits } = options;
    if (!(limits.maxMessageSize > 0)) throw new Error('limits.maxMessageSize must be a positive number');
    this.maxMessageSize = limits.maxMessageSize;
    this.maxConnections = limits.maxConnections ?? Infinity;
    this.idleTimeoutMs = Math.max(0, options.idleTimeoutMs);
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.handler = options.handler;
    this.log = options.logger ?? silentLogger;
    const clock = options.clock;
    const now = clock ? () => clock.now() : Date.now;
    // The collaborators' view of this layer: kept off the public surface.
    this.owner = {
      log: this.log,
      maxMessageSize: limits.maxMessageSize,
      maxHeaderSize: Math.min(limits.maxHeaderSize ?? limits.maxMessageSize, limits.maxMessageSize),
      maxWriteBuffer: limits.maxWriteBuffer ?? DEFAULT_MAX_WRITE_BUFFER,
      now,
      connectionOpened: (c) => this.connectionOpened(c),
      connectionMessage: (c, data) => {
        this.counters.streamMessagesIn++;
        this.deliver(data, c.peer);
      },
      connectionPing: (c) => {
        this.counters.keepAlivePings++;
        this.counters.keepAlivePongs++;
        const h = this.handler.onKeepAlive;
        if (h) {
          try {
            h.call(this.handler, c.peer);
          } catch (err) {
            this.log.warn({ err }, 'SIP transport onKeepAlive threw');
          }
        }
      },
      connectionFramingError: (c, reason) => this.framingError(c.peer, reason),
      connectionClosing: (c) => this.unindex(c),
      connectionClosed: (c, reason) => this.connectionClosed(c, reason),
    };
    const udpSink: DatagramSink = {
      datagram: (data, source) => this.datagram(data, source),
      udpError: (l, err) => this.log.warn({ err, listen: l.spec }, 'SIP UDP socket error'),
    };
    const streamSink: StreamListenerSink = {
      accepted: (socket, l) => this.accepted(socket, l),
      upgrade: (req, socket, head, l) =>
        this.handleWebSocketUpgrade(req, socket, head, l.spec.transport === 'wss' ? 'wss' : 'ws'),
      listenerError: (l, err, what) => {
        if (what === 'server error') this.log.warn({ err, listen: l.spec }, `SIP ${what}`);
        else this.log.debug?.({ err, listen: l.spec }, `SIP ${what}`);
      },
    };

    for (const spec of options.listen) {
      if (!TRANSPORTS.has(spec.transport)) throw new Error(`listen: unknown transport "${String(spec.transport)}"`);
      if (!Number.isInteger(spec.port) || spec.port < 0 || spec.port > 65535) {
        throw new Error(`listen ${spec.transport}:${spec.host}:${spec.port}: port must be 0..65535`);
      }
      if ((spec.transport === 'tls' || spec.transport === 'wss') && !options.tls) {
        throw new Error(`listen ${spec.transport}:${spec.host}:${spec.port}: needs the tls option (cert and key)`);
      }
      if (spec.transport === 'udp') {
        const l = new UdpListener(spec, udpSink);
        this.udp.push(l);
        this.ordered.push(l);
      } else {
        const l = new StreamListener(spec, options.tls, streamSink);
        this.streams.push(l);
        this.ordered.push(l);
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Bind every listener. Rejects (after closing what did open) naming the spec that failed. */
  start(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new Error(`SipTransportLayer.start: already ${this.state}`));
    this.state = 'starting';
    this.starting = this.bind();
    return this.starting;
  }

  private async bind(): Promise<void> {
    if (this.streams.some((l) => isWebSocketTransport(l.spec.transport))) this.wss = this.createWss();
    const results = await Promise.allSettled(
      this.ordered.map((l) =>
        l.start().catch((err: Error) => {
          throw new Error(`cannot listen on ${l.spec.transport}:${l.spec.host}:${l.spec.port}: ${err.message}`, {
            cause: err,
          });
        }),
      ),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await Promise.all(this.ordered.map((l) => l.close()));
      this.state = 'stopped';
      throw failure.reason;
    }
    this.udpFor4 = this.udp.find((l) => l.family === 4) ?? this.udp.find((l) => l.family === 6 && l.wildcard) ?? null;
    this.udpFor6 = this.udp.find((l) => l.family === 6) ?? null;
    if (this.state === 'starting') this.state = 'running';
  }

  /** Close every listener and connection; resolves when all sockets are closed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.close();
    return this.stopping;
  }

  private async close(): Promise<void> {
    if (this.state === 'starting') await this.starting?.catch(() => {});
    if (this.state === 'idle' || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    // Connections first, so that each records "transport stopped" before its listener drops the socket.
    const closing: Promise<void>[] = [];
    for (const c of [...this.conns.values()]) {
      closing.push(c.whenClosed());
      c.close('transport stopped', false);
    }
    for (const l of this.ordered) closing.push(l.close());
    await Promise.all(closing);
    this.wss?.close();
    this.wss = null;
    this.state = 'stopped';
  }

  get running(): boolean {
    return this.state === 'running';
  }

  listeners(): BoundListener[] {
    return this.ordered.map((l) => ({ ...l.spec, boundPort: l.boundPort }));
  }

  /**
   * The first listener of a transport (and address family, when given): what
   * goes in a Via sent-by or a Record-Route for that transport.
   */
  listenerFor(transport: TransportName, family?: 4 | 6): BoundListener | undefined {
    const l = this.ordered.find(
      (x) => x.spec.transport === transport && (family === undefined || (isIpv6(x.spec.host) ? 6 : 4) === family),
    );
    return l ? { ...l.spec, boundPort: l.boundPort } : undefined;
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  // -------------------------------------------------------------------- send

  /**
   * Send one message. Returns true when it was handed to a socket (or queued
   * behind a connect), false when it failed at once. `callback`, if given, is
   * called exactly once and never before `send` returns.
   *
   * Target choice: `connectionId` → exactly that connection; otherwise for
   * udp the listening socket (the one at `localPort` if named, else the
   * first of the address family); for tcp/tls an open connection to
   * address:port, else a new client connection; for ws/wss only an open
   * connection (a server cannot dial a browser).
   */
  send(data: Buffer, target: SendTarget, callback?: SendCallback): boolean {
    if (this.state !== 'running') return this.failed(callback, 'stopped');
    if (target.transport === 'udp') return this.sendUdp(data, target, callback);
    return this.sendStream(data, target, callback);
  }

  /** `send` as a Promise resolving to the path taken; rejects with a TransportError. For non-hot paths. */
  sendAsync(data: Buffer, target: SendTarget): Promise<Peer> {
    return new Promise((resolve, reject) => {
      this.send(data, target, (err, via) => (err ? reject(err) : resolve(via!)));
    });
  }

  private sendUdp(data: Buffer, target: SendTarget, callback: SendCallback | undefined): boolean {
    let address = target.address;
    if (address.charCodeAt(0) === 0x5b /* [ */) address = normalizeAddress(address);
    const v6 = address.indexOf(':') >= 0;
    let l: UdpListener | null = null;
    const localPort = target.localPort;
    if (localPort) {
      for (const u of this.udp) {
        if (
          u.boundPort === localPort &&
          (u.family === 6 ? u.wildcard || v6 : !v6) &&
          (u.wildcard || !target.localAddress || u.localAddress === target.localAddress)
        ) {
          l = u;
          break;
        }
      }
    }
    if (l === null) l = v6 ? this.udpFor6 : this.udpFor4;
    const socket = l?.socket;
    if (!l || !socket) return this.failed(callback, 'no_listener', `no UDP listener for IPv${v6 ? 6 : 4}`);
    if (data.length > (v6 ? MAX_UDP_PAYLOAD_V6 : MAX_UDP_PAYLOAD_V4)) {
      return this.failed(callback, 'message_too_large', `${data.length} bytes over UDP`);
    }
    // A dual-stack IPv6 socket reaches IPv4 peers through their mapped address.
    const to = l.family === 6 && !v6 ? `::ffff:${address}` : address;
    this.counters.udpMessagesOut++;
    if (callback) {
      const via: Peer = {
        transport: 'udp',
        address,
        port: target.port,
        connectionId: 0,
        localAddress: l.localAddress,
        localPort: l.boundPort,
      };
      try {
        socket.send(data, target.port, to, (err) => {
          if (err) {
            this.counters.sendFailures++;
            callback(new TransportError('write_failed', err.message, { cause: err }), null);
          } else callback(null, via);
        });
      } catch (err) {
        return this.failed(callback, 'write_failed', (err as Error).message);
      }
    } else {
      try {
        socket.send(data, target.port, to, this.udpSendDone);
      } catch (err) {
        this.log.warn({ err, target }, 'SIP UDP send refused');
        return this.failed(undefined, 'write_failed');
      }
    }
    return true;
  }

  private sendStream(data: Buffer, target: SendTarget, callback: SendCallback | undefined): boolean {
    let c: StreamConnection | undefined;
    const id = target.connectionId;
    if (id) {
      c = this.conns.get(id);
      if (!c) return this.failed(callback, 'connection_gone', `connection ${id} is closed`);
    } else {
      c = this.findConnection(target.transport, normalizeAddress(target.address), target.port);
      if (!c) {
        if (isWebSocketTransport(target.transport)) {
          return this.failed(callback, 'no_connection', `no ${target.transport} connection to ${target.address}:${target.port}`);
        }
        const dialed = this.dial(target);
        if (dialed instanceof Error) return this.failed(callback, 'connect_failed', dialed.message);
        c = dialed;
      }
    }
    const err = c.send(data, callback);
    if (err) return this.failed(callback, err, `connection ${c.id}`);
    this.counters.streamMessagesOut++;
    return true;
  }

  private failed(callback: SendCallback | undefined, code: TransportErrorCode, detail?: string): false {
    this.counters.sendFailures++;
    if (callback) process.nextTick(callback, new TransportError(code, detail), null);
    return false;
  }

  // ------------------------------------------------------------- connections

  connection(id: number): ConnectionInfo | undefined {
    return this.conns.get(id)?.info();
  }

  connections(): ConnectionInfo[] {
    return [...this.conns.values()].map((c) => c.info());
  }

  /** Close one connection gracefully (pending writes flushed). False if there is no such connection. */
  closeConnection(id: number, reason = 'closed locally'): boolean {
    const c = this.conns.get(id);
    if (!c || c.state === 'closing' || c.state === 'closed') return false;
    c.close(reason, true);
    return true;
  }

  /**
   * Per-connection idle timeout in ms (0 = never), replacing `idleTimeoutMs`
   * for that connection: the outbound edge sets a flow's lifetime from its
   * keep-alive interval (RFC 5626 §4.4.1, Flow-Timer). Traffic re-arms it.
   */
  setConnectionLifetime(id: number, ms: number): boolean {
    const c = this.conns.get(id);
    if (!c || c.state === 'closing' || c.state === 'closed') return false;
    c.setIdleTimeout(Math.max(0, ms));
    return true;
  }

  private findConnection(transport: TransportName, address: string, port: number): StreamConnection | undefined {
    const list = this.byAddress.get(connectionKey(transport, address, port));
    return list && list.length > 0 ? list[list.length - 1] : undefined;
  }

  private index(c: StreamConnection, address: string, port: number): void {
    const key = connectionKey(c.transport, address, port);
    if (c.keys.includes(key)) return;
    c.keys.push(key);
    const list = this.byAddress.get(key);
    if (list) list.push(c);
    else this.byAddress.set(key, [c]);
  }

  private unindex(c: StreamConnection): void {
    for (const key of c.keys) {
      const list = this.byAddress.get(key);
      if (!list) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byAddress.delete(key);
    }
    c.keys.length = 0;
  }

  /** Open a client TCP/TLS connection; it is indexed at once so that sends racing the connect share it. */
  private dial(target: SendTarget): StreamConnection | Error {
    const address = normalizeAddress(target.address);
    let socket: Socket;
    try {
      socket = this.openClientSocket(target, address);
    } catch (err) {
      // Bad port or options: thrown synchronously by net/tls.
      this.counters.connectFailures++;
      return err as Error;
    }
    const c = new SocketConnection(
      this.owner,
      nextConnectionId(),
      target.transport,
      'outbound',
      socket,
      address,
      target.port,
      this.idleTimeoutMs,
      this.connectTimeoutMs,
    );
    this.conns.set(c.id, c);
    this.index(c, address, target.port);
    return c;
  }

  private openClientSocket(target: SendTarget, address: string): Socket {
    if (target.transport === 'tls') {
      const servername = target.tlsServerName ?? (isIP(address) ? undefined : address);
      return tlsConnect({
        host: address,
        port: target.port,
        ...(servername ? { servername } : {}),
        ...(this.options.tls ? { cert: this.options.tls.cert, key: this.options.tls.key } : {}),
        ...this.options.tlsClient,
      });
    }
    return netConnect({ host: address, port: target.port });
  }

  // ------------------------------------------------ listener / socket events

  /** UdpListener sink: the per-datagram path. */
  private datagram(data: Buffer, source: Peer): void {
    const start = sipTextStart(data);
    if (start === 0 || start > 0) {
      if (data.length > this.maxMessageSize) {
        this.counters.udpDropped++;
        this.framingError(source, `datagram of ${data.length} bytes exceeds ${this.maxMessageSize}`);
        return;
      }
      this.counters.udpMessagesIn++;
      this.deliver(start === 0 ? data : data.subarray(start), source);
    } else if (start === DATAGRAM_KEEPALIVE) {
      this.counters.udpKeepAlives++;
    } else if (start === DATAGRAM_OTHER) {
      this.counters.udpOther++;
      const h = this.handler.onDatagramOther;
      if (h) {
        try {
          h.call(this.handler, data, source);
        } catch (err) {
          this.log.warn({ err }, 'SIP transport onDatagramOther threw');
        }
      }
    }
  }

  /** StreamListener sink: a TCP connection, or a TLS one after its handshake. */
  private accepted(socket: Socket, listener: StreamListener): void {
    if (this.state !== 'running' || this.conns.size >= this.maxConnections || socket.destroyed) {
      this.counters.connectionsRefused++;
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    const c = new SocketConnection(
      this.owner,
      nextConnectionId(),
      listener.spec.transport,
      'inbound',
      socket,
      socket.remoteAddress ?? '',
      socket.remotePort ?? 0,
      this.idleTimeoutMs,
    );
    this.conns.set(c.id, c);
    c.accepted();
  }

  /**
   * Take over an HTTP upgrade to SIP over WebSocket. Our ws/wss listeners
   * call it; another HTTP server (the admin API's, say) may pass its
   * `upgrade` events for a SIP path here too. `transport` defaults to wss
   * when the socket is TLS.
   */
  handleWebSocketUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport?: 'ws' | 'wss'): void {
    const t = transport ?? (socket instanceof TLSSocket ? 'wss' : 'ws');
    if (this.state !== 'running') {
      refuseUpgrade(socket, 503, 'Service Unavailable', 'SIP transport is not running');
      return;
    }
    this.wss ??= this.createWss();
    if (this.conns.size >= this.maxConnections) {
      this.counters.connectionsRefused++;
      refuseUpgrade(socket, 503, 'Service Unavailable', 'too many connections');
      return;
    }
    if (selectSipSubprotocol(req.headers['sec-websocket-protocol']) === null) {
      // RFC 7118 §4.1 / RFC 6455 §4.2.1: refuse before the 101, see refuseUpgrade.
      this.counters.connectionsRefused++;
      refuseUpgrade(socket, 400, 'Bad Request', 'WebSocket subprotocol "sip" required (RFC 7118 §4.1)');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (this.state !== 'running') {
        ws.terminate();
        return;
      }
      const c = new WsConnection(this.owner, nextConnectionId(), t, ws, socket as Socket, this.idleTimeoutMs);
      this.conns.set(c.id, c);
      c.accepted();
    });
  }

  private createWss(): WebSocketServer {
    // Malformed handshakes (bad key, version, method) are answered by ws itself (400/405/426 with the right headers).
    return new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.maxMessageSize,
      handleProtocols: (protocols) => selectSipSubprotocol([...protocols].join(',')) ?? false,
    });
  }

  // ------------------------------------------------ ConnectionOwner callbacks

  private connectionOpened(c: StreamConnection): void {
    this.index(c, c.peer.address, c.peer.port);
    this.counters.connectionsOpened++;
    const h = this.handler.onConnectionOpened;
    if (h) {
      try {
        h.call(this.handler, c.info());
      } catch (err) {
        this.log.warn({ err }, 'SIP transport onConnectionOpened threw');
      }
    }
  }

  private connectionClosed(c: StreamConnection, reason: string): void {
    this.conns.delete(c.id);
    if (!c.wasOpened) {
      this.counters.connectFailures++;
      this.log.debug?.({ connectionId: c.id, remote: c.peer, reason }, 'SIP client connection failed');
      return;
    }
    this.counters.connectionsClosed++;
    const h = this.handler.onConnectionClosed;
    if (h) {
      try {
        h.call(this.handler, c.info(), reason);
      } catch (err) {
        this.log.warn({ err }, 'SIP transport onConnectionClosed threw');
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private deliver(data: Buffer, source: Peer): void {
    try {
      this.handler.onMessage(data, source);
    } catch (err) {
      this.log.warn({ err, source }, 'SIP transport onMessage threw');
    }
  }

  private framingError(source: Peer, reason: string): void {
    this.counters.framingErrors++;
    this.log.debug?.({ source, reason }, 'SIP framing error');
    const h = this.handler.onFramingError;
    if (h) {
      try {
        h.call(this.handler, source, reason);
      } catch (err) {
        this.log.warn({ err }, 'SIP transport onFramingError threw');
      }
    }
  }
}
