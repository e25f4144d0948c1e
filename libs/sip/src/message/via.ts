import { isIPv6 } from 'node:net';
import { HOSTCHAR } from './char-classes.js';
import { cursor, fail, parseDigits, parseGenericParams, scanToken, skipWs } from './lexer.js';
import { Params } from './params.js';
import { classifyHost, type HostType } from './uri.js';

/**
 * One via-parm (RFC 3261 §20.42, §18.2.1; RFC 3581 rport):
 * `SIP/2.0/UDP host:port;branch=z9hG4bK…;received=…;rport=…`.
 */
export class Via {
  constructor(
    public protocolName: string,
    public protocolVersion: string,
    /** Transport as written (case-insensitive token); see `transportUpper`. */
    public transport: string,
    /** sent-by host as written; IPv6 references keep their brackets. */
    public host: string,
    public hostType: HostType,
    public port: number | null,
    public params: Params = new Params(),
  ) {}

  get transportUpper(): string {
    return this.transport.toUpperCase();
  }

  get branch(): string | undefined {
    return this.params.get('branch') ?? undefined;
  }

  /** True when the branch carries the RFC 3261 magic cookie (§8.1.1.7). */
  get rfc3261Branch(): boolean {
    const b = this.branch;
    return b !== undefined && b.startsWith('z9hG4bK');
  }

  get received(): string | undefined {
    return this.params.get('received') ?? undefined;
  }

  /**
   * RFC 3581 rport: `undefined` when absent, `null` when present without a
   * value (the request form), else the port number (NaN if malformed).
   */
  get rport(): number | null | undefined {
    const v = this.params.get('rport');
    if (v === undefined) return undefined;
    if (v === null) return null;
    const n = parseDigits(v, 0, v.length, 65535);
    return n < 0 ? NaN : n;
  }

  get maddr(): string | undefined {
    return this.params.get('maddr') ?? undefined;
  }

  get ttl(): number | undefined {
    const v = this.params.get('ttl');
    return v ? Number(v) : undefined;
  }

  /** sent-by as `host[:port]`. */
  get sentBy(): string {
    return this.port === null ? this.host : `${this.host}:${this.port}`;
  }

  clone(): Via {
    return new Via(this.protocolName, this.protocolVersion, this.transport, this.host, this.hostType, this.port, this.params.clone());
  }

  toString(): string {
    return `${this.protocolName}/${this.protocolVersion}/${this.transport} ${this.sentBy}${this.params.toString()}`;
  }
}

function slashAt(s: string, i: number, end: number): number {
  i = skipWs(s, i, end);
  if (i >= end || s.charCodeAt(i) !== 0x2f) fail('malformed sent-protocol');
  return skipWs(s, i + 1, end);
}

/** Parses one via-parm at s[i]; stops at a top-level ',' or end (cursor.pos). */
export function parseViaAt(s: string, i: number, end: number): Via {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const HOSTCHAR_ = HOSTCHAR;
  i = skipWs(s, i, end);
  let protocolName: string;
  let protocolVersion: string;
  let transport: string;
  let e: number;
  // Fast path for the form every stack sends: "SIP/2.0/<known transport> " —
  // constant strings, no slicing. Anything else takes the general grammar below.
  const known = s.startsWith('SIP/2.0/', i) ? knownTransport(s, i + 8, end) : null;
  if (known !== null) {
    protocolName = 'SIP';
    protocolVersion = '2.0';
    transport = known;
    e = i + 8 + known.length;
  } else {
    e = scanToken(s, i, end);
    if (e === i) fail('missing protocol name');
    protocolName = s.slice(i, e);
    i = slashAt(s, e, end);
    e = scanToken(s, i, end);
    if (e === i) fail('missing protocol version');
    protocolVersion = s.slice(i, e);
    i = slashAt(s, e, end);
    e = scanToken(s, i, end);
    if (e === i) fail('missing transport');
    transport = s.slice(i, e);
  }
  i = skipWs(s, e, end);
  if (i === e) fail('missing whitespace before sent-by');
  // sent-by = host [ COLON port ]
  let host: string;
  let hostType: HostType;
  if (i < end && s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0 || close >= end || !isIPv6(s.slice(i + 1, close))) fail('invalid IPv6 reference in sent-by');
    host = s.slice(i, close + 1);
    hostType = 'ipv6';
    i = close + 1;
  } else {
    const hs = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c > 255 || HOSTCHAR_[c] === 0) break;
      i++;
    }
    if (i === hs) fail('missing sent-by host');
    hostType = classifyHost(s, hs, i);
    host = s.slice(hs, i);
  }
  let port: number | null = null;
  let j = skipWs(s, i, end);
  if (j < end && s.charCodeAt(j) === 0x3a) {
    j = skipWs(s, j + 1, end);
    let pe = j;
    while (pe < end && s.charCodeAt(pe) >= 0x30 && s.charCodeAt(pe) <= 0x39) pe++;
    port = parseDigits(s, j, pe, 65535);
    if (port < 0) fail('invalid port in sent-by');
    i = pe;
  }
  let params: Params;
  j = skipWs(s, i, end);
  if (j < end && s.charCodeAt(j) === 0x3b) {
    const kv: Array<string | null> = [];
    i = parseGenericParams(s, j, end, kv, true);
    params = new Params(kv);
  } else {
    i = j;
    params = new Params();
    if (i < end && s.charCodeAt(i) !== 0x2c) fail(`unexpected ${JSON.stringify(s[i])} in Via`);
  }
  cursor.pos = i;
  return new Via(protocolName, protocolVersion, transport, host, hostType, port, params);
}

const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'];

/** A known upper-case transport at s[i] followed by SP/HTAB, else null. */
function knownTransport(s: string, i: number, end: number): string | null {
  for (const t of TRANSPORTS) {
    const e = i + t.length;
    if (e < end && s.startsWith(t, i)) {
      const c = s.charCodeAt(e);
      if (c === 0x20 || c === 0x09) return t;
    }
  }
  return null;
}

/** Parses every via-parm of one Via header value, s[a,b), into out. */
export function parseViaList(s: string, a: number, b: number, out: Via[]): void {
  let i = a;
  for (;;) {
    out.push(parseViaAt(s, i, b));
    i = cursor.pos;
    if (i >= b) return;
    i = skipWs(s, i + 1, b);
    if (i >= b) fail('empty Via list element');
  }
}

/** Parses a single via-parm from a string (for building Vias). */
export function parseVia(s: string): Via {
  const v = parseViaAt(s, 0, s.length);
  if (cursor.pos !== s.length) fail('more than one via-parm');
  return v;
}

