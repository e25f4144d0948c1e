import { isIPv6 } from 'node:net';
import { HOSTCHAR } from './char-classes.js';
import { bytesOf, cursor, fail, findParam, found, NO_BYTES, parseDigits, parseDigitsAt, parseGenericParams, scanToken, skipGenericParams, skipWs } from './lexer.js';
import { Params, unquote } from './params.js';
import { classifyHost, type HostType } from './uri.js';

/**
 * One via-parm (RFC 3261 §20.42, §18.2.1; RFC 3581 rport):
 * `SIP/2.0/UDP host:port;branch=z9hG4bK…;received=…;rport=…`.
 */
export class Via {
  private _params: Params | undefined = undefined;
  // Lazy parameters: the validated `;…` span of the received value, decoded on first `params` access.
  private psrc = '';
  private pbytes: Uint8Array = NO_BYTES;
  private ps = 0;
  private pe = 0;

  constructor(
    public protocolName: string,
    public protocolVersion: string,
    /** Transport as written (case-insensitive token); see `transportUpper`. */
    public transport: string,
    /** sent-by host as written; IPv6 references keep their brackets. */
    public host: string,
    public hostType: HostType,
    public port: number | null,
    params?: Params,
  ) {
    if (params !== undefined) this._params = params;
  }

  /** @internal parameters validated by the parser, decoded on first access. */
  lazyParams(src: string, bytes: Uint8Array, ps: number, pe: number): this {
    this.psrc = src;
    this.pbytes = bytes;
    this.ps = ps;
    this.pe = pe;
    return this;
  }

  /** via-params (§20.42), decoded on first access. */
  get params(): Params {
    if (this._params === undefined) {
      const kv: Array<string | null> = [];
      if (this.pe > this.ps) parseGenericParams(this.psrc, this.pbytes, this.ps, this.pe, kv, true);
      this._params = new Params(kv);
    }
    return this._params;
  }
  set params(p: Params) {
    this._params = p;
  }

  /** One parameter, unquoted (undefined: absent, null: no value), without decoding the others. */
  private param(lname: string): string | null | undefined {
    if (this._params !== undefined) return this._params.get(lname);
    if (this.pe <= this.ps || !findParam(this.pbytes, this.ps, this.pe, lname)) return undefined;
    return found.vs < 0 ? null : unquote(this.psrc.slice(found.vs, found.ve));
  }

  get transportUpper(): string {
    return this.transport.toUpperCase();
  }

  get branch(): string | undefined {
    return this.param('branch') ?? undefined;
  }

  /** True when the branch carries the RFC 3261 magic cookie (§8.1.1.7). */
  get rfc3261Branch(): boolean {
    const b = this.branch;
    return b !== undefined && b.startsWith('z9hG4bK');
  }

  get received(): string | undefined {
    return this.param('received') ?? undefined;
  }

  /**
   * RFC 3581 rport: `undefined` when absent, `null` when present without a
   * value (the request form), else the port number (NaN if malformed).
   */
  get rport(): number | null | undefined {
    const v = this.param('rport');
    if (v === undefined) return undefined;
    if (v === null) return null;
    const n = parseDigits(v, 0, v.length, 65535);
    return n < 0 ? NaN : n;
  }

  get maddr(): string | undefined {
    return this.param('maddr') ?? undefined;
  }

