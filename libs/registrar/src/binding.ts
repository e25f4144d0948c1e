import { detach, type TransportName } from '@pbx/sip';
import { methodNames } from './methods.js';

/** usrloc contact flag FL_MEM (Kamailio usrloc/ucontact.h): the binding is never written to the database (save() flag 0x01). */
export const FL_MEM = 1;

/**
 * One binding of an address-of-record (Kamailio usrloc's ucontact, RFC 3261
 * §10.3): the fields of the `location` table plus the flow the REGISTER
 * arrived on. Immutable: an update makes a new Binding, so a snapshot handed
 * to the database writer or to an event never changes under it, and a
 * rejected REGISTER leaves the old objects exactly as they were.
 *
 * Strings are kept as short flat copies (see `detach`) so a binding does not
 * pin the whole REGISTER it came from in memory.
 */
export class Binding {
  /** Record unique id (Kamailio sruid): names the binding in the database, the API and the temp-GRUU. */
  readonly ruid: string;
  /** The AoR key: `user` or `user@domain` (usrloc.use_domain), folded per registrar.case_sensitive. */
  readonly aor: string;
  /** The Contact URI as registered, without the header parameters. */
  readonly contact: string;
  /** Where requests really go when the Contact is not reachable as written (NAT): `sip:ip:port[;transport=x]`. */
  readonly received: string | null;
  /** The Path vector (RFC 3327), `<uri>,<uri>` as received, top first; null without Path. */
  readonly path: string | null;
  /** Absolute expiry, epoch milliseconds. */
  readonly expires: number;
  /** q in thousandths, 0..1000 (Kamailio qvalue_t). */
  readonly q: number;
  readonly callId: string;
  readonly cseq: number;
  /** usrloc flags (FL_MEM…). */
  readonly flags: number;
  /** Branch flags (usrloc.nat_bflag for contacts behind NAT). */
  readonly cflags: number;
  readonly userAgent: string;
  /** Allowed methods as Kamailio's bit mask; null = every method (no Allow header). */
  readonly methods: number | null;
  /** `+sip.instance` as sent (unquoted), e.g. `<urn:uuid:…>`; null without one. */
  readonly instance: string | null;
  /** RFC 5626 reg-id, 0 = none (or ignored). */
  readonly regId: number;
  /** usrloc.server_id of the node that saved it. */
  readonly serverId: number;
  /** Stream connection the REGISTER came on (0 = UDP or unknown). */
  readonly connectionId: number;
  readonly keepalive: number;
  /** Epoch milliseconds of the last change. */
  readonly lastModified: number;
  /** The hop the REGISTER came from: transport, remote address and port, and the local socket. */
  readonly transport: TransportName;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly localAddress: string;
  readonly localPort: number;

  constructor(init: BindingInit) {
    this.ruid = init.ruid;
    this.aor = init.aor;
    this.contact = init.contact;
    this.received = init.received;
    this.path = init.path;
    this.expires = init.expires;
    this.q = init.q;
    this.callId = init.callId;
    this.cseq = init.cseq;
    this.flags = init.flags;
    this.cflags = init.cflags;
    this.userAgent = init.userAgent;
    this.methods = init.methods;
    this.instance = init.instance;
    this.regId = init.regId;
    this.serverId = init.serverId;
    this.connectionId = init.connectionId;
    this.keepalive = init.keepalive;
    this.lastModified = init.lastModified;
    this.transport = init.transport;
    this.sourceAddress = init.sourceAddress;
    this.sourcePort = init.sourcePort;
    this.localAddress = init.localAddress;
    this.localPort = init.localPort;
  }

  /** A copy with some fields changed (refresh, connection reset). */
  with(changes: Partial<BindingInit>): Binding {
    return new Binding({ ...this.init(), ...changes });
  }

  init(): BindingInit {
    return {
      ruid: this.ruid,
      aor: this.aor,
      contact: this.contact,
      received: this.received,
      path: this.path,
      expires: this.expires,
      q: this.q,
      callId: this.callId,
      cseq: this.cseq,
      flags: this.flags,
      cflags: this.cflags,
      userAgent: this.userAgent,
      methods: this.methods,
      instance: this.instance,
      regId: this.regId,
      serverId: this.serverId,
      connectionId: this.connectionId,
      keepalive: this.keepalive,
      lastModified: this.lastModified,
      transport: this.transport,
      sourceAddress: this.sourceAddress,
      sourcePort: this.sourcePort,
      localAddress: this.localAddress,
      localPort: this.localPort,
    };
  }

