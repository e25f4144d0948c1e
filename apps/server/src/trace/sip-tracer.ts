import type { SipMessage } from '@pbx/sip';

/** Either side of a traced packet: a received Peer, or where we sent to. */
export interface TracePeer {
  transport: string;
  address: string;
  port: number;
  localAddress?: string;
  localPort?: number;
}

/** What a capture matches: any one given criterion must hold (all given must hold together). */
export interface TraceFilter {
  /** `user@domain`: matches From, To or the Request-URI. */
  aor?: string;
  callId?: string;
  /** `address` or `address:port` of the far end. */
  source?: string;
}

export interface TracedMessage {
  seq: number;
  at: number;
  direction: 'in' | 'out';
  transport: string;
  /** The far end and our side, `address:port`. */
  remote: string;
  local: string;
  /** Start line, for the ladder's arrow labels. */
  summary: string;
  callId: string | null;
  text: string;
}

export interface TraceCapture {
  id: string;
  filter: TraceFilter;
  maxMessages: number;
  maxMinutes: number;
  startedAt: number;
  stoppedAt: number | null;
  stopReason: 'limit' | 'time' | 'stopped' | null;
  messages: TracedMessage[];
}

export interface TracerListener {
  message(capture: TraceCapture, m: TracedMessage): void;
  stopped(capture: TraceCapture): void;
}

/**
 * Operator SIP captures. The per-packet cost while nothing is captured is
 * the `active` check in the SIP server (one branch); with captures running,
 * each message is matched against each filter and copied as text only when
 * it matches.
 */
export class SipTracer {
  /** Read by the SIP server on every packet: keep it a plain field. */
  active = false;
  private readonly captures = new Map<string, TraceCapture>();
  private readonly running: TraceCapture[] = [];
  private nextId = 1;
  private seq = 0;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly listener: TracerListener,
    private readonly keepFinished = 20,
  ) {}

  start(filter: TraceFilter, maxMessages: number, maxMinutes: number, now = Date.now()): TraceCapture {
    const c: TraceCapture = {
      id: `t${this.nextId++}`,
      filter: normalize(filter),
      maxMessages,
      maxMinutes,
      startedAt: now,
      stoppedAt: null,
      stopReason: null,
      messages: [],
    };
    this.captures.set(c.id, c);
    this.running.push(c);
    this.active = true;
    const t = setTimeout(() => this.stop(c.id, 'time'), maxMinutes * 60_000);
    t.unref();
    this.timers.set(c.id, t);
    this.prune();
    return c;
  }

  get(id: string): TraceCapture | undefined {
    return this.captures.get(id);
  }

  list(): TraceCapture[] {
    return [...this.captures.values()];
  }

  stop(id: string, reason: 'limit' | 'time' | 'stopped' = 'stopped'): TraceCapture | undefined {
    const c = this.captures.get(id);
    if (!c || c.stoppedAt !== null) return c;
    c.stoppedAt = Date.now();
    c.stopReason = reason;
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.running.splice(this.running.indexOf(c), 1);
    this.active = this.running.length > 0;
    this.listener.stopped(c);
    return c;
  }

  remove(id: string): boolean {
    this.stop(id);
    return this.captures.delete(id);
  }

  stopAll(): void {
    for (const c of [...this.running]) this.stop(c.id);
  }

  /** Called by the SIP server for every message in and out while `active`. */
  record(direction: 'in' | 'out', msg: SipMessage | null, data: Buffer, peer: TracePeer): void {
    let text: string | undefined;
    for (const c of [...this.running]) {
      if (!matches(c.filter, msg, peer)) continue;
      text ??= data.toString('utf8');
      const m: TracedMessage = {
        seq: ++this.seq,
        at: Date.now(),
        direction,
        transport: peer.transport,
        remote: `${peer.address}:${peer.port}`,
        local: peer.localAddress === undefined ? '' : `${peer.localAddress}:${peer.localPort}`,
        summary: text.slice(0, Math.max(0, text.indexOf('\r\n'))) || text.slice(0, 80),
        callId: msg ? safe(() => msg.callId()) : null,
        text,
      };
      c.messages.push(m);
      this.listener.message(c, m);
      if (c.messages.length >= c.maxMessages) this.stop(c.id, 'limit');
    }
  }

  private prune(): void {
    const done = [...this.captures.values()].filter((c) => c.stoppedAt !== null);
    for (const c of done.slice(0, Math.max(0, done.length - this.keepFinished))) this.captures.delete(c.id);
  }
}

function normalize(f: TraceFilter): TraceFilter {
  return {
    ...(f.aor ? { aor: f.aor.replace(/^sips?:/i, '').toLowerCase() } : {}),
    ...(f.callId ? { callId: f.callId } : {}),
    ...(f.source ? { source: f.source } : {}),
  };
}

function matches(f: TraceFilter, msg: SipMessage | null, peer: TracePeer): boolean {
  if (f.source !== undefined) {
    if (f.source !== peer.address && f.source !== `${peer.address}:${peer.port}`) return false;
  }
  if (f.callId !== undefined && (msg === null || safe(() => msg.callId()) !== f.callId)) return false;
  if (f.aor !== undefined) {
    if (msg === null) return false;
    const aor = f.aor;
    const uris = [safe(() => msg.from().uri), safe(() => msg.to().uri), msg.kind === 'request' ? msg.uri : null];
    if (!uris.some((u) => u !== null && u.kind === 'sip' && `${u.user ?? ''}@${u.host}`.toLowerCase() === aor)) return false;
  }
  return true;
}

function safe<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