  get ttl(): number | undefined {
    const v = this.param('ttl');
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

function slashAt(u: Uint8Array, i: number, end: number): number {
  i = skipWs(u, i, end);
  if (i >= end || u[i]! !== 0x2f) fail('malformed sent-protocol');
  return skipWs(u, i + 1, end);
}

/** Parses one via-parm at s[i] (u: its bytes); stops at a top-level ',' or end (cursor.pos). */
export function parseViaAt(s: string, u: Uint8Array, i: number, end: number): Via {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const HOSTCHAR_ = HOSTCHAR;
  i = skipWs(u, i, end);
  let protocolName: string;
  let protocolVersion: string;
  let transport: string;
  let e: number;
  // Fast path for the form every stack sends: "SIP/2.0/<known transport> " —
  // constant strings, no slicing. Anything else takes the general grammar below.
  const known = u[i] === 0x53 && u[i + 1] === 0x49 && u[i + 2] === 0x50 && u[i + 3] === 0x2f && u[i + 4] === 0x32 && u[i + 5] === 0x2e && u[i + 6] === 0x30 && u[i + 7] === 0x2f ? knownTransport(u, i + 8, end) : null;
  if (known !== null) {
    protocolName = 'SIP';
    protocolVersion = '2.0';
    transport = known;
    e = i + 8 + known.length;
  } else {
    e = scanToken(u, i, end);
    if (e === i) fail('missing protocol name');
    protocolName = s.slice(i, e);
    i = slashAt(u, e, end);
    e = scanToken(u, i, end);
    if (e === i) fail('missing protocol version');
    protocolVersion = s.slice(i, e);
    i = slashAt(u, e, end);
    e = scanToken(u, i, end);
    if (e === i) fail('missing transport');
    transport = s.slice(i, e);
  }
  i = skipWs(u, e, end);
  if (i === e) fail('missing whitespace before sent-by');
  // sent-by = host [ COLON port ]
  let host: string;
  let hostType: HostType;
  if (i < end && u[i]! === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0 || close >= end || !isIPv6(s.slice(i + 1, close))) fail('invalid IPv6 reference in sent-by');
    host = s.slice(i, close + 1);
    hostType = 'ipv6';
    i = close + 1;
  } else {
    const hs = i;
    while (i < end) {
      const c = u[i]!;
      if (HOSTCHAR_[c] === 0) break;
      i++;
    }
    if (i === hs) fail('missing sent-by host');
    hostType = classifyHost(u, hs, i);
    host = s.slice(hs, i);
  }
  let port: number | null = null;
  let j = skipWs(u, i, end);
  if (j < end && u[j]! === 0x3a) {
    j = skipWs(u, j + 1, end);
    let pe = j;
    while (pe < end && u[pe]! >= 0x30 && u[pe]! <= 0x39) pe++;
    port = parseDigitsAt(u, j, pe, 65535);
    if (port < 0) fail('invalid port in sent-by');
    i = pe;
  }
  j = skipWs(u, i, end);
  if (j < end && u[j]! === 0x3b) {
    // Validated now, decoded on first access (the getters read single parameters in place).
    i = skipGenericParams(s, u, j, end, true);
    cursor.pos = i;
    return new Via(protocolName, protocolVersion, transport, host, hostType, port).lazyParams(s, u, j, i);
  }
  i = j;
  if (i < end && u[i]! !== 0x2c) fail(`unexpected ${JSON.stringify(s[i])} in Via`);
  cursor.pos = i;
  return new Via(protocolName, protocolVersion, transport, host, hostType, port);
}

const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'];
const TRANSPORT_BYTES = TRANSPORTS.map((t) => Buffer.from(t, 'latin1'));

/** A known upper-case transport at u[i] followed by SP/HTAB, else null. */
function knownTransport(u: Uint8Array, i: number, end: number): string | null {
  for (let k = 0; k < TRANSPORT_BYTES.length; k++) {
    const t = TRANSPORT_BYTES[k]!;
    const e = i + t.length;
    if (e >= end) continue;
    let j = 0;
    while (j < t.length && u[i + j] === t[j]) j++;
    if (j === t.length) {
      const c = u[e]!;
      if (c === 0x20 || c === 0x09) return TRANSPORTS[k]!;
    }
  }
  return null;
}

/** Parses every via-parm of one Via header value, s[a,b) (u: its bytes), into out. */
export function parseViaList(s: string, u: Uint8Array, a: number, b: number, out: Via[]): void {
  let i = a;
  for (;;) {
    out.push(parseViaAt(s, u, i, b));
    i = cursor.pos;
    if (i >= b) return;
    i = skipWs(u, i + 1, b);
    if (i >= b) fail('empty Via list element');
  }
}

/** Parses a single via-parm from a string (for building Vias). */
export function parseVia(s: string): Via {
  const v = parseViaAt(s, bytesOf(s), 0, s.length);
  if (cursor.pos !== s.length) fail('more than one via-parm');
  return v;
}

