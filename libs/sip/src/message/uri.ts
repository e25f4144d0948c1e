import { isIPv6 } from 'node:net';
import { HEX, HNVCHAR, HOSTCHAR, PARAMCHAR, PASSWORD, SCHEMECHAR, TELCHAR, URIC, USER } from './char-classes.js';
import { GrammarError, SipUriError } from './errors.js';
import { Params } from './params.js';
import { bytesOf, found, NO_BYTES } from './lexer.js';

/**
 * URIs of RFC 3261 §19.1 (sip:, sips:), RFC 3966 (tel:, minimal) and any
 * other scheme kept as an opaque absolute URI (RFC 3261 §25.1 absoluteURI).
 *
 * All strings are wire strings: the bytes as latin1 characters, escapes
 * (%HH) kept as written. Use `unescape()` for the decoded form.
 */
export type Uri = SipUri | TelUri | AbsoluteUri;

export type HostType = 'domain' | 'ipv4' | 'ipv6';

export class SipUri {
  readonly kind = 'sip' as const;
  constructor(
    /** 'sip' or 'sips' (lower case). */
    public scheme: 'sip' | 'sips',
    /** User part as written (escapes kept), null when the URI has no userinfo. */
    public user: string | null,
    public password: string | null,
    /** Host as written; IPv6 references keep their brackets: `[2001:db8::1]`. */
    public host: string,
    public hostType: HostType,
    /** Explicit port, null when absent (§19.1.4: absent and 5060 differ). */
    public port: number | null,
    params?: Params,
    /** URI headers after '?', as written (without the '?'), null when absent. */
    public headers: string | null = null,
  ) {
    if (params !== undefined) this._params = params;
  }

  private _params: Params | undefined;
  private psrc = '';
  private pbytes: Uint8Array = NO_BYTES;
  private ps = 0;
  private pe = 0;

  /** @internal parameters validated by the parser, decoded on first access. */
  lazyParams(src: string, bytes: Uint8Array, ps: number, pe: number): this {
    this.psrc = src;
    this.pbytes = bytes;
    this.ps = ps;
    this.pe = pe;
    return this;
  }

  /**
   * One parameter's value without decoding the others (undefined: absent,
   * null: no value). Reads the validated span until `params` is built.
   */
  private param(lname: string): string | null | undefined {
    if (this._params !== undefined) return this._params.get(lname);
    if (this.pe <= this.ps || !findUriParam(this.pbytes, this.ps, this.pe, lname)) return undefined;
    return found.vs < 0 ? null : this.psrc.slice(found.vs, found.ve);
  }

  /** URI parameters (§19.1.1), decoded on first access. */
  get params(): Params {
    if (this._params === undefined) this._params = this.pe > this.ps ? decodeUriParams(this.psrc, this.pbytes, this.ps, this.pe) : new Params();
    return this._params;
  }
  set params(p: Params) {
    this._params = p;
  }

  get secure(): boolean {
    return this.scheme === 'sips';
  }

  /** Host without IPv6 brackets, lower-cased (hosts are case-insensitive, §19.1.4). */
  get hostname(): string {
    const h = this.hostType === 'ipv6' ? this.host.slice(1, -1) : this.host;
    return h.toLowerCase();
  }

  /** `transport` URI parameter, lower-cased, if any. */
  get transport(): string | undefined {
    const t = this.param('transport');
    return t ? t.toLowerCase() : undefined;
  }

  /** Loose-routing flag (§19.1.1 lr). */
  get lr(): boolean {
    return this.param('lr') !== undefined;
  }

  /** RFC 5626 `ob` flag (outbound proxy / flow token URIs). */
  get ob(): boolean {
    return this.param('ob') !== undefined;
  }

  /** RFC 5627 `gr` parameter: undefined when absent, null without value, else the value. */
  get gr(): string | null | undefined {
    return this.param('gr');
  }

  /** `maddr` URI parameter (§19.1.1). */
  get maddr(): string | undefined {
    return this.param('maddr') ?? undefined;
  }

