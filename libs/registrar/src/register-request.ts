import { isIP } from 'node:net';
import { detach, Params, SipHeaderError, parseUri, uriEquals, unescape, type NameAddr, type Peer, type SipRequest, type SipUri, type TransportName, type Uri } from '@pbx/sip';
import { aorOf, type Aor, type AorOptions } from './aor.js';
import { formatSocket, sharedStrings } from './binding.js';
import type { RegistrarConfig } from './config.js';
import { RegistrarError } from './errors.js';
import { contactExpires } from './expires.js';
import { methodMask } from './methods.js';

/** Column sizes of the `location` table (Kamailio usrloc), enforced in every db_mode so a binding always fits. */
export const LIMITS = { contact: 512, received: 255, path: 512, callId: 255, userAgent: 255, instance: 255, socket: 64 } as const;

/** Per-request overrides: Kamailio's save() flags and $xavp(reg=>…) (registrar.xavp_cfg). */
export interface SaveOptions {
  /** The authenticated AoR (the To URI once auth checked it); default the To URI. */
  aor?: Uri | string;
  /** To tag of the reply (RFC 3261 §8.2.6.2); default a fresh one. */
  toTag?: string;
  /** save() flag 0x01: keep these bindings in memory only; default registrar.memory_only. */
  memoryOnly?: boolean;
  /** save() flag 0x04: one binding per AoR; default registrar.single_contact. */
  singleContact?: boolean;
  /** xavp_cfg max_contacts: overrides registrar.max_contacts for this REGISTER. */
  maxContacts?: number;
  /** xavp_cfg q: overrides the contacts' q (0..1000). */
  q?: number;
  /** xavp_cfg socket: the local socket to store, `proto:ip:port`. */
  socket?: string;
  /** Message flags set by the routing policy; with bit registrar.sock_flag set the socket is read from registrar.sock_hdr_name. */
  messageFlags?: number;
}

/** One Contact of the REGISTER, validated. */
export interface ContactSpec {
  readonly uri: SipUri;
  /** The URI as text (what is stored and compared); may be a view on the REGISTER until stored. */
  readonly text: string;
  /** Seconds; 0 removes the binding. */
  readonly expires: number;
  /** Thousandths. */
  readonly q: number;
  readonly instance: string | null;
  /** 0 when absent or ignored (RFC 5626 §6). */
  readonly regId: number;
  readonly methods: number | null;
  /** NAT: the source as a URI when the Contact does not name it. */
  readonly received: string | null;
}

/** The local socket and remote hop a REGISTER came over. */
export interface Flow {
  readonly transport: TransportName;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly connectionId: number;
}

/**
 * A REGISTER read and checked against everything that does not depend on
 * the stored bindings. Strings may still be views on the message: the
 * bindings made from it copy them (or reuse the stored equal ones).
 */
export interface RegisterRequest {
  readonly aor: Aor;
  /** `Contact: *` (with Expires: 0). */
  readonly star: boolean;
  /** Empty for a query (and for `*`). */
  readonly contacts: readonly ContactSpec[];
  readonly callId: string;
  readonly cseq: number;
  /** The Path vector to store (use_path), or null. */
  readonly path: string | null;
  /** The Path to echo in the 200 (path_mode 1 with Supported: path, or 2), or null. */
  readonly replyPath: string | null;
  readonly userAgent: string;
  /** Supported: gruu and gruu_enabled: the 200 carries pub-gruu and temp-gruu (RFC 5627 §5.2). */
  readonly gruu: boolean;
  /** Outbound applied (RFC 5626 §6): Require: outbound (and Flow-Timer) in the 200. */
  readonly outbound: boolean;
  readonly flow: Flow;
  readonly memoryOnly: boolean;
  readonly singleContact: boolean;
  readonly maxContacts: number;
  /** Branch flags to store (usrloc.nat_bflag when behind NAT). */
  readonly natFlag: number;
}

export interface ReadContext {
  cfg: RegistrarConfig;
  aorOptions: AorOptions;
  /** usrloc.nat_bflag (-1 none). */
  natBflag: number;
  random: () => number;
}

const DEFAULT_PORT: Record<TransportName, number> = { udp: 5060, tcp: 5060, ws: 80, tls: 5061, wss: 443 };

/** Runs a header accessor, turning its SipHeaderError into a 400 that names the header and the problem. */
function header<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw headerError(e);
  }
}

/** An option tag this registrar supports as configured (RFC 3261 §8.2.2.3). */
function knownTag(cfg: RegistrarConfig, tag: string): boolean {
  return (tag === 'path' && cfg.use_path === 1) || (tag === 'outbound' && cfg.outbound_mode !== 0) || (tag === 'gruu' && cfg.gruu_enabled === 1);
}

