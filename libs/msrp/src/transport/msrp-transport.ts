import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ListenSpec } from '@pbx/sip';
import { MSRP_DEFAULT_PORT, type MsrpUri } from '../frame/msrp-uri.js';
import type { MsrpRelay } from '../relay/msrp-relay.js';
import type { RelayPeer } from '../relay/relay-peer.js';
import { SocketLink } from './socket-link.js';
import { WsLink } from './ws-link.js';

/** The WebSocket subprotocol of MSRP (RFC 7977 §4.1, IANA). */
export const MSRP_SUBPROTOCOL = 'msrp';

export interface MsrpListenerInfo {
  transport: 'tcp' | 'tls' | 'ws' | 'wss';
  host: string;
  port: number;
}

export interface MsrpTransportOptions {
  listen: ListenSpec[];
  /** Certificate for tls/wss listeners and msrps next hops. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Connections with no traffic for this long are closed (0 = never). */
  idleTimeoutMs: number;
  log: { warn(obj: object, msg: string): void };
}

/**
 * The relay's sockets: tcp and tls listeners (RFC 4975 §6), ws and wss
 * listeners (RFC 7977, subprotocol `msrp`), and outbound connections to
 * next-hop relays. Each connection becomes a link attached to the relay.
 */
export class MsrpTransportLayer {
  private readonly servers: Array<NetServer | HttpServer> = [];
  private readonly sockets = new Set<Socket>();
  private wss: WebSocketServer | null = null;
  private relay!: MsrpRelay;
  readonly bound: MsrpListenerInfo[] = [];

  constructor(private readonly o: MsrpTransportOptions) {}

  async start(relay: MsrpRelay): Promise<MsrpListenerInfo[]> {
    this.relay = relay;
    for (const l of this.o.listen) {
      const t = l.transport;
      if (t === 'udp') throw new Error('MSRP runs over tcp, tls, ws or wss, not udp');
      if ((t === 'tls' || t === 'wss') && !this.o.tls) throw new Error(`MSRP ${t} listener needs a certificate`);
      let server: NetServer | HttpServer;
      if (t === 'tcp') server = createNetServer((s) => this.accept(s, 'tcp'));
      else if (t === 'tls') server = createTlsServer({ cert: this.o.tls!.cert, key: this.o.tls!.key }, (s) => this.accept(s, 'tls'));
      else {
        server = t === 'wss' ? createHttpsServer({ cert: this.o.tls!.cert, key: this.o.tls!.key }) : createHttpServer();
        server.on('request', (_req, res) => {
          res.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Type': 'text/plain' });
          res.end('This is an MSRP WebSocket endpoint (RFC 7977): connect with subprotocol "msrp".\n');
        });
        server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head, t));
      }
      server.on('error', (err) => this.o.log.warn({ err }, 'MSRP listener error'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(l.port, l.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
      this.bound.push({ transport: t, host: l.host, port: (server.address() as AddressInfo).port });
    }
    return this.bound;
  }

  /**
   * A link to a next hop by its URI (RFC 4975 §6.1: msrps = TLS, default
   * port 2855). Writes are queued by the socket until it connects; a
   * failure closes the link, which fails its pending transactions.
   */
  connect(uri: MsrpUri): RelayPeer | null {
    if (uri.transport !== 'tcp') return null;
    const port = uri.port || MSRP_DEFAULT_PORT;
    let socket: Socket;
    try {
      socket =
        uri.scheme === 'msrps'
          ? tlsConnect({ host: uri.host, port, servername: /[a-z]/i.test(uri.host) && !uri.host.includes(':') ? uri.host : undefined })
          : netConnect({ host: uri.host, port });
    } catch {
      return null;
    }
    const link = new SocketLink(socket, uri.scheme === 'msrps' ? 'tls' : 'tcp', { address: uri.host, port });
    socket.once(uri.scheme === 'msrps' ? 'secureConnect' : 'connect', () => link.connected());
    return this.attach(socket, link).peer;
  }

  async stop(): Promise<void> {
    this.relay?.closeAll('shutting down');
    for (const s of this.sockets) s.destroy();
    this.wss?.close();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
  }

  private accept(socket: Socket, transport: 'tcp' | 'tls'): void {
    this.attach(socket, new SocketLink(socket, transport));
  }

  private attach(socket: Socket, link: SocketLink) {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const handler = this.relay.attach(link);
    link.bind(handler, this.o.idleTimeoutMs);
    return handler;
  }

  /** RFC 7977 §4.1: the handshake must offer `msrp`, echoed in the 101; anything else is refused with 400. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport: 'ws' | 'wss'): void {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .find((p) => p.toLowerCase() === MSRP_SUBPROTOCOL);
    if (offered === undefined) {
      socket.on('error', () => {});
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 36\r\n\r\nWebSocket subprotocol "msrp" needed\n');
      return;
    }
    this.wss ??= new WebSocketServer({ noServer: true, handleProtocols: (set) => [...set].find((p) => p.toLowerCase() === MSRP_SUBPROTOCOL) ?? false });
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const s = socket as Socket;
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      const link = new WsLink(ws, s, transport);
      link.bind(this.relay.attach(link));
    });
  }
}