  /** `user` URI parameter, lower-cased (`phone`, `ip`, `dialstring`…). */
  get userParam(): string | undefined {
    return this.param('user')?.toLowerCase() ?? undefined;
  }

  /** URI headers as [name, value] pairs, unescaped. */
  headerList(): Array<[string, string]> {
    if (!this.headers) return [];
    return this.headers.split('&').map((h) => {
      const eq = h.indexOf('=');
      return eq < 0 ? [unescape(h), ''] : [unescape(h.slice(0, eq)), unescape(h.slice(eq + 1))];
    });
  }

  clone(): SipUri {
    return new SipUri(this.scheme, this.user, this.password, this.host, this.hostType, this.port, this.params.clone(), this.headers);
  }

  toString(): string {
    let out = this.scheme + ':';
    if (this.user !== null) {
      out += this.user;
      if (this.password !== null) out += ':' + this.password;
      out += '@';
    }
    out += this.host;
    if (this.port !== null) out += ':' + this.port;
    if (this._params !== undefined || this.pe > this.ps) out += this.params.toString();
    if (this.headers !== null) out += '?' + this.headers;
    return out;
  }
}

export class TelUri {
  readonly kind = 'tel' as const;
  readonly scheme = 'tel' as const;
  constructor(
    /** The telephone-subscriber number as written (visual separators kept). */
    public number: string,
    public params: Params = new Params(),
  ) {}

  /** Global numbers start with '+' (RFC 3966 §5.1.4). */
  get global(): boolean {
    return this.number.charCodeAt(0) === 0x2b;
  }

  /** Number without visual separators (RFC 3966 §5.1.1), for comparison. */
  get digits(): string {
    return this.number.replace(/[-.()]/g, '').toLowerCase();
  }

  clone(): TelUri {
    return new TelUri(this.number, this.params.clone());
  }

  toString(): string {
    return 'tel:' + this.number + this.params.toString();
  }
}

export class AbsoluteUri {
  readonly kind = 'absolute' as const;
  constructor(
    /** Scheme, lower-cased. */
    public scheme: string,
    /** Everything after the first colon, as written. */
    public value: string,
  ) {}

  clone(): AbsoluteUri {
    return new AbsoluteUri(this.scheme, this.value);
  }

  toString(): string {
    return this.scheme + ':' + this.value;
  }
}

export type UriParseResult = { ok: true; uri: Uri } | { ok: false; reason: string };

/** Parses a URI; never throws. `reason` says precisely what is wrong ("invalid port in URI"…). */
export function parseUri(input: string): UriParseResult {
  try {
    return { ok: true, uri: parseUriSpan(input, bytesOf(input), 0, input.length) };
  } catch (e) {
    if (e instanceof GrammarError) return { ok: false, reason: e.detail };
    throw e;
  }
}

/** Parses a URI or throws `SipUriError`. */
export function parseUriOrThrow(input: string): Uri {
  const r = parseUri(input);
  if (!r.ok) throw new SipUriError(input, r.reason);
  return r.uri;
}

/** Parses a SIP/SIPS URI or throws `SipUriError` (also when the URI is tel: or another scheme). */
export function parseSipUri(input: string): SipUri {
  const u = parseUriOrThrow(input);
  if (u.kind !== 'sip') throw new SipUriError(input, `not a SIP URI (scheme ${u.scheme})`);
  return u;
}

function fail(detail: string): never {
  throw new GrammarError(detail);
}

/**
 * @internal Parses s[start,end) as a URI or throws GrammarError; u holds the
 * bytes of s (the scanners read bytes, only the returned parts are sliced).
 * The hot path: one pass of byte loads, table lookups, and slices for the parts.
 */
