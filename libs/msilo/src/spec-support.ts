/**
 * Test helpers for the msilo specs (not exported from the package): MESSAGE
 * and REGISTER factories, a scripted sender, configs with overrides.
 */
import { EventBus, ManualClock, StatsRegistry } from '@pbx/core';
import { parseMessage, type SipRequest } from '@pbx/sip';
import { msiloConfigSchema, type MsiloConfig } from './config.js';
import { MemorySiloStore } from './memory-silo-store.js';
import { MessageSilo } from './message-silo.js';
import type { MessageSiloDeps } from './silo-api.js';
import { ManualScheduler } from './scheduler.js';
import type { MsiloEventMap } from './silo-events.js';
import type { SendOptions, SiloLocator, SiloSender, SiloDestination } from './silo-sender.js';

/** A config: the documented defaults plus overrides (keys as in the YAML file). */
export function config(overrides: Partial<Record<keyof MsiloConfig, unknown>> = {}): MsiloConfig {
  return msiloConfigSchema.parse(overrides);
}

export interface MessageSpec {
  ruri?: string;
  from?: string;
  to?: string;
  callId?: string;
  contentType?: string | null;
  body?: string;
  headers?: Array<[string, string]>;
  contact?: string;
}

let seq = 0;

function parse(text: string, body = ''): SipRequest {
  const r = parseMessage(Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from(body, 'utf8')]));
  if (!r.ok) throw new Error(`test message does not parse: ${r.error.reason} ${r.error.detail ?? ''}`);
  if (r.message.kind !== 'request') throw new Error('not a request');
  return r.message;
}

/** A MESSAGE as a phone sends it (RFC 3428 §4). */
export function message(s: MessageSpec = {}): SipRequest {
  const n = ++seq;
  const body = s.body ?? 'hello';
  const to = s.to ?? 'sip:bob@example.com';
  let text = `MESSAGE ${s.ruri ?? to} SIP/2.0\r\n`;
  text += `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-m${n}\r\n`;
  text += 'Max-Forwards: 70\r\n';
  text += `From: "Alice" <${s.from ?? 'sip:alice@example.com'}>;tag=a${n}\r\n`;
  text += `To: <${to}>\r\n`;
  text += `Call-ID: ${s.callId ?? `call-${n}@192.0.2.10`}\r\n`;
  text += `CSeq: 1 MESSAGE\r\n`;
  if (s.contact) text += `Contact: <${s.contact}>\r\n`;
  for (const [k, v] of s.headers ?? []) text += `${k}: ${v}\r\n`;
  if (s.contentType !== null) text += `Content-Type: ${s.contentType ?? 'text/plain'}\r\n`;
  text += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return parse(text, body);
}

/** A REGISTER (RFC 3261 §10.2). */
export function register(s: { aor?: string; contact?: string; expires?: number; allow?: string; headers?: Array<[string, string]> } = {}): SipRequest {
  const n = ++seq;
  const aor = s.aor ?? 'sip:bob@example.com';
  let text = `REGISTER sip:example.com SIP/2.0\r\n`;
  text += `Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-r${n}\r\n`;
  text += 'Max-Forwards: 70\r\n';
  text += `From: <${aor}>;tag=r${n}\r\n`;
  text += `To: <${aor}>\r\n`;
  text += `Call-ID: reg-${n}\r\n`;
  text += `CSeq: ${n} REGISTER\r\n`;
  if (s.contact !== undefined) text += `Contact: ${s.contact}\r\n`;
  if (s.expires !== undefined) text += `Expires: ${s.expires}\r\n`;
  if (s.allow !== undefined) text += `Allow: ${s.allow}\r\n`;
  for (const [k, v] of s.headers ?? []) text += `${k}: ${v}\r\n`;
  text += 'Content-Length: 0\r\n\r\n';
  return parse(text);
}

export interface Sent {
  req: SipRequest;
  opts: SendOptions;
  /** Settles this send with a final status (deferred mode). */
  answer(status: number): void;
}

/**
 * A sender whose answers the test scripts: `reply(req, opts)` returns the
 * status (immediate), or `'defer'` to settle later via `sent[i].answer()`.
 */
export class FakeSender implements SiloSender {
  readonly sent: Sent[] = [];
  reply: (req: SipRequest, opts: SendOptions) => number | 'defer' | 'throw' = () => 200;

  send(req: SipRequest, opts: SendOptions): Promise<{ status: number }> {
    return new Promise((resolve, reject) => {
      const entry: Sent = { req, opts, answer: (status) => resolve({ status }) };
      this.sent.push(entry);
      const r = this.reply(req, opts);
      if (r === 'throw') reject(new Error('transport closed'));
      else if (r !== 'defer') resolve({ status: r });
    });
  }

  /** Requests sent for a purpose. */
  of(purpose: SendOptions['purpose']): Sent[] {
    return this.sent.filter((s) => s.opts.purpose === purpose);
  }

  bodies(purpose: SendOptions['purpose'] = 'dump'): string[] {
    return this.of(purpose).map((s) => s.req.body.toString('utf8'));
  }
}

export class FakeLocator implements SiloLocator {
  readonly bindings = new Map<string, SiloDestination[]>();
  lookup(aor: string): SiloDestination[] {
    return this.bindings.get(aor) ?? [];
  }
}

export interface Rig {
  silo: MessageSilo;
  store: MemorySiloStore;
  sender: FakeSender;
  locator: FakeLocator;
  scheduler: ManualScheduler;
  clock: ManualClock;
  stats: StatsRegistry;
  events: Array<{ name: keyof MsiloEventMap; payload: MsiloEventMap[keyof MsiloEventMap] }>;
  warnings: string[];
  stat(name: string): number;
}

/** 2025-01-01T00:00:00Z: a clock far from 0 so Unix seconds look real. */
export const T0 = Date.UTC(2025, 0, 1);

/** An engine over the in-memory store with a scripted sender and a manual clock. */
export function rig(cfg: Partial<Record<keyof MsiloConfig, unknown>> = {}, extra: Partial<MessageSiloDeps> & { withLocator?: boolean } = {}): Rig {
  const clock = new ManualClock(T0);
  const scheduler = new ManualScheduler(clock);
  const store = new MemorySiloStore();
  const sender = new FakeSender();
  const locator = new FakeLocator();
  const stats = new StatsRegistry();
  const bus = new EventBus<MsiloEventMap>();
  const events: Rig['events'] = [];
  bus.onAny((name, payload) => events.push({ name, payload }));
  const warnings: string[] = [];
  const { withLocator, ...deps } = extra;
  const silo = new MessageSilo({
    config: config(cfg),
    store,
    sender,
    clock,
    scheduler,
    stats,
    events: bus,
    log: { warn: (m) => warnings.push(m) },
    ...(withLocator ? { locator } : {}),
    ...deps,
  });
  return { silo, store, sender, locator, scheduler, clock, stats, events, warnings, stat: (n) => stats.get(n)!.read() };
}

/** Lets pending promise callbacks run (for deferred sends). */
export async function flushMicrotasks(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/**
 * Moves the rig's clock forward `ms` in steps of `step`, letting the work
 * each timer starts finish before the next step (timers fire as they would
 * in real time, each run seeing its own instant).
 */
export async function advance(r: Pick<Rig, 'scheduler' | 'silo'>, ms: number, step = 1000): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    r.scheduler.advance(Math.min(step, ms - done));
    await r.silo.settled();
  }
}
