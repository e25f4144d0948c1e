import { normalizeAddress } from './address.js';
import { TransportError, type TransportErrorCode } from './transport-error.js';
import type {
  ConnectionInfo,
  ConnectionState,
  Peer,
  SendCallback,
  TransportLogger,
  TransportName,
} from './types.js';

/** What a connection tells the layer that owns it. */
export interface ConnectionOwner {
  readonly log: TransportLogger;
  readonly maxWriteBuffer: number;
  readonly maxMessageSize: number;
  readonly maxHeaderSize: number;
  now(): number;
  connectionOpened(c: StreamConnection): void;
  connectionMessage(c: StreamConnection, data: Buffer): void;
  connectionPing(c: StreamConnection): void;
  connectionFramingError(c: StreamConnection, reason: string): void;
  /** The connection stops taking sends (closing began): drop it from the address index. */
  connectionClosing(c: StreamConnection): void;
  connectionClosed(c: StreamConnection, reason: string): void;
}

/** After a graceful close starts, how long the peer gets before the socket is destroyed. */
export const CLOSE_GRACE_MS = 1000;

/**
 * Bookkeeping shared by TCP/TLS and WebSocket connections: id, the Peer
 * handed to every message, counters, the send checks (state, write buffer
 * limit) and the close sequence (closing → closed, reported once).
 */
export abstract class StreamConnection {
  state: ConnectionState;
  peer: Peer;
  readonly openedAt: number;
  lastActivityAt: number;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  keepAlivesIn = 0;
  /** Keys of the layer's address index this connection is filed under. */
  readonly keys: string[] = [];
  /** Why it closed: the first reason recorded wins. */
  closeReason: string | null = null;
  /** Whether `connectionOpened` was reported (then `connectionClosed` will be too). */
  wasOpened = false;
  private waiters: Array<() => void> = [];
  private graceTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: number,
    readonly transport: TransportName,
    readonly direction: 'inbound' | 'outbound',
    protected readonly owner: ConnectionOwner,
    remoteAddress: string,
    remotePort: number,
    public idleTimeoutMs: number,
    connecting: boolean,
  ) {
    this.state = connecting ? 'connecting' : 'open';
    this.openedAt = this.lastActivityAt = owner.now();
    this.peer = {
      transport,
      address: normalizeAddress(remoteAddress),
      port: remotePort,
      connectionId: id,
      localAddress: '',
      localPort: 0,
    };
  }

  /** Bytes accepted for writing but not yet handed to the kernel. */
  protected abstract queued(): number;
  protected abstract rawWrite(data: Buffer, done?: (err?: Error | null) => void): void;
  protected abstract applyIdleTimeout(ms: number): void;
  /** Flush and close (FIN / WebSocket close frame). */
  protected abstract endGracefully(): void;
  /** Drop now. */
  protected abstract destroy(): void;

  info(): ConnectionInfo {
    return {
      id: this.id,
      transport: this.transport,
      direction: this.direction,
      state: this.state,
      remote: { address: this.peer.address, port: this.peer.port },
      local: { address: this.peer.localAddress, port: this.peer.localPort },
      openedAt: this.openedAt,
      lastActivityAt: this.lastActivityAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      keepAlivesIn: this.keepAlivesIn,
      idleTimeoutMs: this.idleTimeoutMs,
    };
  }

  /** Queue one message. Returns the failure, or null when it was handed to the socket. */
  send(data: Buffer, cb?: SendCallback): TransportErrorCode | null {
    if (this.state !== 'open' && this.state !== 'connecting') return 'connection_gone';
    if (this.queued() + data.length > this.owner.maxWriteBuffer) {
      // A peer that does not read is dead or hostile; SIP over a stream has no
      // retransmission, so dropping one message silently would be worse than
      // closing: the closed connection is visible to the layer above.
      this.close(`write buffer overflow (over ${this.owner.maxWriteBuffer} bytes queued)`, false);
      return 'backpressure';
    }
    this.bytesOut += data.length;
    this.messagesOut++;
    this.lastActivityAt = this.owner.now();
    if (cb) this.rawWrite(data, (err) => this.writeDone(err, cb));
    else this.rawWrite(data);
    return null;
  }

  /** Write keep-alive bytes (a pong); not a message. */
  protected writeRaw(data: Buffer): void {
    if (this.state !== 'open') return;
    this.bytesOut += data.length;
    this.lastActivityAt = this.owner.now();
    this.rawWrite(data);
  }

  private writeDone(err: Error | null | undefined, cb: SendCallback): void {
    if (!err) {
      cb(null, this.peer);
      return;
    }
    const code: TransportErrorCode = this.wasOpened
      ? 'write_failed'
      : this.closeReason === 'connect timeout'
        ? 'connect_timeout'
        : 'connect_failed';
    cb(new TransportError(code, this.closeReason ?? err.message, { cause: err }), null);
  }

  setIdleTimeout(ms: number): void {
    this.idleTimeoutMs = ms;
    if (this.state === 'open') this.applyIdleTimeout(ms);
  }

  /** Begin closing. `graceful`: flush pending writes first (bounded by CLOSE_GRACE_MS). */
  close(reason: string, graceful: boolean): void {
    if (this.state === 'closed') return;
    this.closeReason ??= reason;
    if (this.state !== 'closing') {
      this.state = 'closing';
      this.onClosing();
      this.owner.connectionClosing(this);
    }
    if (graceful && this.graceTimer === null) {
      this.graceTimer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS);
      this.graceTimer.unref();
      this.endGracefully();
    } else if (!graceful) {
      this.destroy();
    }
  }

  /** Resolves when the socket is closed. */
  whenClosed(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Hook for subclasses: reading stops mattering (stop the framer). */
  protected onClosing(): void {}

  /** The socket finished connecting (or was accepted): fill in the local side and report it. */
  protected markOpen(localAddress: string | undefined, localPort: number | undefined, remote?: { address?: string; port?: number }): void {
    if (this.wasOpened || this.state === 'closing' || this.state === 'closed') return;
    this.peer = {
      transport: this.transport,
      address: remote?.address ? normalizeAddress(remote.address) : this.peer.address,
      port: remote?.port ?? this.peer.port,
      connectionId: this.id,
      localAddress: normalizeAddress(localAddress),
      localPort: localPort ?? 0,
    };
    if (this.state === 'connecting') this.state = 'open';
    this.lastActivityAt = this.owner.now();
    this.wasOpened = true;
    this.applyIdleTimeout(this.idleTimeoutMs);
    this.owner.connectionOpened(this);
  }

  /** The socket is gone: report once, release waiters. */
  protected finish(): void {
    if (this.state === 'closed') return;
    if (this.state !== 'closing') {
      this.state = 'closing';
      this.onClosing();
      this.owner.connectionClosing(this);
    }
    this.state = 'closed';
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.owner.connectionClosed(this, this.closeReason ?? 'closed');
    for (const w of this.waiters) w();
    this.waiters = [];
  }

  protected touchRead(n: number): void {
    this.bytesIn += n;
    this.lastActivityAt = this.owner.now();
  }
}
