import { parseUriSpan, type Uri } from './uri.js';
import { Params, quote, unquote } from './params.js';
import { TOKEN } from './char-classes.js';
import { GrammarError, SipHeaderError } from './errors.js';
import { bytesOf, cursor, fail, findParam, found, NO_BYTES, parseGenericParams, scanQuoted, scanToken, skipGenericParams, skipWs } from './lexer.js';

/**
 * A name-addr or addr-spec with header parameters (RFC 3261 §20.10, §20.20,
 * §20.39; From, To, Contact, Route, Record-Route, Path, Refer-To…).
 *
 * Parsed from a message, it is lazy: the structure (display name, <URI>,
 * parameters, list boundaries) is checked when the header is first read, the
 * URI, parameters and display name are decoded on first access and cached.
 * A URI or parameter that turns out malformed then throws SipHeaderError.
 */
export class NameAddr {
  private _uri: Uri | undefined;
  private _display: string | null | undefined;
  private _params: Params | undefined;
  // Lazy source: the header value and the spans found by the structural scan.
  private src = '';
  private bytes: Uint8Array = NO_BYTES;
  private us = 0;
  private ue = 0;
  private ds = -1;
  private de = -1;
  private ps = 0;
  private pe = 0;
  private header = '';

  constructor(uri?: Uri, displayName: string | null = null, params?: Params) {
    if (uri !== undefined) this._uri = uri;
    this._display = displayName;
    if (params !== undefined) this._params = params;
  }

  /** @internal */
  static lazy(src: string, bytes: Uint8Array, ds: number, de: number, us: number, ue: number, ps: number, pe: number, header: string): NameAddr {
    const n = new NameAddr();
    n._display = undefined;
    n.src = src;
    n.bytes = bytes;
    n.ds = ds;
    n.de = de;
    n.us = us;
    n.ue = ue;
    n.ps = ps;
    n.pe = pe;
    n.header = header;
    return n;
  }

  private bad(e: unknown): unknown {
    return e instanceof GrammarError ? new SipHeaderError(this.header || 'name-addr', e.detail) : e;
  }

  get uri(): Uri {
    if (this._uri === undefined) {
      try {
        this._uri = parseUriSpan(this.src, this.bytes, this.us, this.ue);
      } catch (e) {
        throw this.bad(e);
      }
    }
    return this._uri;
  }
  set uri(u: Uri) {
    this._uri = u;
  }

  /** Display name, quotes removed and quoted-pairs resolved; null when absent. */
  get displayName(): string | null {
    if (this._display === undefined) {
      const s = this.src;
      this._display = this.ds < 0 ? null : s.charCodeAt(this.ds) === 0x22 ? unquoteSpan(s, this.ds + 1, this.de - 1) : s.slice(this.ds, this.de);
    }
    return this._display;
  }
  set displayName(d: string | null) {
    this._display = d;
  }

  get params(): Params {
    if (this._params === undefined) {
      if (this.ps >= this.pe) this._params = new Params();
      else {
        const kv: Array<string | null> = [];
        try {
          parseGenericParams(this.src, this.bytes, this.ps, this.pe, kv, false);
        } catch (e) {
          throw this.bad(e);
        }
        this._params = new Params(kv);
      }
    }
    return this._params;
  }
  set params(p: Params) {
    this._params = p;
  }

  /** One parameter, unquoted (undefined: absent, null: no value), without decoding the others. */
  private param(lname: string): string | null | undefined {
    if (this._params !== undefined) return this._params.get(lname);
    if (this.pe <= this.ps || !findParam(this.bytes, this.ps, this.pe, lname)) return undefined;
    return found.vs < 0 ? null : unquote(this.src.slice(found.vs, found.ve));
  }

  /** `tag` parameter (From/To, §19.3). */
  get tag(): string | undefined {
    const t = this.param('tag');
    return t ?? undefined;
  }

  /** Contact `expires` parameter in seconds (§10.2.1.1); NaN when not a number. */
  get expires(): number | undefined {
    const v = this.param('expires');
    return v === undefined || v === null ? undefined : /^\d+$/.test(v) ? Number(v) : NaN;
  }

  /** Contact `q` value (§20.10), 0..1; NaN when malformed. */
  get q(): number | undefined {
    const v = this.param('q');
    return v === undefined || v === null ? undefined : /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(v) ? Number(v) : NaN;
  }

  /** `+sip.instance` (RFC 5626 §4.1), unquoted, e.g. `<urn:uuid:…>`. */
  get instance(): string | undefined {
    return this.param('+sip.instance') ?? undefined;
  }

  /** `reg-id` (RFC 5626 §4.2); NaN when malformed. */
  get regId(): number | undefined {
    const v = this.param('reg-id');
    return v === undefined || v === null ? undefined : /^\d+$/.test(v) ? Number(v) : NaN;
  }

  /** `pub-gruu` (RFC 5627 §5.3), unquoted. */
  get pubGruu(): string | undefined {
    return this.param('pub-gruu') ?? undefined;
  }

  /** `temp-gruu` (RFC 5627 §5.3), unquoted. */
  get tempGruu(): string | undefined {
    return this.param('temp-gruu') ?? undefined;
  }

