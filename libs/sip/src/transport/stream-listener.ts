import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { ListenSpec } from './types.js';
import { answerPlainHttp } from './ws-handshake.js';

/** A TLS handshake that has not finished by then is dropped (Node's default is 120 s). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface StreamListenerSink {
  /** A TCP connection accepted, or a TLS connection whose handshake finished. */
  accepted(socket: Socket, listener: StreamListener): void;
  /** An HTTP upgrade on a ws/wss listener. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, listener: StreamListener): void;
  listenerError(listener: StreamListener, err: Error, what: string): void;
}

/** The server socket behind a tcp, tls, ws or wss listen spec. */
export class StreamListener {
  server: NetServer | HttpServer | null = null;
  boundPort = 0;
  /**
   * Every TCP socket the server accepted and that is still open, including
   * TLS handshakes in progress and HTTP requests not (yet) upgraded, which
   * are not connections of the layer: `close()` destroys what is left so
   * that stopping never waits for a handshake timeout.
   */
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly spec: ListenSpec,
    private readonly tls: { cert: string | Buffer; key: string | Buffer } | undefined,
    private readonly sink: StreamListenerSink,
  ) {}

  start(): Promise<void> {
    const server = this.create();
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        this.server = null;
        reject(err);
      };
      server.once('error', failed);
      server.listen({ port: this.spec.port, host: this.spec.host }, () => {
        server.off('error', failed);
        server.on('error', (err) => this.sink.listenerError(this, err, 'server error'));
        const addr = server.address();
        this.boundPort = addr && typeof addr === 'object' ? addr.port : this.spec.port;
        resolve();
      });
    });
  }

  private create(): NetServer | HttpServer {
    const { transport } = this.spec;
    const sink = this.sink;
    if (transport === 'tcp') {
      return createNetServer({ noDelay: true }, (socket) => sink.accepted(socket, this));
    }
    if (transport === 'tls') {
      const server = createTlsServer(
        { cert: this.tls!.cert, key: this.tls!.key, minVersion: 'TLSv1.2', handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS },
        (socket: TLSSocket) => sink.accepted(socket, this),
      );
      server.on('tlsClientError', (err) => sink.listenerError(this, err, 'TLS handshake failed'));
      return server;
    }
    const http =
      transport === 'wss'
        ? createHttpsServer({ cert: this.tls!.cert, key: this.tls!.key, minVersion: 'TLSv1.2', handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS })
        : createHttpServer();
    http.on('request', answerPlainHttp);
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => sink.upgrade(req, socket, head, this));
    http.on('clientError', (err: Error, socket: Duplex) => {
      sink.listenerError(this, err, 'HTTP client error');
      socket.destroy();
    });
    if (transport === 'wss') http.on('tlsClientError', (err: Error) => sink.listenerError(this, err, 'TLS handshake failed'));
    return http;
  }

  /** Stop accepting; resolves when the server and every socket it accepted are closed. */
  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }
}