export function parseUriSpan(s: string, u: Uint8Array, start: number, end: number): Uri {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const SCHEMECHAR_ = SCHEMECHAR; const URIC_ = URIC;
  // scheme
  let i = start;
  const c0 = u[i]! | 0x20;
  if (!(c0 >= 0x61 && c0 <= 0x7a)) fail(end > start ? 'URI scheme must start with a letter' : 'empty URI');
  i++;
  while (i < end) {
    const c = u[i]!;
    if (c === 0x3a) break;
    if (SCHEMECHAR_[c] === 0) fail('invalid character in URI scheme');
    i++;
  }
  if (i >= end) fail('missing ":" after URI scheme');
  const schemeLen = i - start;
  if (schemeLen === 3 && (u[start]! | 0x20) === 0x73 && (u[start + 1]! | 0x20) === 0x69 && (u[start + 2]! | 0x20) === 0x70) {
    return parseSip(s, u, 'sip', i + 1, end);
  }
  const scheme = s.slice(start, i).toLowerCase();
  if (scheme === 'sips') return parseSip(s, u, 'sips', i + 1, end);
  if (scheme === 'tel') return parseTel(s, u, i + 1, end);
  i++;
  if (i >= end) fail('empty URI after scheme');
  for (let k = i; k < end; k++) {
    const c = u[k]!;
    if (URIC_[c] === 0) fail('invalid character in URI');
  }
  return new AbsoluteUri(scheme, s.slice(i, end));
}

/** Scans u[i,end) while bytes are in table or %HH escapes; returns the stop index. */
function scanEscaped(u: Uint8Array, i: number, end: number, table: Uint8Array, what: string): number {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const HEX_ = HEX;
  while (i < end) {
    const c = u[i]!;
    if (c === 0x25) {
      const h1 = u[i + 1]!;
      const h2 = u[i + 2]!;
      if (i + 2 >= end || HEX_[h1] === 0 || HEX_[h2] === 0) fail(`invalid escape in ${what}`);
      i += 3;
      continue;
    }
    if (table[c] === 0) return i;
    i++;
  }
  return i;
}

function parseSip(s: string, u: Uint8Array, scheme: 'sip' | 'sips', i: number, end: number): SipUri {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const HOSTCHAR_ = HOSTCHAR;
  let user: string | null = null;
  let password: string | null = null;
  // '@' cannot appear unescaped after the userinfo, so the first one ends it.
  // Searched within the URI only, so many URIs in one message cost linear time.
  let at = -1;
  let colon = -1;
  for (let k = i; k < end; k++) {
    const c = u[k]!;
    if (c === 0x40) {
      at = k;
      break;
    }
    if (c === 0x3a && colon < 0) colon = k;
  }
  if (at >= 0) {
    const userEnd = colon < 0 ? at : colon;
    if (userEnd === i) fail('empty user part in URI');
    if (scanEscaped(u, i, userEnd, USER, 'user part') !== userEnd) fail('invalid character in user part');
    user = s.slice(i, userEnd);
    if (colon >= 0) {
      if (scanEscaped(u, colon + 1, at, PASSWORD, 'password') !== at) fail('invalid character in password');
      password = s.slice(colon + 1, at);
    }
    i = at + 1;
  }
  // host
  let host: string;
  let hostType: HostType;
  if (i >= end) fail('missing host in URI');
  if (u[i]! === 0x5b) {
    let close = s.indexOf(']', i);
    if (close < 0 || close >= end) fail('unterminated IPv6 reference in URI');
    if (!isIPv6(s.slice(i + 1, close))) fail('invalid IPv6 reference in URI');
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
    if (i === hs) fail('missing host in URI');
    hostType = classifyHost(u, hs, i);
    host = s.slice(hs, i);
  }
  // port
  let port: number | null = null;
  if (i < end && u[i]! === 0x3a) {
    i++;
    const ps = i;
    let v = 0;
    while (i < end) {
      const c = u[i]!;
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
    }
    if (i === ps || i - ps > 5 || v > 65535) fail('invalid port in URI');
    if (i < end) {
      const c = u[i]!;
      if (c !== 0x3b && c !== 0x3f) fail('invalid port in URI');
    }
    port = v;
  }
  // parameters: validated now, decoded on first access
  const ps = i;
  while (i < end && u[i]! === 0x3b) {
    i++;
    const ns = i;
    i = scanEscaped(u, i, end, PARAMCHAR, 'URI parameter');
    if (i === ns) fail('empty URI parameter');
    if (i < end && u[i]! === 0x3d) {
      const vs = ++i;
      i = scanEscaped(u, i, end, PARAMCHAR, 'URI parameter');
      if (i === vs) fail(`empty value for URI parameter ${s.slice(ns, vs - 1)}`);
    }
  }
  const pe = i;
  // headers
  let headers: string | null = null;
  if (i < end && u[i]! === 0x3f) {
    i++;
    const hs = i;
    for (;;) {
      const ns = i;
      i = scanEscaped(u, i, end, HNVCHAR, 'URI header');
      if (i === ns) fail('empty URI header name');
      if (i >= end || u[i]! !== 0x3d) fail('URI header without "="');
      i = scanEscaped(u, i + 1, end, HNVCHAR, 'URI header');
      if (i < end && u[i]! === 0x26) {
        i++;
        continue;
      }
      break;
    }
    headers = s.slice(hs, i);
  }
  if (i < end) {
    const c = u[i]!;
    fail(c === 0x20 || c === 0x09 ? 'whitespace inside URI' : `invalid character ${JSON.stringify(s[i])} in URI`);
  }
  const uri = new SipUri(scheme, user, password, host, hostType, port, undefined, headers);
  return pe > ps ? uri.lazyParams(s, u, ps, pe) : uri;
}