  /** Kamailio's socket column: `proto:ip:port` of the local socket (IPv6 in brackets). */
  get socket(): string {
    return formatSocket(this.transport, this.localAddress, this.localPort);
  }

  /** An RFC 5626 flow: registered with an instance and a reg-id honoured. */
  get isFlow(): boolean {
    return this.regId > 0 && this.instance !== null;
  }

  /** Seconds left (never negative), as the 200 OK and the API show them. */
  remaining(now: number): number {
    return Math.max(0, Math.ceil((this.expires - now) / 1000));
  }

  /** Plain JSON with `expires` counted from `now` (the service's clock). */
  json(now: number): BindingJson {
    return bindingJson(this, now);
  }

  /** JSON.stringify: counted from the system clock (it passes a key, not a time). */
  toJSON(): BindingJson {
    return bindingJson(this, Date.now());
  }
}

/** All fields of a Binding, as given to its constructor. */
export type BindingInit = { -readonly [K in keyof BindingFields]: BindingFields[K] };
type BindingFields = Pick<
  Binding,
  | 'ruid' | 'aor' | 'contact' | 'received' | 'path' | 'expires' | 'q' | 'callId' | 'cseq' | 'flags' | 'cflags' | 'userAgent'
  | 'methods' | 'instance' | 'regId' | 'serverId' | 'connectionId' | 'keepalive' | 'lastModified' | 'transport'
  | 'sourceAddress' | 'sourcePort' | 'localAddress' | 'localPort'
>;

/**
 * A binding as plain JSON, for events and the admin API: Kamailio's
 * reg_fetch_contacts attributes ($ulc) under camelCase names.
 */
export interface BindingJson {
  ruid: string;
  aor: string;
  contact: string;
  received: string | null;
  /** Path values, top first. */
  path: string[];
  /** Seconds left. */
  expires: number;
  /** Absolute expiry, epoch milliseconds. */
  expiresAt: number;
  /** 0..1 */
  q: number;
  callId: string;
  cseq: number;
  flags: number;
  cflags: number;
  userAgent: string;
  socket: string;
  /** Allowed methods; null = every method. */
  methods: string[] | null;
  instance: string | null;
  regId: number;
  serverId: number;
  connectionId: number;
  /** The hop the REGISTER came from, `proto:ip:port`. */
  source: string;
  lastModified: number;
}

export function bindingJson(b: Binding, now: number): BindingJson {
  return {
    ruid: b.ruid,
    aor: b.aor,
    contact: b.contact,
    received: b.received,
    path: splitPath(b.path),
    expires: b.remaining(now),
    expiresAt: b.expires,
    q: b.q / 1000,
    callId: b.callId,
    cseq: b.cseq,
    flags: b.flags,
    cflags: b.cflags,
    userAgent: b.userAgent,
    socket: b.socket,
    methods: methodNames(b.methods),
    instance: b.instance,
    regId: b.regId,
    serverId: b.serverId,
    connectionId: b.connectionId,
    source: formatSocket(b.transport, b.sourceAddress, b.sourcePort),
    lastModified: b.lastModified,
  };
}

/** `proto:ip:port`, IPv6 addresses in brackets (Kamailio socket_info sock_str). */
export function formatSocket(transport: string, address: string, port: number): string {
  return `${transport}:${address.includes(':') && !address.startsWith('[') ? `[${address}]` : address}:${port}`;
}

/** The stored Path vector as its values, top first. */
export function splitPath(path: string | null): string[] {
  if (path === null || path === '') return [];
  const out: string[] = [];
  let start = 0;
  let angle = false;
  let quote = false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (quote) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quote = false;
    } else if (c === 0x22) quote = true;
    else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === 0x2c && !angle) {
      out.push(path.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(path.slice(start).trim());
  return out.filter((v) => v !== '');
}

/**
 * Strings many bindings share (user agents, Path vectors, socket
 * addresses): one copy each, kept in a bounded table. At a million
 * bindings from a few phone models this saves most of their size.
 */
export class StringPool {
  private readonly map = new Map<string, string>();
  constructor(private readonly max = 10_000) {}

  get(s: string): string {
    const hit = this.map.get(s);
    if (hit !== undefined) return hit;
    const copy = detach(s);
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(copy, copy);
    return copy;
  }
}

/** The pool register-request.ts and the store use for shared strings. */
export const sharedStrings = new StringPool();
