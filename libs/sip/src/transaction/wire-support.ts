/**
 * Real-socket helpers for the transaction and proxy specs (not part of the
 * package surface): a SipTransportLayer wired to a TransactionLayer through
 * the parser, and a bare UDP SIP endpoint that records what it receives and
 * can answer from a callback. Waits are event-driven (Condition).
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { once } from 'node:events';
import { parseMessage, type SipMessage, type SipRequest } from '../message/index.js';
import { SipTransportLayer, type ListenSpec, type TransportName } from '../transport/index.js';
import { Condition } from '../transport/spec-support.js';
import { TransactionLayer, type TransactionLayerOptions } from './transaction-layer.js';

export { Condition };

export interface WiredLayer {
  transport: SipTransportLayer;
  layer: TransactionLayer;
  /** Poked on every message received (after the layer handled it). */
  changed: Condition;
  port(t: TransportName): number;
  stop(): Promise<void>;
}

/** A transport on 127.0.0.1 (port 0) feeding a transaction layer. */
export async function wiredLayer(listen: TransportName[], options: Omit<TransactionLayerOptions, 'transport'>): Promise<WiredLayer> {
  const changed = new Condition();
  let layer: TransactionLayer | null = null;
  const transport = new SipTransportLayer({
    listen: listen.map((t): ListenSpec => ({ transport: t, host: '127.0.0.1', port: 0 })),
    limits: { maxMessageSize: 65535 },
    idleTimeoutMs: 0,
    handler: {
      onMessage(data, source) {
        const r = parseMessage(data, { stream: source.transport !== 'udp' });
        if (r.ok) layer!.receive(r.message, source);
        changed.poke();
      },
    },
  });
  layer = new TransactionLayer({ ...options, transport });
  await transport.start();
  return {
    transport,
    layer,
    changed,
    port: (t) => transport.listenerFor(t)!.boundPort,
    stop: async () => {
      layer!.stop();
      await transport.stop();
    },
  };
}

/** A bare SIP endpoint on a UDP socket: records every message, answers requests through `onRequest`. */
export class UdpEndpoint {
  readonly received: SipMessage[] = [];
  readonly raw: Buffer[] = [];
  readonly changed = new Condition();
  onRequest?: (req: SipRequest, reply: (text: string | Buffer) => void) => void;

  private constructor(readonly socket: DgramSocket) {
    socket.on('message', (data, rinfo) => {
      this.raw.push(Buffer.from(data));
      const r = parseMessage(data);
      if (r.ok) {
        this.received.push(r.message);
        if (r.message.kind === 'request' && this.onRequest) {
          this.onRequest(r.message, (text) => this.socket.send(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, rinfo.port, rinfo.address));
        }
      }
      this.changed.poke();
    });
  }

  static async open(): Promise<UdpEndpoint> {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1');
    await once(s, 'listening');
    return new UdpEndpoint(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(text: string | Buffer, port: number): void {
    this.socket.send(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, port, '127.0.0.1');
  }

  /** Messages whose first line starts with `prefix` ("INVITE", "SIP/2.0 200"). */
  matching(prefix: string): SipMessage[] {
    return this.received.filter((m) => firstLine(m).startsWith(prefix));
  }

  until(check: () => boolean, what: string): Promise<void> {
    return this.changed.until(check, what);
  }

  /** Waits until at least `n` messages start with `prefix`. */
  untilCount(prefix: string, n = 1): Promise<void> {
    return this.until(() => this.matching(prefix).length >= n, `${n} × ${prefix}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export function firstLine(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${m.requestUri}` : `SIP/2.0 ${m.status} ${m.reason}`;
}
