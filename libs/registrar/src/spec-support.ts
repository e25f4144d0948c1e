/**
 * Helpers for the registrar specs (not part of the package surface): a
 * REGISTER builder, peers, and a registrar + location wired to a
 * ManualClock, a MemoryLocationStore and a StatsRegistry.
 */
import { ManualClock, StatsRegistry } from '@pbx/core';
import { parseMessage, type Peer, type SipRequest, type SipResponse, type SipUri, type TransportName } from '@pbx/sip';
import { registrarConfigSchema, usrlocConfigSchema, type RegistrarConfig, type UsrlocConfig } from './config.js';
import { Location, type RegistrationChange, type Timers } from './location.js';
import { MemoryLocationStore } from './memory-location-store.js';
import { Registrar } from './registrar.js';
import type { SaveOptions } from './register-request.js';

/** Start of the spec clock: 2025-01-01T00:00:00Z. */
export const T0 = Date.UTC(2025, 0, 1);

export interface RegisterSpec {
  /** To (and From) URI; default sip:alice@example.com. */
  to?: string;
  /** Contact header values (each one header line); omit for a query. */
  contact?: string | string[];
  expires?: number | string;
  callId?: string;
  cseq?: number;
  /** Extra headers, in order. */
  headers?: Array<[string, string]>;
  /** Via lines (top first); default one UDP Via from 192.0.2.10. */
  vias?: string[];
}

let branch = 0;

export function registerRequest(s: RegisterSpec = {}): SipRequest {
  const to = s.to ?? 'sip:alice@example.com';
  const lines = ['REGISTER sip:example.com SIP/2.0'];
  for (const v of s.vias ?? ['SIP/2.0/UDP 192.0.2.10:5060']) lines.push(`Via: ${v};branch=z9hG4bK-${++branch}`);
  lines.push('Max-Forwards: 70', `From: <${to}>;tag=f1`, `To: <${to}>`, `Call-ID: ${s.callId ?? 'reg-1@192.0.2.10'}`, `CSeq: ${s.cseq ?? 1} REGISTER`);
  const contacts = s.contact === undefined ? [] : Array.isArray(s.contact) ? s.contact : [s.contact];
  for (const c of contacts) lines.push(`Contact: ${c}`);
  if (s.expires !== undefined) lines.push(`Expires: ${s.expires}`);
  for (const [n, v] of s.headers ?? []) lines.push(`${n}: ${v}`);
  lines.push('Content-Length: 0', '', '');
  const r = parseMessage(Buffer.from(lines.join('\r\n'), 'latin1'));
  if (!r.ok || r.message.kind !== 'request') throw new Error(`bad spec REGISTER: ${r.ok ? 'response' : r.error.reason}`);
  return r.message;
}

export function peer(p: Partial<Peer> & { transport?: TransportName } = {}): Peer {
  const transport = p.transport ?? 'udp';
  return {
    transport,
    address: p.address ?? '192.0.2.10',
    port: p.port ?? 5060,
    connectionId: p.connectionId ?? (transport === 'udp' ? 0 : 7),
    localAddress: p.localAddress ?? '198.51.100.1',
    localPort: p.localPort ?? 5060,
  };
}

/** Timers the spec fires by hand. */
export class ManualTimers implements Timers {
  readonly active = new Map<number, { fn: () => void; ms: number }>();
  private n = 0;
  setInterval(fn: () => void, ms: number): unknown {
    this.active.set(++this.n, { fn, ms });
    return this.n;
  }
  clearInterval(h: unknown): void {
    this.active.delete(h as number);
  }
  fire(ms: number): void {
    for (const t of this.active.values()) if (t.ms === ms) t.fn();
  }
}

export interface Setup {
  clock: ManualClock;
  stats: StatsRegistry;
  store: MemoryLocationStore;
  location: Location;
  registrar: Registrar;
  events: RegistrationChange[];
  timers: ManualTimers;
  closed: number[];
  save(req: SipRequest, source?: Peer, opts?: SaveOptions): Promise<SipResponse>;
}

export function setup(
  registrar: Partial<Record<keyof RegistrarConfig, unknown>> = {},
  usrloc: Partial<Record<keyof UsrlocConfig, unknown>> = {},
  more: { store?: MemoryLocationStore; clock?: ManualClock; random?: () => number; isLocal?: (u: SipUri) => boolean; watched?: () => boolean } = {},
): Setup {
  const clock = more.clock ?? new ManualClock(T0);
  const stats = new StatsRegistry();
  const store = more.store ?? new MemoryLocationStore();
  const events: RegistrationChange[] = [];
  const timers = new ManualTimers();
  const closed: number[] = [];
  const ulCfg = usrlocConfigSchema.parse({ db_mode: 0, ...usrloc });
  const regCfg = registrarConfigSchema.parse(registrar);
  const location = new Location({
    config: ulCfg,
    clock,
    store,
    stats,
    timers,
    onChange: (e) => events.push(e),
    ...(more.watched ? { watched: more.watched } : {}),
    closeConnection: (id) => closed.push(id),
    defer: (fn) => queueMicrotask(fn),
  });
  const reg = new Registrar({ config: regCfg, location, clock, stats, random: more.random ?? (() => 0.5), isLocal: more.isLocal, toTagOf: () => 'tag1' });
  return { clock, stats, store, location, registrar: reg, events, timers, closed, save: (req, source = peer(), opts) => reg.save(req, source, opts) };
}

/** The Contact values of a response, split at top-level commas. */
export function contactsOf(res: SipResponse): string[] {
  return res.getList('Contact');
}

/** `expires` of the 200's Contact value for a URI. */
export function expiresOf(res: SipResponse, uri: string): number | undefined {
  const v = contactsOf(res).find((c) => c.startsWith(`<${uri}>`));
  const m = v && /;expires=(\d+)/.exec(v);
  return m ? Number(m[1]) : undefined;
}
