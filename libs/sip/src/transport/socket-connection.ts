import type { Socket } from 'node:net';
import { CRLF } from './keep-alive.js';
import { StreamConnection, type ConnectionOwner } from './stream-connection.js';
import { StreamFramer } from './stream-framer.js';
import type { TransportName } from './types.js';

/**
 * A TCP or TLS connection carrying SIP: bytes in go through the
 * Content-Length framer; the idle timeout is the socket's own timeout, which
 * Node re-arms on every read and write at no extra cost.
 */
export class SocketConnection extends StreamConnection {
  private readonly framer: StreamFramer;
  /**
   * Writes made while a client connection is connecting. They are held here
   * rather than in the socket because a TLS socket could put application data
   * on the wire once OpenSSL finishes the handshake, before Node has checked
   * the peer's certificate (the check runs at 'secureConnect').
   */
  private held: Array<[Buffer, ((err?: Error | null) => void) | undefined]> | null = null;
  private heldBytes = 0;

  constructor(
    owner: ConnectionOwner,
    id: number,
    transport: TransportName,
    direction: 'inbound' | 'outbound',
    private readonly socket: Socket,
    remoteAddress: string,
    remotePort: number,
    idleTimeoutMs: number,
    /** For a client connection: how long connecting may take (ms); absent = already connected. */
    connectTimeoutMs?: number,
  ) {
    super(id, transport, direction, owner, remoteAddress, remotePort, idleTimeoutMs, connectTimeoutMs !== undefined);
    this.framer = new StreamFramer(
      { maxMessageSize: owner.maxMessageSize, maxHeaderSize: owner.maxHeaderSize },
      {
        message: (data) => {
          this.messagesIn++;
          this.owner.connectionMessage(this, data);
        },
        ping: () => {
          // RFC 5626 §3.5.1: "it MUST immediately respond with a single CRLF over the same connection".
          this.keepAlivesIn++;
          this.owner.connectionPing(this);
          this.writeRaw(CRLF);
        },
        error: (reason) => {
          this.owner.connectionFramingError(this, reason);
          this.close(`framing error: ${reason}`, true);
        },
      },
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.touchRead(chunk.length);
      this.framer.push(chunk);
    });
    socket.on('end', () => {
      this.closeReason ??= 'closed by peer';
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.closeReason ??= `socket error: ${err.message}`;
      this.owner.log.debug?.({ connectionId: id, err }, 'SIP connection error');
    });
    socket.on('timeout', () => {
      if (this.state === 'connecting') this.close('connect timeout', false);
      else this.close('idle timeout', true);
    });
    socket.on('close', () => {
      this.failHeld();
      this.finish();
    });
    if (connectTimeoutMs !== undefined) {
      this.held = [];
      if (connectTimeoutMs > 0) socket.setTimeout(connectTimeoutMs);
      socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => {
        socket.setTimeout(0);
        const held = this.held ?? [];
        this.held = null;
        this.heldBytes = 0;
        for (const [data, done] of held) socket.write(data, done);
        this.markOpen(socket.localAddress, socket.localPort, { address: socket.remoteAddress, port: socket.remotePort });
      });
    }
  }

  /** Report an accepted connection open (called by the layer once the handler may hear about it). */
  accepted(): void {
    this.markOpen(this.socket.localAddress, this.socket.localPort);
  }

  protected queued(): number {
    return this.socket.writableLength + this.heldBytes;
  }

  protected rawWrite(data: Buffer, done?: (err?: Error | null) => void): void {
    if (this.held) {
      this.held.push([data, done]);
      this.heldBytes += data.length;
    } else this.socket.write(data, done);
  }

  private failHeld(): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    this.heldBytes = 0;
    const err = new Error(this.closeReason ?? 'connection closed before it opened');
    for (const [, done] of held) done?.(err);
  }

  protected applyIdleTimeout(ms: number): void {
    this.socket.setTimeout(ms > 0 ? ms : 0);
  }

  protected override onClosing(): void {
    this.framer.stop();
  }

  protected endGracefully(): void {
    this.socket.end();
  }

  protected destroy(): void {
    this.socket.destroy();
  }
}