/** Whether an option-tag list (Supported, Require) names `tag` (lower case), compared case-insensitively. */
function hasTag(list: readonly string[], tag: string): boolean {
  for (const t of list) if (t.length === tag.length && t.toLowerCase() === tag) return true;
  return false;
}

/** A SipHeaderError as the 400 that names the header and the problem; anything else unchanged. */
function headerError(e: unknown): unknown {
  return e instanceof SipHeaderError ? new RegistrarError('bad_header', `${e.header}: ${e.detail}`) : e;
}

/**
 * Reads a REGISTER (RFC 3261 §10.3 steps 1–6 and the request-only part of
 * step 7) into a RegisterRequest, or throws the RegistrarError to answer
 * with. Nothing here looks at or changes the stored bindings, so every
 * rejection leaves them as they were. Checks run in Kamailio's order:
 * headers, option tags (Require, outbound_mode), each Contact, `*`, Path
 * (path_mode), outbound first hop (439), expiry (423).
 */
export function readRegister(req: SipRequest, source: Peer, opts: SaveOptions, ctx: ReadContext): RegisterRequest {
  const cfg = ctx.cfg;
  let aorUri: Uri | string;
  let contact: ReturnType<SipRequest['contact']>;
  let expiresHeader: number | undefined;
  let supported: readonly string[];
  let require: readonly string[];
  // One guard for the headers every REGISTER reads (a closure per header would cost an allocation each).
  try {
    aorUri = opts.aor ?? req.to().uri;
    contact = req.contact();
    expiresHeader = req.expires();
    supported = req.supported();
    require = req.require();
  } catch (e) {
    throw headerError(e);
  }
  const aor = aorOf(aorUri, ctx.aorOptions);
  const callId = req.callId();
  if (callId.length > LIMITS.callId) throw new RegistrarError('callid_too_long');
  const cseq = req.cseq().seq;

  // RFC 3261 §8.2.2.3: a UAS answers 420 listing the Require option tags it does not support.
  if (require.length) {
    const unknown = require.filter((t) => !knownTag(cfg, t.toLowerCase()));
    if (unknown.length) {
      const onlyOutbound = unknown.length === 1 && unknown[0]!.toLowerCase() === 'outbound';
      throw new RegistrarError(onlyOutbound ? 'outbound_unsupported' : 'extension_unsupported', undefined, { unsupported: unknown });
    }
  }
  const clientOutbound = hasTag(supported, 'outbound') || hasTag(require, 'outbound');
  // seed §3.26, outbound_mode 2: "reject REGISTER requests that do not contain a Supported: header with the outbound options-tag".
  if (cfg.outbound_mode === 2 && !clientOutbound) throw new RegistrarError('outbound_required');

  const names = contact.star ? [] : contact.list;
  const raw: Array<{ na: NameAddr; uri: SipUri; text: string; instance: string | null; regId: number }> = [];
  for (const na of names) raw.push(readContact(na, aorUri));

  // RFC 3261 §10.2.2 / §10.3 step 6: "*" only with Expires: 0 (the parser already refused "*" mixed with others).
  if (contact.star) {
    const starExpires = expiresHeader ?? starParamExpires(contact.params);
    if (starExpires !== 0) throw new RegistrarError('star_expires');
  }

  // Path (RFC 3327, seed §3.18–3.20).
  let path: string | null = null;
  let replyPath: string | null = null;
  let pathReceived: string | null = null;
  let firstPathOb = false;
  const pathValues = header(() => req.path());
  if (pathValues.length) {
    const first = header(() => pathValues[0]!.uri);
    for (const p of pathValues) header(() => p.uri);
    firstPathOb = first.kind === 'sip' && first.ob;
    if (cfg.use_path === 1) {
      const vector = req.getAll('Path').map((v) => v.trim()).join(',');
      const supportsPath = hasTag(supported, 'path');
      // path_mode 2 (RFC 3327 §5.3 as recommended): without Supported: path the REGISTER is refused.
      if (cfg.path_mode === 2 && !supportsPath) throw new RegistrarError('path_unsupported', undefined, { path: vector });
      if (vector.length > LIMITS.path) throw new RegistrarError('path_too_long');
      path = sharedStrings.get(vector);
      if (cfg.path_mode === 2 || (cfg.path_mode === 1 && supportsPath)) replyPath = path;
      if (cfg.path_use_received === 1 && first.kind === 'sip') {
        const r = first.params.get('received');
        if (r) pathReceived = unescape(r);
      }
    }
  }

  // RFC 5626 §6: outbound processing needs the registrar to be the first hop, or a first Path URI with ;ob.
  const hasRegId = raw.some((c) => c.regId > 0 && c.instance !== null);
  let obOk = true;
  if (cfg.outbound_mode !== 0) {
    const firstHop = header(() => req.vias()).length <= 1;
    obOk = firstHop || firstPathOb;
    if (!obOk && cfg.regid_mode === 0 && hasTag(supported, 'outbound') && hasRegId) throw new RegistrarError('first_hop_lacks_outbound');
  }
  // seed §3.27: regid_mode 0 ignores reg-id unless the REGISTER indicates outbound support; 1 always uses it.
  const useRegId = cfg.regid_mode === 1 || (clientOutbound && obOk);
  const outbound = cfg.outbound_mode !== 0 && clientOutbound && obOk && hasRegId;

  // Allow (seed §3.17, method_filtering): stored per binding; a `methods` Contact parameter wins.
  const allowHeader = req.has('Allow') ? methodMask(header(() => req.allow())) : null;
  const ua = req.userAgent();
  const userAgent = ua === undefined ? '' : sharedStrings.get(ua.length > LIMITS.userAgent ? ua.slice(0, LIMITS.userAgent) : ua);

  const flow = flowOf(source, req, opts, cfg);
  const qOverride = opts.q === undefined ? undefined : Math.min(1000, Math.max(0, Math.round(opts.q)));
  const specs: ContactSpec[] = [];
  for (const c of raw) {
    const p = c.na.expires;
    const expires = contactExpires(p, expiresHeader, cfg, ctx.random);
    const q = qOverride ?? (c.na.q === undefined ? cfg.default_q : Math.round(c.na.q * 1000));
    const methodsParam = c.na.params.get('methods');
    const methods = methodsParam ? methodMask(methodsParam.split(',').map((m) => m.trim()).filter(Boolean)) : allowHeader;
    let received: string | null = null;
    if (pathReceived !== null) received = pathReceived;
    else if (path === null && !reaches(c.uri, flow)) received = receivedUri(flow);
    if (received !== null && received.length > LIMITS.received) throw new RegistrarError('contact_too_long');
    specs.push({ uri: c.uri, text: c.text, expires, q, instance: c.instance, regId: useRegId ? c.regId : 0, methods, received });
  }
  // RFC 5626 §6: several Contacts with a non-zero expiration, one with reg-id, "SHOULD be rejected with a 400".
  if (useRegId) {
    const live = specs.filter((s) => s.expires > 0);
    if (live.length > 1 && live.some((s) => s.regId > 0 && s.instance !== null)) throw new RegistrarError('multiple_reg_id');
  }

  const natFlag = ctx.natBflag >= 0 ? 1 << ctx.natBflag : 0;
  return {
    aor,
    star: contact.star,
    contacts: specs,
    callId,
    cseq,
    path,
    replyPath,
    userAgent,
    gruu: cfg.gruu_enabled === 1 && hasTag(supported, 'gruu'),
    outbound,
    flow,
    memoryOnly: opts.memoryOnly ?? cfg.memory_only,
    singleContact: opts.singleContact ?? cfg.single_contact,
    maxContacts: opts.maxContacts ?? cfg.max_contacts,
    natFlag,
  };
}

