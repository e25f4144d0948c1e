/**
 * Helpers for the transport specs (not part of the package surface): a
 * handler that records what the layer reports and lets a test wait for a
 * condition, a byte collector for raw client sockets, and an IPv6 probe.
 * Waits are event-driven; the timeout only bounds a test that would hang.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import type { ConnectionInfo, Peer, TransportHandler } from './types.js';

export const WAIT_MS = 5000;

type Waiter = { check: () => boolean; resolve: () => void };

/** Resolve when `check()` holds, re-checked each time `poke()` is called; reject after `ms`. */
export class Condition {
  private waiters: Waiter[] = [];

  poke(): void {
    const ready = this.waiters.filter((w) => w.check());
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  until(check: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }
}

export class RecordingHandler implements TransportHandler {
  readonly messages: Array<{ data: Buffer; source: Peer }> = [];
  readonly opened: ConnectionInfo[] = [];
  readonly closed: Array<{ info: ConnectionInfo; reason: string }> = [];
  readonly framing: Array<{ source: Peer; reason: string }> = [];
  readonly other: Array<{ data: Buffer; source: Peer }> = [];
  readonly changed = new Condition();
  /** Optional reaction to each message (e.g. an echo). */
  onEach?: (data: Buffer, source: Peer) => void;

  onMessage(data: Buffer, source: Peer): void {
    this.messages.push({ data: Buffer.from(data), source });
    try {
      this.onEach?.(data, source);
    } finally {
      this.changed.poke();
    }
  }
  onConnectionOpened(c: ConnectionInfo): void {
    this.opened.push(c);
    this.changed.poke();
  }
  onConnectionClosed(c: ConnectionInfo, reason: string): void {
    this.closed.push({ info: c, reason });
    this.changed.poke();
  }
  onFramingError(source: Peer, reason: string): void {
    this.framing.push({ source, reason });
    this.changed.poke();
  }
  onDatagramOther(data: Buffer, source: Peer): void {
    this.other.push({ data: Buffer.from(data), source });
    this.changed.poke();
  }

  until(check: () => boolean, what: string, ms?: number): Promise<void> {
    return this.changed.until(check, what, ms);
  }
  texts(): string[] {
    return this.messages.map((m) => m.data.toString('latin1'));
  }
}

/** Things a failed test would leave open (so the file still ends): closed by `cleanup()`. */
const open = new Set<{ stop(): Promise<void> } | { destroy(): void }>();

export function track<T extends { stop(): Promise<void> } | { destroy(): void }>(x: T): T {
  open.add(x);
  return x;
}

/** Stop every tracked layer and destroy every tracked socket (use in `afterEach`). */
export async function cleanup(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((x) => ('stop' in x ? x.stop() : x.destroy())));
}

/** Everything a raw client socket receives, plus whether it closed. */
export class Collector {
  data = Buffer.alloc(0);
  ended = false;
  closed = false;
  readonly changed = new Condition();

  constructor(readonly socket: Socket) {
    track(socket);
    socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      this.changed.poke();
    });
    socket.on('end', () => {
      this.ended = true;
      this.changed.poke();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.changed.poke();
    });
  }

  text(): string {
    return this.data.toString('latin1');
  }
  until(check: () => boolean, what: string, ms?: number): Promise<void> {
    return this.changed.until(check, what, ms);
  }
  untilClosed(): Promise<void> {
    return this.until(() => this.closed, 'the client socket to close');
  }
}

/** A minimal SIP request with a correct Content-Length. */
export function sipRequest(n: number | string, body = ''): string {
  return (
    `MESSAGE sip:alice@example.com SIP/2.0\r\n` +
    `Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-${n}\r\n` +
    `Call-ID: ${n}@test\r\n` +
    `CSeq: 1 MESSAGE\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
    body
  );
}

let ipv6: Promise<boolean> | null = null;

/** Whether ::1 can be bound here (containers often lack IPv6). */
export function ipv6Available(): Promise<boolean> {
  ipv6 ??= new Promise((resolve) => {
    const s = createSocket('udp6');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(0, '::1', () => {
      s.close();
      resolve(true);
    });
  });
  return ipv6;
}