/** findParam for a validated URI parameter span `;name[=value]…` (no whitespace, no quoting: §19.1.1). */
function findUriParam(u: Uint8Array, i: number, end: number, lname: string): boolean {
  const nlen = lname.length;
  while (i < end) {
    i++; // ';'
    const ns = i;
    let c = 0;
    while (i < end && (c = u[i]!) !== 0x3b && c !== 0x3d) i++;
    let match = i - ns === nlen;
    for (let k = 0; match && k < nlen; k++) {
      const x = u[ns + k]!;
      const t = lname.charCodeAt(k);
      match = x === t || (x >= 0x41 && x <= 0x5a && x + 0x20 === t);
    }
    let vs = -1;
    let ve = -1;
    if (i < end && c === 0x3d) {
      vs = ++i;
      while (i < end && u[i]! !== 0x3b) i++;
      ve = i;
    }
    if (match) {
      found.vs = vs;
      found.ve = ve;
      return true;
    }
  }
  return false;
}

/** Builds the Params of an already validated `;name[=value]…` span. */
function decodeUriParams(s: string, u: Uint8Array, i: number, end: number): Params {
  const kv: Array<string | null> = [];
  while (i < end) {
    i++; // ';'
    const ns = i;
    while (i < end && u[i]! !== 0x3b && u[i]! !== 0x3d) i++;
    const name = s.slice(ns, i);
    let value: string | null = null;
    if (i < end && u[i]! === 0x3d) {
      const vs = ++i;
      while (i < end && u[i]! !== 0x3b) i++;
      value = s.slice(vs, i);
    }
    kv.push(lowerIfNeeded(name), name, value);
  }
  return new Params(kv);
}

/**
 * RFC 3261 §25.1 hostname / IPv4address check on s[a,b) made of alphanum,
 * '-' and '.', in one pass: IPv4 = four 1-3 digit groups <= 255; hostname =
 * labels that neither start nor end with '-', the last starting with a letter.
 */
export function classifyHost(u: Uint8Array, a: number, b: number): HostType {
  if (isIPv4Span(u, a, b)) return 'ipv4';
  let e = b;
  if (u[e - 1]! === 0x2e) e--; // hostname may end with '.'
  let dots = 0;
  let allDigits = true;
  let v = 0;
  let len = 0;
  let ls = a;
  let badIPv4 = false;
  let lastLabelAlpha = false;
  for (let k = a; k <= e; k++) {
    const c = k === e ? 0x2e : u[k]!;
    if (c === 0x2e) {
      if (k === ls) fail('empty label in host');
      if (u[ls]! === 0x2d || u[k - 1]! === 0x2d) fail('host label starts or ends with "-"');
      if (len > 3 || v > 255) badIPv4 = true;
      const f = u[ls]! | 0x20;
      lastLabelAlpha = f >= 0x61 && f <= 0x7a;
      if (k < e) dots++;
      v = 0;
      len = 0;
      ls = k + 1;
    } else if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      len++;
    } else allDigits = false;
  }
  if (allDigits && e === b) {
    if (dots !== 3) fail('invalid host in URI');
    if (badIPv4) fail('invalid IPv4 address in URI');
    return 'ipv4';
  }
  if (!lastLabelAlpha) fail('invalid host in URI');
  return 'domain';
}

