import type { Socket } from 'node:net';
import type { LinkHandler, MsrpTransport, RelayLink } from '../relay/relay-link.js';

/** Per-link write buffer above which senders into it are paused (RFC 4975 §7.1 bodies are streamed, never piled up). */
const HIGH_WATER = 1024 * 1024;
/** Batches up to this size are sent as one buffer. */
const COALESCE_MAX = 16 * 1024;

let nextId = 1;
/** Connection ids of the MSRP links (shown in the admin API). */
export function nextLinkId(): number {
  return nextId++;
}

/** An MSRP connection over a TCP or TLS socket. */
export class SocketLink implements RelayLink {
  readonly id = nextLinkId();
  private out: Buffer[] = [];
  private isClosed = false;
  private handler: LinkHandler | null = null;

  constructor(
    private readonly socket: Socket,
    readonly transport: Extract<MsrpTransport, 'tcp' | 'tls'>,
    /** Host/port known before connect (outbound links). */
    remote?: { address: string; port: number },
  ) {
    this.remoteAddress = socket.remoteAddress ?? remote?.address ?? '';
    this.remotePort = socket.remotePort ?? remote?.port ?? 0;
    socket.setNoDelay(true);
  }

  remoteAddress: string;
  remotePort: number;

  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get congested(): boolean {
    return this.socket.writableLength > HIGH_WATER;
  }

  /** Wires the socket to the relay's handler for this link. */
  bind(handler: LinkHandler, idleTimeoutMs: number): void {
    this.handler = handler;
    const s = this.socket;
    s.on('data', (chunk: Buffer) => handler.data(chunk));
    s.on('error', () => {});
    s.on('close', () => this.finish('closed'));
    s.on('end', () => s.end());
    if (idleTimeoutMs > 0) {
      s.setTimeout(idleTimeoutMs);
      s.on('timeout', () => this.close('idle timeout'));
    }
  }

  /** An outbound connection got its addresses. */
  connected(): void {
    this.remoteAddress = this.socket.remoteAddress ?? this.remoteAddress;
    this.remotePort = this.socket.remotePort ?? this.remotePort;
  }

  write(data: Buffer): void {
    this.out.push(data);
  }

  endFrame(): void {}

  flush(): void {
    const out = this.out;
    if (out.length === 0 || this.isClosed) return;
    this.out = [];
    const s = this.socket;
    if (out.length === 1) {
      s.write(out[0]!);
      return;
    }
    // Many small pieces (heads, end-lines, 1 KiB bodies) cost less as one copy than as a long writev.
    let total = 0;
    for (const b of out) total += b.length;
    if (total <= COALESCE_MAX) {
      s.write(Buffer.concat(out, total));
      return;
    }
    s.cork();
    for (const b of out) s.write(b);
    s.uncork();
  }

  onDrain(cb: () => void): void {
    this.socket.once('drain', cb);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.isClosed) this.socket.resume();
  }

  close(reason: string): void {
    if (this.isClosed) return;
    this.flush();
    this.socket.end();
    // A peer that does not read must not hold the socket open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.out = [];
    this.handler?.closed(reason);
  }
}
