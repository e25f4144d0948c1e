import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { LinkHandler, MsrpTransport, RelayLink } from '../relay/relay-link.js';
import { nextLinkId } from './socket-link.js';

const HIGH_WATER = 1024 * 1024;

/**
 * MSRP over WebSocket (RFC 7977). §5.1: each MSRP frame (chunk) is sent as
 * one WebSocket message, so writes are gathered until the end-line and sent
 * as one binary message; received messages go through the ordinary framer,
 * which does not care where messages end.
 */
export class WsLink implements RelayLink {
  readonly id = nextLinkId();
  private parts: Buffer[] = [];
  private isClosed = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;

  constructor(
    private readonly ws: WebSocket,
    socket: Socket,
    readonly transport: Extract<MsrpTransport, 'ws' | 'wss'>,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = socket.localAddress ?? '';
    this.localPort = socket.localPort ?? 0;
  }

  bind(handler: LinkHandler): void {
    this.ws.on('message', (raw: RawData) => {
      if (Array.isArray(raw)) for (const b of raw) handler.data(b);
      else handler.data(Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
    });
    this.ws.on('error', () => {});
    this.ws.on('close', () => {
      if (this.isClosed) return;
      this.isClosed = true;
      handler.closed('closed by peer');
    });
    this.handler = handler;
  }

  private handler: LinkHandler | null = null;

  get closed(): boolean {
    return this.isClosed;
  }

  get congested(): boolean {
    return this.ws.bufferedAmount > HIGH_WATER;
  }

  write(data: Buffer): void {
    this.parts.push(data);
  }

  endFrame(): void {
    if (this.parts.length === 0 || this.isClosed) return;
    const msg = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.ws.send(msg, { binary: true });
  }

  flush(): void {}

  onDrain(cb: () => void): void {
    // ws has no drain event: poll its buffer until it is below the mark.
    const t = setInterval(() => {
      if (this.isClosed || !this.congested) {
        clearInterval(t);
        cb();
      }
    }, 5);
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    if (!this.isClosed) this.ws.resume();
  }

  close(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.ws.close(1000, reason.slice(0, 100));
    this.handler?.closed(reason);
  }
}