/** Fast exact check for a dotted-quad IPv4 address in s[a,b). */
function isIPv4Span(u: Uint8Array, a: number, b: number): boolean {
  let dots = 0;
  let v = 0;
  let len = 0;
  for (let k = a; k < b; k++) {
    const c = u[k]!;
    if (c === 0x2e) {
      if (len === 0 || v > 255) return false;
      dots++;
      v = 0;
      len = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      if (++len > 3) return false;
    } else return false;
  }
  return dots === 3 && len > 0 && v <= 255;
}

function parseTel(s: string, u: Uint8Array, i: number, end: number): TelUri {
  const ns = i;
  while (i < end) {
    const c = u[i]!;
    if (c === 0x3b) break;
    if (TELCHAR[c] === 0 || (c === 0x2b && i !== ns)) fail('invalid character in tel number');
    i++;
  }
  const number = s.slice(ns, i);
  let digits = 0;
  for (let k = ns; k < i; k++) if (HEX[u[k]!] || u[k]! === 0x2a || u[k]! === 0x23) digits++;
  if (digits === 0) fail('tel URI without digits');
  const kv: Array<string | null> = [];
  while (i < end) {
    i++; // ';'
    const ps = i;
    i = scanEscaped(u, i, end, PARAMCHAR, 'tel parameter');
    if (i === ps) fail('empty tel parameter');
    const name = s.slice(ps, i);
    let value: string | null = null;
    if (i < end && u[i]! === 0x3d) {
      const vs = ++i;
      i = scanEscaped(u, i, end, PARAMCHAR, 'tel parameter');
      if (i === vs) fail(`empty value for tel parameter ${name}`);
      value = s.slice(vs, i);
    }
    if (i < end && u[i]! !== 0x3b) fail('invalid character in tel URI');
    kv.push(name.toLowerCase(), name, value);
  }
  const params = new Params(kv);
  // RFC 3966 §5.1.5: a local number MUST carry phone-context.
  if (number.charCodeAt(0) !== 0x2b && !params.has('phone-context')) fail('local tel number without phone-context');
  return new TelUri(number, params);
}

function lowerIfNeeded(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return name.toLowerCase();
  }
  return name;
}

/** Decodes %HH escapes (RFC 3261 §19.1.2). The result is a wire string: one char per byte. */
export function unescape(s: string): string {
  if (s.indexOf('%') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && HEX[s.charCodeAt(i + 1)] && HEX[s.charCodeAt(i + 2)]) {
      out += String.fromCharCode(parseInt(s.substr(i + 1, 2), 16));
      i += 2;
    } else out += s[i];
  }
  return out;
}

const HEXCH = '0123456789ABCDEF';
/** %HH-escapes every char of a wire string not in `allowed` (e.g. `USER`, `PARAMCHAR`). */
export function escape(s: string, allowed: Uint8Array = USER): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 256 && allowed[c] && c !== 0x25) out += s[i];
    else {
      const b = c & 0xff;
      out += '%' + HEXCH[b >> 4] + HEXCH[b & 15];
    }
  }
  return out;
}

// --- RFC 3261 §19.1.4 comparison -------------------------------------------

/** Characters whose escaped and unescaped forms are NOT equivalent (RFC 2396 reserved set). */
const RESERVED = ';/?:@&=+$,';