/** One Contact value: a SIP/SIPS URI that parses, parameters with valid values, not a GRUU or the AoR itself. */
function readContact(na: NameAddr, aorUri: Uri | string): { na: NameAddr; uri: SipUri; text: string; instance: string | null; regId: number } {
  let uri: Uri;
  try {
    uri = na.uri;
  } catch (e) {
    if (e instanceof SipHeaderError) throw new RegistrarError('bad_contact_uri', e.detail);
    throw e;
  }
  if (uri.kind !== 'sip') throw new RegistrarError('bad_contact_uri', `not a SIP or SIPS URI (${uri.scheme}:)`);
  header(() => na.params);
  if (Number.isNaN(na.expires)) throw new RegistrarError('invalid_expires');
  if (Number.isNaN(na.q)) throw new RegistrarError('invalid_q');
  const regIdParam = na.regId;
  let regId = 0;
  if (regIdParam !== undefined) {
    if (Number.isNaN(regIdParam) || regIdParam < 1 || regIdParam > 2147483647) throw new RegistrarError('invalid_reg_id');
    regId = regIdParam;
  }
  const inst = na.instance;
  const instance = inst === undefined || inst === '' ? null : inst;
  if (instance !== null && instance.length > LIMITS.instance) throw new RegistrarError('instance_too_long');
  // RFC 5627 §5.1: a Contact that is a GRUU, or the AoR itself, would make the registrar route to itself.
  if (uri.params.has('gr')) throw new RegistrarError('contact_is_gruu');
  const aor = typeof aorUri === 'string' ? null : aorUri;
  if (aor !== null && aor.kind === 'sip' && uri.hostname === aor.hostname && uri.port === aor.port && uriEquals(withoutParams(uri), withoutParams(aor))) {
    throw new RegistrarError('contact_is_aor');
  }
  const text = uri.toString();
  if (text.length > LIMITS.contact) throw new RegistrarError('contact_too_long');
  return { na, uri, text, instance, regId };
}