  clone(): NameAddr {
    return new NameAddr(this.uri.clone(), this.displayName, this.params.clone());
  }

  /** Always the name-addr form (`"name" <uri>;params`), safe for any URI. */
  toString(): string {
    const d = this.displayName;
    return (d === null ? '' : quote(d) + ' ') + '<' + this.uri.toString() + '>' + this.params.toString();
  }
}

/** Resolves quoted-pairs inside s[a,b) (the content between the quotes). */
function unquoteSpan(s: string, a: number, b: number): string {
  const inner = s.slice(a, b);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    let c = inner[i]!;
    if (c === '\\' && i + 1 < inner.length) c = inner[++i]!;
    out += c;
  }
  return out;
}

/**
 * Structural parse of one (name-addr / addr-spec) *(SEMI param) at s[i]:
 * finds the display name, the URI and the parameters, validating quotes,
 * brackets and parameter syntax but decoding nothing. In `list` mode it stops
 * at a top-level ',' (cursor.pos = index of the ',' or end); otherwise
 * anything after the parameters is an error. `requireBrackets` enforces the
 * name-addr form (Route, Record-Route, Path: §20.30, §20.34).
 */
export function parseNameAddrAt(s: string, u: Uint8Array, i: number, end: number, list: boolean, requireBrackets: boolean, header: string): NameAddr {
  i = skipWs(u, i, end);
  if (i >= end) fail('empty value');
  let ds = -1;
  let de = -1;
  let c = u[i]!;
  let us: number;
  let ue: number;
  let bracketAt = -1;
  if (c === 0x22) {
    const q = scanQuoted(u, i, end);
    ds = i;
    de = q;
    i = skipWs(u, q, end);
    if (i >= end || u[i]! !== 0x3c) fail('display name not followed by <URI>');
    bracketAt = i;
  } else if (c === 0x3c) {
    bracketAt = i;
  } else {
    // display-name = *(token LWS) before '<', or else an addr-spec.
    let j = i;
    let lastTokenEnd = i;
    for (;;) {
      const t = scanToken(u, j, end);
      if (t === j) break;
      lastTokenEnd = t;
      j = skipWs(u, t, end);
      if (j >= end) break;
      if (u[j]! === 0x3c) {
        bracketAt = j;
        ds = i;
        de = lastTokenEnd;
        break;
      }
      if (j === t) break; // token directly followed by a non-token char: addr-spec
    }
  }
  if (bracketAt >= 0) {
    const close = s.indexOf('>', bracketAt + 1);
    if (close < 0 || close >= end) fail('missing ">"');
    us = bracketAt + 1;
    ue = close;
    if (ue === us) fail('empty URI in <>');
    i = close + 1;
  } else {
    if (requireBrackets) fail('URI must be enclosed in <>');
    // §20.10: an addr-spec not in <> ends at ';' (header params), ',' or LWS,
    // and must not contain ';', ',' or '?'.
    us = i;
    while (i < end) {
      c = u[i]!;
      if (c === 0x3b || c === 0x20 || c === 0x09 || (c === 0x2c && list)) break;
      if (c === 0x3f) fail('URI with headers must be enclosed in <>');
      if (c === 0x2c) fail('URI with "," must be enclosed in <>');
      if (c === 0x3c || c === 0x3e || c === 0x22) fail(`unexpected ${JSON.stringify(String.fromCharCode(c))}`);
      i++;
    }
    ue = i;
  }
  let ps = i;
  let pe = i;
  const j = skipWs(u, i, end);
  if (j < end && u[j]! === 0x3b) {
    ps = j;
    i = skipGenericParams(s, u, j, end, list);
    pe = i;
  } else {
    i = j;
    if (i < end && !(list && u[i]! === 0x2c)) fail(`unexpected ${JSON.stringify(s[i])} after URI`);
  }
  cursor.pos = i;
  return NameAddr.lazy(s, u, ds, de, us, ue, ps, pe, header);
}

/** Parses a single name-addr/addr-spec header value (From, To, Refer-To…). */
export function parseNameAddr(s: string, requireBrackets = false, header = 'name-addr'): NameAddr {
  return parseNameAddrAt(s, bytesOf(s), 0, s.length, false, requireBrackets, header);
}

/** Parses a comma-separated list of name-addr values (Contact, Route, Record-Route, Path) in s[a,b). */
export function parseNameAddrList(s: string, u: Uint8Array, a: number, b: number, out: NameAddr[], requireBrackets: boolean, header = 'name-addr'): void {
  let i = a;
  for (;;) {
    out.push(parseNameAddrAt(s, u, i, b, true, requireBrackets, header));
    i = cursor.pos;
    if (i >= b) return;
    // at ','
    i = skipWs(u, i + 1, b);
    if (i >= b) fail('empty list element');
  }
}

/** True when a display name can be written without quotes. */
export function isTokenDisplay(d: string): boolean {
  for (let i = 0; i < d.length; i++) {
    const c = d.charCodeAt(i);
    if (c !== 0x20 && (c > 255 || TOKEN[c] === 0)) return false;
  }
  return d.length > 0;
}