/** Decodes %HH unless it encodes a reserved character; upper-cases kept escapes. */
function canon(s: string): string {
  if (s.indexOf('%') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length && HEX[s.charCodeAt(i + 1)] && HEX[s.charCodeAt(i + 2)]) {
      const ch = String.fromCharCode(parseInt(s.substr(i + 1, 2), 16));
      out += RESERVED.includes(ch) || ch === '%' ? '%' + s.substr(i + 1, 2).toUpperCase() : ch;
      i += 2;
    } else out += s[i];
  }
  return out;
}

const MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

/**
 * URI equality of RFC 3261 §19.1.4: scheme must match (sip ≠ sips), userinfo
 * case-sensitive, host/params case-insensitive, escapes equivalent to the
 * characters they encode (except reserved ones), user/ttl/method/maddr/
 * transport must appear in both or neither, other parameters are compared only
 * when present in both, URI headers must all match, and an explicit port
 * differs from an absent one. tel: URIs compare numbers without visual
 * separators (RFC 3966 §4); other schemes compare case-insensitive scheme and
 * exact remainder.
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'absolute') {
    const bb = b as AbsoluteUri;
    return a.scheme === bb.scheme && a.value === bb.value;
  }
  if (a.kind === 'tel') {
    const bb = b as TelUri;
    if (a.digits !== bb.digits) return false;
    return paramsEqualAll(a.params, bb.params);
  }
  const x = a;
  const y = b as SipUri;
  if (x.scheme !== y.scheme) return false;
  if ((x.user === null) !== (y.user === null)) return false;
  if (x.user !== null && canon(x.user) !== canon(y.user!)) return false;
  if ((x.password === null) !== (y.password === null)) return false;
  if (x.password !== null && canon(x.password) !== canon(y.password!)) return false;
  if (x.hostType !== y.hostType) return false;
  if (x.hostType === 'ipv6') {
    if (!ipv6Equal(x.host.slice(1, -1), y.host.slice(1, -1))) return false;
  } else if (canon(x.host).toLowerCase() !== canon(y.host).toLowerCase()) return false;
  if (x.port !== y.port) return false;
  for (const name of MUST_MATCH) {
    const va = x.params.getRaw(name);
    const vb = y.params.getRaw(name);
    if ((va === undefined) !== (vb === undefined)) return false;
  }
  for (let i = 0; i < x.params.kv.length; i += 3) {
    const name = x.params.kv[i]!;
    const vb = y.params.getRaw(name);
    if (vb === undefined) continue;
    const va = x.params.kv[i + 2];
    if ((va === null) !== (vb === null)) return false;
    if (va !== null && canon(va).toLowerCase() !== canon(vb!).toLowerCase()) return false;
  }
  const ha = x.headerList();
  const hb = y.headerList();
  if (ha.length !== hb.length) return false;
  for (const [n, v] of ha) {
    const m = hb.find(([n2]) => n2.toLowerCase() === n.toLowerCase());
    if (!m || m[1] !== v) return false;
  }
  return true;
}

function paramsEqualAll(a: Params, b: Params): boolean {
  if (a.size !== b.size) return false;
  for (let i = 0; i < a.kv.length; i += 3) {
    const vb = b.getRaw(a.kv[i]!);
    if (vb === undefined) return false;
    const va = a.kv[i + 2];
    if ((va ?? '').toLowerCase() !== (vb ?? '').toLowerCase()) return false;
  }
  return true;
}

/** Compares two IPv6 textual forms by value (::, leading zeros, case, embedded IPv4). */
function ipv6Equal(a: string, b: string): boolean {
  return expandIPv6(a) === expandIPv6(b);
}

function expandIPv6(a: string): string {
  let s = a.toLowerCase();
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const p = tail.split('.').map(Number);
    s = s.slice(0, lastColon + 1) + ((p[0]! << 8) | p[1]!).toString(16) + ':' + ((p[2]! << 8) | p[3]!).toString(16);
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const fill = rest === undefined ? [] : new Array(8 - h.length - r.length).fill('0');
  return [...h, ...fill, ...r].map((g) => parseInt(g, 16).toString(16)).join(':');
}