function withoutParams(u: SipUri): SipUri {
  const c = u.clone();
  c.params = new Params();
  c.headers = null;
  return c;
}

/** `Contact: *;expires=0`, an unusual form some UAs send instead of the Expires header. */
function starParamExpires(params: { get(n: string): string | null | undefined } | null): number | undefined {
  const v = params?.get('expires');
  return v !== undefined && v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * The flow a REGISTER came over. The local socket is the listener's, or
 * with sock_flag set in the message flags the one named by sock_hdr_name
 * (seed §3.15–3.16), or the xavp_cfg-style `socket` override.
 */
function flowOf(source: Peer, req: SipRequest, opts: SaveOptions, cfg: RegistrarConfig): Flow {
  let localAddress = source.localAddress;
  let localPort = source.localPort;
  let sock = opts.socket;
  if (sock === undefined && cfg.sock_hdr_name && cfg.sock_flag >= 0 && ((opts.messageFlags ?? 0) & (1 << cfg.sock_flag)) !== 0) sock = req.get(cfg.sock_hdr_name);
  if (sock !== undefined) {
    const s = parseSocket(sock);
    if (s) {
      localAddress = s.address;
      localPort = s.port;
    }
  }
  return {
    transport: source.transport,
    sourceAddress: detach(source.address),
    sourcePort: source.port,
    localAddress: sharedStrings.get(localAddress),
    localPort,
    connectionId: source.transport === 'udp' ? 0 : source.connectionId,
  };
}

/** `proto:ip:port` (IPv6 in brackets) → parts; null when malformed. */
export function parseSocket(s: string): { transport: TransportName; address: string; port: number } | null {
  const m = /^(udp|tcp|tls|ws|wss):(\[[^\]]+\]|[^:]+):(\d{1,5})$/i.exec(s.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  const addr = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { transport: m[1]!.toLowerCase() as TransportName, address: addr, port };
}

/**
 * Whether a Contact URI names the hop the REGISTER came from: an IP host
 * equal to the source address, its port (or the transport's default) equal
 * to the source port, and the transport it implies equal to the one used.
 * When not, the phone is behind NAT (or on a stream connection with an
 * ephemeral port) and the source is stored as `received`.
 */
export function reaches(uri: SipUri, flow: Flow): boolean {
  if (uri.hostType === 'domain') return false;
  if (uri.hostname !== flow.sourceAddress.toLowerCase() || isIP(uri.hostname) === 0) return false;
  const t = (uri.transport ?? (uri.secure ? 'tls' : 'udp')) as TransportName;
  if (t !== flow.transport) return false;
  return (uri.port ?? DEFAULT_PORT[t] ?? 5060) === flow.sourcePort;
}

/** The source as Kamailio's received URI: `sip:ip:port`, plus `;transport=x` for anything but UDP. */
export function receivedUri(flow: Flow): string {
  const host = flow.sourceAddress.includes(':') ? `[${flow.sourceAddress}]` : flow.sourceAddress;
  return `sip:${host}:${flow.sourcePort}${flow.transport === 'udp' ? '' : `;transport=${flow.transport}`}`;
}

/** The local socket column of a flow. */
export function flowSocket(flow: Flow): string {
  return formatSocket(flow.transport, flow.localAddress, flow.localPort);
}

/** The address, port and transport a received URI or contact names (RFC 3263 defaults for absent parts). */
export function hopOf(uri: string): { transport: TransportName; address: string; port: number } {
  const p = parseUri(uri);
  if (!p.ok || p.uri.kind !== 'sip') return { transport: 'udp', address: '', port: 0 };
  const u = p.uri;
  const t = (u.transport ?? (u.secure ? 'tls' : 'udp')) as TransportName;
  const port = u.port ?? (t === 'tls' ? 5061 : t === 'ws' ? 80 : t === 'wss' ? 443 : 5060);
  return { transport: t, address: u.hostname, port };
}
