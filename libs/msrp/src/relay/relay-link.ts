/** The transports a relay connection can run on (RFC 4975 tcp/tls, RFC 7977 ws/wss). */
export type MsrpTransport = 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * One transport connection as the relay core sees it. Writes are queued
 * and sent together by `flush()` (one writev per batch of frames); a
 * WebSocket link sends each frame as one message at `endFrame()` (RFC 7977
 * §5.1: one MSRP chunk per WebSocket message).
 */
export interface RelayLink {
  readonly id: number;
  readonly transport: MsrpTransport;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** True once the connection is closed or failed. */
  readonly closed: boolean;
  write(data: Buffer): void;
  endFrame(): void;
  flush(): void;
  /** True while the socket's buffer is over its high-water mark (the relay then pauses the sources). */
  readonly congested: boolean;
  /** Calls `cb` once the buffer drains. */
  onDrain(cb: () => void): void;
  pause(): void;
  resume(): void;
  close(reason: string): void;
}

/** Transport layer callbacks into the relay for one link. */
export interface LinkHandler {
  data(chunk: Buffer): void;
  closed(reason: string): void;
}
