import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { CRLF, scanCrlf } from './keep-alive.js';
import { StreamConnection, type ConnectionOwner } from './stream-connection.js';
import type { TransportName } from './types.js';

/**
 * A SIP WebSocket connection (RFC 7118). §5.1: "Each SIP message MUST be
 * carried within a single WebSocket message, and a WebSocket message MUST
 * NOT contain more than one SIP message", so no Content-Length framing here;
 * the size limit is ws's `maxPayload` (close code 1009 when exceeded).
 *
 * CRLF keep-alives: browsers cannot send WebSocket pings, so SIP.js and
 * JsSIP send "\r\n\r\n" as a message and expect "\r\n" back, the RFC 5626
 * §3.5.1 exchange carried in frames. A frame of CR/LF only is never a SIP
 * message.
 */
export class WsConnection extends StreamConnection {
  constructor(
    owner: ConnectionOwner,
    id: number,
    transport: TransportName,
    private readonly ws: WebSocket,
    /** The upgraded socket (net.Socket, or TLSSocket for wss): it carries the idle timer. */
    private readonly socket: Socket,
    idleTimeoutMs: number,
  ) {
    super(id, transport, 'inbound', owner, socket.remoteAddress ?? '', socket.remotePort ?? 0, idleTimeoutMs, false);
    ws.on('message', (raw: RawData) => this.onFrame(raw));
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        // ws has already started closing with 1009 (Message Too Big).
        const reason = `WebSocket message exceeds ${owner.maxMessageSize} bytes`;
        this.owner.connectionFramingError(this, reason);
        this.closeReason ??= `framing error: ${reason}`;
      } else {
        this.closeReason ??= `websocket error: ${err.message}`;
        this.owner.log.debug?.({ connectionId: id, err }, 'SIP WebSocket error');
      }
    });
    ws.on('close', (code: number) => {
      this.closeReason ??= code === 1005 || code === 1006 ? 'closed by peer' : `closed by peer (${code})`;
      this.finish();
    });
    socket.on('timeout', () => this.close('idle timeout', true));
  }

  accepted(): void {
    this.markOpen(this.socket.localAddress, this.socket.localPort);
  }

  private onFrame(raw: RawData): void {
    if (this.state !== 'open') return;
    const data = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    this.touchRead(data.length);
    let start = 0;
    const first = data[0];
    if (first === 0x0d || first === 0x0a) {
      const scan = scanCrlf(data, 0, 0);
      for (let p = 0; p < scan.pings; p++) {
        this.keepAlivesIn++;
        this.owner.connectionPing(this);
        this.writeRaw(CRLF);
      }
      start = scan.end;
      if (start === data.length) return;
    }
    if (data.length === 0) return;
    this.messagesIn++;
    this.owner.connectionMessage(this, start === 0 ? data : data.subarray(start));
  }

  protected queued(): number {
    return this.ws.bufferedAmount;
  }

  protected rawWrite(data: Buffer, done?: (err?: Error | null) => void): void {
    // RFC 7118 §4.2: "If there is binary content within the SIP message, then binary frames
    // MUST be used"; a text frame must be valid UTF-8 (RFC 6455 §5.6) or the browser fails the connection.
    this.ws.send(data, { binary: !isUtf8(data) }, done);
  }

  protected applyIdleTimeout(ms: number): void {
    // ws set the socket timeout to 0 when it took the socket; ours replaces it.
    if (typeof this.socket.setTimeout === 'function') this.socket.setTimeout(ms > 0 ? ms : 0);
  }

  protected endGracefully(): void {
    this.ws.close(1000);
  }

  protected destroy(): void {
    this.ws.terminate();
  }
}
