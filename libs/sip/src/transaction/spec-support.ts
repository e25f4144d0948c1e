/**
 * Helpers for the transaction and proxy specs (not part of the package
 * surface): a transport double that records what is sent and releases send
 * callbacks on demand, message builders, peers and a recording core.
 */
import { parseMessage, type SipMessage, type SipRequest, type SipResponse, createResponse } from '../message/index.js';
import type { Peer, SendCallback, SendTarget, TransportError } from '../transport/index.js';
import type { ClientTransaction } from './client-transaction.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { ManualScheduler } from './scheduler.js';
import { transactionTimers } from './timers.js';
import { TransactionLayer, type TransactionLayerOptions } from './transaction-layer.js';
import type { ClientTransactionUser, ServerTransaction, TransactionCore } from './types.js';

export const TIMERS = transactionTimers({ t1: 500, t2: 4000, t4: 5000 });

export interface Sent {
  data: Buffer;
  text: string;
  target: SendTarget;
}

/** Records sends; callbacks run on `flush()` (never before `send` returns, like the real layer). */
export class FakeTransport {
  readonly sent: Sent[] = [];
  private queued: Array<() => void> = [];
  /** The error the next send with a callback reports. */
  failNext: TransportError | null = null;
  /** Make `send` return false (a refused send). */
  refuse = false;

  send(data: Buffer, target: SendTarget, cb?: SendCallback): boolean {
    this.sent.push({ data: Buffer.from(data), text: data.toString('latin1'), target });
    if (cb) {
      const err = this.failNext;
      this.failNext = null;
      const via: Peer | null = err
        ? null
        : { transport: target.transport, address: target.address, port: target.port, connectionId: target.connectionId ?? (target.transport === 'udp' ? 0 : 77), localAddress: '192.0.2.1', localPort: 5060 };
      this.queued.push(() => cb(err, via));
    }
    return !this.refuse;
  }

  flush(): void {
    const q = this.queued;
    this.queued = [];
    for (const f of q) f();
  }

  /** First lines of everything sent. */
  lines(): string[] {
    return this.sent.map((s) => s.text.slice(0, s.text.indexOf('\r\n')));
  }

  count(startLine: string): number {
    return this.lines().filter((l) => l.startsWith(startLine)).length;
  }

  last(): Sent {
    return this.sent[this.sent.length - 1]!;
  }

  clear(): void {
    this.sent.length = 0;
  }
}

export function parse(text: string): SipMessage {
  const r = parseMessage(Buffer.from(text, 'latin1'));
  if (!r.ok) throw new Error(`fixture does not parse: ${r.error.reason} ${r.error.detail ?? ''}`);
  return r.message;
}

export function parseRequest(text: string): SipRequest {
  const m = parse(text);
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}

export function parseResponse(text: string): SipResponse {
  const m = parse(text);
  if (m.kind !== 'response') throw new Error('not a response');
  return m;
}

export interface RequestSpec {
  method?: string;
  ruri?: string;
  branch?: string | null;
  /** sent-by, default 192.0.2.10:5060 */
  sentBy?: string;
  transport?: string;
  viaParams?: string;
  /** extra Via lines below the top one */
  lowerVias?: string[];
  callId?: string;
  fromTag?: string;
  toTag?: string;
  cseq?: number;
  cseqMethod?: string;
  maxForwards?: number | null;
  extra?: string[];
  body?: string;
}

/** A request as a UA would send it. */
export function request(spec: RequestSpec = {}): SipRequest {
  return parseRequest(requestText(spec));
}

export function requestText(spec: RequestSpec = {}): string {
  const method = spec.method ?? 'MESSAGE';
  const branch = spec.branch === undefined ? 'z9hG4bK-abc1' : spec.branch;
  const body = spec.body ?? '';
  let t = `${method} ${spec.ruri ?? 'sip:bob@example.com'} SIP/2.0\r\n`;
  t += `Via: SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '192.0.2.10:5060'}${branch === null ? '' : `;branch=${branch}`}${spec.viaParams ?? ''}\r\n`;
  for (const v of spec.lowerVias ?? []) t += `Via: ${v}\r\n`;
  if (spec.maxForwards !== null) t += `Max-Forwards: ${spec.maxForwards ?? 70}\r\n`;
  t += `From: <sip:alice@example.com>;tag=${spec.fromTag ?? 'f1'}\r\n`;
  t += `To: <sip:bob@example.com>${spec.toTag ? `;tag=${spec.toTag}` : ''}\r\n`;
  t += `Call-ID: ${spec.callId ?? 'call-1@192.0.2.10'}\r\n`;
  t += `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? method}\r\n`;
  for (const h of spec.extra ?? []) t += h + '\r\n';
  t += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return t;
}

/** A response to `req` as it would arrive on the wire (re-parsed). */
export function responseTo(req: SipRequest, status: number, opts: { toTag?: string; headers?: Array<[string, string]> } = {}): SipResponse {
  const r = createResponse(req, status, undefined, { toTag: opts.toTag ?? (status > 100 ? 'uas-tag' : undefined), headers: opts.headers });
  return parseResponse(r.serialize().toString('latin1'));
}

/** A request as sent by the transport double, re-parsed. */
export function sentRequest(s: Sent): SipRequest {
  return parseRequest(s.text);
}

export function udpPeer(port = 5060, address = '192.0.2.10'): Peer {
  return { transport: 'udp', address, port, connectionId: 0, localAddress: '192.0.2.1', localPort: 5060 };
}

export function tcpPeer(connectionId = 9, port = 40000, address = '192.0.2.10'): Peer {
  return { transport: 'tcp', address, port, connectionId, localAddress: '192.0.2.1', localPort: 5060 };
}

/** A core that records what reaches it and can answer from a callback. */
export class RecordingCore implements TransactionCore {
  readonly requests: Array<{ req: SipRequest; source: Peer; tx: ServerTransaction | null }> = [];
  readonly cancels: Array<{ cancel: SipRequest; inviteTx: InviteServerTransaction | null; cancelTx: NonInviteServerTransaction }> = [];
  readonly strays: SipResponse[] = [];
  onEach?: (req: SipRequest, tx: ServerTransaction | null, source: Peer) => void;

  onRequest(req: SipRequest, source: Peer, tx: ServerTransaction | null): void {
    this.requests.push({ req, source, tx });
    this.onEach?.(req, tx, source);
  }
  onCancel(cancel: SipRequest, _source: Peer, inviteTx: InviteServerTransaction | null, cancelTx: NonInviteServerTransaction): void {
    this.cancels.push({ cancel, inviteTx, cancelTx });
  }
  onStrayResponse(res: SipResponse): void {
    this.strays.push(res);
  }
}

/** A client-transaction user that records responses. */
export class RecordingUser implements ClientTransactionUser {
  readonly responses: Array<{ res: SipResponse; local: boolean }> = [];
  terminated = 0;
  onResponse(res: SipResponse, source: Peer | null, _tx: ClientTransaction): void {
    this.responses.push({ res, local: source === null });
  }
  onTerminated(): void {
    this.terminated++;
  }
  statuses(): number[] {
    return this.responses.map((r) => r.res.status);
  }
}

export function harness(opts: Partial<TransactionLayerOptions> = {}) {
  const scheduler = new ManualScheduler();
  const transport = new FakeTransport();
  const core = new RecordingCore();
  const layer = new TransactionLayer({ timers: TIMERS, scheduler, transport, core, ...opts });
  return { scheduler, transport, core, layer };
}
