import { GrammarError, SipHeaderError, SipUriError } from './errors.js';
import { HeaderField } from './header-field.js';
import { CANONICAL, H, LOWER, headerId } from './header-names.js';
import { bytesOf, parseDigits, splitCommaList } from './lexer.js';
import { NameAddr, parseNameAddr, parseNameAddrAt, parseNameAddrList } from './name-addr.js';
import {
  CallInfo,
  ContentType,
  EventHeader,
  MAX_UINT32,
  SubscriptionState,
  checkCallId,
  parseCSeq,
  parseCallInfo,
  parseContentType,
  parseEvent,
  parseRetryAfter,
  parseSubscriptionState,
  parseTokenList,
  parseUInt,
  type CSeq,
  type RetryAfter,
} from './typed-headers.js';
import { parseUriSpan, type Uri } from './uri.js';
import { Via, parseViaAt, parseViaList } from './via.js';

/**
 * The parsed header index (`idx`), one flat array of small integers:
 *
 *   [0]      where the first header line starts (after the start line)
 *   [1..6]   the first Via, From, To, Call-ID, CSeq and Contact line (their
 *            offset in idx, -1 when absent), so the hot accessors need no walk
 *   [7...]   STRIDE integers per header line: id (| FOLDED), nameEnd,
 *            valueStart, valueEnd, lineEnd. A line's name starts where the
 *            previous line ended ([0] for the first), so it is not stored.
 *
 * Everything about the received header section is in this one array, so a
 * message that shares another's `src`, `input` and `idx` (a proxy's copy of a
 * request) reads exactly the same headers.
 */
export const IDX_HEAD = 7;
export const IDX_HDR_START = 0;
export const FIRST_VIA = 1;
export const FIRST_FROM = 2;
export const FIRST_TO = 3;
export const FIRST_CALL_ID = 4;
export const FIRST_CSEQ = 5;
export const FIRST_CONTACT = 6;
/** Integers per header line in idx. */
export const STRIDE = 5;
/** Flag in the id slot: the line has continuation lines (§7.3.1), its value must be unfolded. */
export const FOLDED = 0x100;
/** Mask for the header id in the id slot. */
export const ID_MASK = 0xff;

const EMPTY = Buffer.alloc(0);
/** What a token-list accessor returns for a header the message does not carry. */
const NO_TOKENS: readonly string[] = [];

// Output of SipMessageBase#nextSpan: a header value as [SPAN_A, SPAN_B) of SPAN_S,
// whose bytes are SPAN_U. For received lines SPAN_S is the whole message text
// and SPAN_U the received Buffer: the typed parsers scan bytes (a typed-array
// load is cheaper than String#charCodeAt) and slice only what they return.
// For folded or edited lines they are the unfolded value and bytesOf() of it.
let SPAN_S = '';
let SPAN_U: Uint8Array = EMPTY;
let SPAN_A = 0;
let SPAN_B = 0;

const fromAt = (s: string, u: Uint8Array, a: number, b: number): NameAddr => parseNameAddrAt(s, u, a, b, false, false, 'From');
const toAt = (s: string, u: Uint8Array, a: number, b: number): NameAddr => parseNameAddrAt(s, u, a, b, false, false, 'To');
const CRLF = '\r\n';

/** Contact header value: the wildcard of §10.2.2 or a list of bindings. */
export type ContactValue = { star: true; params: NameAddr['params'] | null } | { star: false; list: NameAddr[] };

/** A value accepted by the header setters: a string, or a typed value (Via, NameAddr…) serialized with toString(). */
export type HeaderValue = string | number | { toString(): string };

/** Unfolds LWS continuation lines (§7.3.1: CRLF followed by WS is one SP) and trims. */
export function unfold(v: string): string {
  return v.replace(/[ \t]*\r?\n[ \t]+/g, ' ').trim();
}

function rethrow(id: number, e: unknown): unknown {
  return e instanceof GrammarError ? new SipHeaderError(CANONICAL[id]!, e.detail) : e;
}

function grammar<T>(header: number | string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GrammarError) throw new SipHeaderError(typeof header === 'number' ? CANONICAL[header]! : header, e.detail);
    throw e;
  }
}

/**
 * Common part of requests and responses: the header section, typed accessors
 * (parsed on first use and cached) and the proxy mutation API.
 *
 * Strings are wire strings: each character is one byte of the message
 * (latin1 view), so nothing is lost and nothing is decoded twice. Use
 * `Buffer.from(s, 'latin1').toString('utf8')` for display text. When
 * serializing, strings that contain characters above U+00FF are written as
 * UTF-8; all others byte for byte.
 *
 * Typed accessors throw `SipHeaderError` (and only that) when a header value
 * does not match its grammar; `parseMessage` has already validated Via (top
 * value), From, To, Call-ID, CSeq, Max-Forwards and Content-Length.
 */
export abstract class SipMessageBase {
  abstract readonly kind: 'request' | 'response';

  /** @internal latin1 view of `input`, made on first use when not set by the parser. */
  private _src: string | undefined = undefined;
  /** @internal flat parsed-header index (layout above IDX_HEAD), null once materialized. */
  idx: number[] | null = null;
  /** @internal header fields once materialized (edited or built messages). */
  private _fields: HeaderField[] | null = null;
  /** @internal a response from createResponse: its fields are built on first use, its bytes written directly. */
  pending: PendingFields | null = null;
  /** @internal the received bytes and where the message ends in them (for the untouched fast path). */
  input: Buffer | null = null;
  /** @internal where the start line begins in `input` (after ignored leading CRLFs, §7.5). */
  msgStart = 0;
  /** @internal end of the message in `input` (after the body). */
  msgEnd = 0;
  /** @internal true once anything was changed. */
  dirty = false;
  /** @internal true when the received Content-Length matched the body exactly. */
  clExact = false;
  /**
   * @internal The first Via line's value once replaceTopVia() rewrote it in
   * index mode (null: as received). Read in place of the received text, so
   * the RFC 3581 fix-up on every request keeps the index fast path.
   */
  viaLine: string | null = null;

  /** Message body (empty Buffer when none). */
  body: Buffer = EMPTY;

  // typed caches
  private cVias: Via[] | undefined;
  private cTopVia: Via | undefined;
  private cFrom: NameAddr | undefined;
  private cTo: NameAddr | undefined;
  private cCSeq: CSeq | undefined;
  private cCallId: string | undefined;
  private cContact: ContactValue | undefined;
  /**
   * The other typed values parsed so far, as header id, value, id, value…: a
   * REGISTER reads about six (Supported, Require, Proxy-Require, Path…), where
   * a Map per message cost an allocation and a rehash as it grew.
   */
  private cOther: unknown[] | undefined;

  // --- raw header access ---------------------------------------------------

  /** @internal header fields once materialized (edited or built messages). */
  get fields(): HeaderField[] | null {
    const p = this.pending;
    if (p !== null) {
      this.pending = null;
      this._fields = p.build();
    }
    return this._fields;
  }
  set fields(f: HeaderField[] | null) {
    this.pending = null;
    this._fields = f;
  }

  /** @internal latin1 view of the received bytes ('' for built messages). */
  get src(): string {
    let s = this._src;
    if (s === undefined) {
      const b = this.input;
      s = this._src = b === null ? '' : (b as unknown as Latin1Sliceable).latin1Slice(0, b.length);
    }
    return s;
  }
  set src(s: string) {
    this._src = s;
  }

  /** @internal where parsed line k (index into idx) starts: its name. */
  lineStart(k: number): number {
    const idx = this.idx!;
    return idx[k === IDX_HEAD ? IDX_HDR_START : k - 1]!;
  }

  /** @internal the replaced value of parsed line k, or null when it is as received. */
  editedAt(k: number): string | null {
    return this.viaLine !== null && k === this.idx![FIRST_VIA] ? this.viaLine : null;
  }

  /** @internal value of parsed line k (index into idx). */
  valueAt(k: number): string {
    const idx = this.idx!;
    if (this.viaLine !== null && k === idx[FIRST_VIA]) return this.viaLine;
    const v = this.src.slice(idx[k + 2]!, idx[k + 3]!);
    return idx[k]! & FOLDED ? unfold(v) : v;
  }

  /** @internal name of parsed line k, as written. */
  nameAt(k: number): string {
    return this.src.slice(this.lineStart(k), this.idx![k + 1]!);
  }

  /** @internal parsed line k as received, name to line end (terminator included); null when replaced. */
  rawAt(k: number): string | null {
    if (this.viaLine !== null && k === this.idx![FIRST_VIA]) return null;
    return this.src.slice(this.lineStart(k), this.idx![k + 4]!);
  }

  /** @internal all values of a known header id, in order. */
  valuesOf(id: number): string[] {
    const out: string[] = [];
    if (this.fields) {
      for (const f of this.fields) if (f.id === id) out.push(f.value);
    } else {
      const idx = this.idx!;
      for (let k = IDX_HEAD; k < idx.length; k += STRIDE) if ((idx[k]! & ID_MASK) === id) out.push(this.valueAt(k));
    }
    return out;
  }

  /** @internal first value of a known header id. */
  firstOf(id: number): string | undefined {
    if (this.fields) {
      for (const f of this.fields) if (f.id === id) return f.value;
      return undefined;
    }
    const idx = this.idx!;
    for (let k = IDX_HEAD; k < idx.length; k += STRIDE) if ((idx[k]! & ID_MASK) === id) return this.valueAt(k);
    return undefined;
  }

  /**
   * @internal Finds the next value of a known header at or after `from` (a
   * cursor, 0 to start) and exposes it as SPAN_S[SPAN_A, SPAN_B). Returns the
   * cursor for the following call, or -1 when there is none.
   */
  nextSpan(id: number, from: number): number {
    if (this.fields) {
      const f = this.fields;
      for (let i = from; i < f.length; i++)
        if (f[i]!.id === id) {
          const v = f[i]!.value;
          SPAN_S = v;
          SPAN_U = f[i]!.valueBytes;
          SPAN_A = 0;
          SPAN_B = v.length;
          return i + 1;
        }
      return -1;
    }
    const idx = this.idx!;
    for (let k = from < IDX_HEAD ? IDX_HEAD : from; k < idx.length; k += STRIDE)
      if ((idx[k]! & ID_MASK) === id) {
        this.spanAt(k);
        return k + STRIDE;
      }
    return -1;
  }

  /** @internal exposes the value of parsed line k as SPAN_S[SPAN_A, SPAN_B). */
  spanAt(k: number): void {
    const idx = this.idx!;
    if (idx[k]! & FOLDED || (this.viaLine !== null && k === idx[FIRST_VIA])) {
      const v = this.valueAt(k);
      SPAN_S = v;
      SPAN_U = bytesOf(v);
      SPAN_A = 0;
      SPAN_B = v.length;
    } else {
      SPAN_S = this.src;
      SPAN_U = this.input!;
      SPAN_A = idx[k + 2]!;
      SPAN_B = idx[k + 3]!;
    }
  }

  /**
   * @internal Like nextSpan(id, 0) for a header whose first line the parser
   * recorded in idx[slot] (FIRST_VIA…): no walk over the index.
   */
  firstSpan(id: number, slot: number): boolean {
    const idx = this.idx;
    if (idx === null) return this.nextSpan(id, 0) >= 0;
    const k = idx[slot]!;
    if (k < 0) return false;
    this.spanAt(k);
    return true;
  }

  /** @internal parses the first value of a header (first line in idx[slot] when parsed) with a span parser, caching nothing; throws SipHeaderError when absent or malformed. */
  private parseFirst<T>(id: number, slot: number, parse: (s: string, u: Uint8Array, a: number, b: number) => T): T {
    if (!this.firstSpan(id, slot)) throw new SipHeaderError(CANONICAL[id]!, 'missing');
    try {
      return parse(SPAN_S, SPAN_U, SPAN_A, SPAN_B);
    } catch (e) {
      throw rethrow(id, e);
    }
  }

  /** @internal number of header lines with a known id. */
  countOf(id: number): number {
    let n = 0;
    if (this.fields) {
      for (const f of this.fields) if (f.id === id) n++;
    } else {
      const idx = this.idx!;
      for (let k = IDX_HEAD; k < idx.length; k += STRIDE) if ((idx[k]! & ID_MASK) === id) n++;
    }
    return n;
  }

  private materialize(): HeaderField[] {
    if (this.fields) return this.fields;
    const out = this.materializeView();
    this.fields = out;
    this.idx = null;
    // The fields hold the replaced Via line (a field without raw text): no override left to apply.
    this.viaLine = null;
    return out;
  }

  /**
   * All header lines in order: name as written, value unfolded, and `raw`, the
   * received text of the line including its line ending (null for added or
   * edited lines).
   */
  headers(): Array<{ name: string; value: string; raw: string | null }> {
    return this.materializeView().map((f) => ({ name: f.name, value: f.value, raw: f.raw }));
  }

  private materializeView(): HeaderField[] {
    if (this.fields) return this.fields;
    const idx = this.idx!;
    const out: HeaderField[] = [];
    for (let k = IDX_HEAD; k < idx.length; k += STRIDE) out.push(new HeaderField(idx[k]! & ID_MASK, this.nameAt(k), this.valueAt(k), this.rawAt(k)));
    return out;
  }

  /**
   * Every value of a header, one entry per header line, unfolded, in order —
   * NOT split at commas (WWW-Authenticate / Authorization values contain
   * commas). Names are case-insensitive and compact forms are equivalent.
   */
  getAll(name: string): string[] {
    const id = headerId(name);
    if (id) return this.valuesOf(id);
    const lname = name.toLowerCase();
    const out: string[] = [];
    if (this.fields) {
      for (const f of this.fields) if (f.id === 0 && f.name.toLowerCase() === lname) out.push(f.value);
      return out;
    }
    // Read in place: asking for one extension header must not build a field object per line.
    const idx = this.idx!;
    for (let k = IDX_HEAD; k < idx.length; k += STRIDE) {
      if ((idx[k]! & ID_MASK) !== 0 || idx[k + 1]! - this.lineStart(k) !== lname.length) continue;
      if (this.nameAt(k).toLowerCase() === lname) out.push(this.valueAt(k));
    }
    return out;
  }

  /** First value of a header (see getAll). */
  get(name: string): string | undefined {
    const id = headerId(name);
    if (id) return this.firstOf(id);
    return this.getAll(name)[0];
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** All values of a list header, split at top-level commas (respecting quotes and <>). */
  getList(name: string): string[] {
    const out: string[] = [];
    for (const v of this.getAll(name)) out.push(...splitCommaList(v));
    return out;
  }

  // --- typed accessors -----------------------------------------------------

  /** Top via-parm (the first value of the first Via header). */
  topVia(): Via | undefined {
    if (this.cTopVia !== undefined || this.cVias !== undefined) return this.cTopVia ?? this.cVias![0];
    if (!this.firstSpan(H.via, FIRST_VIA)) return undefined;
    try {
      return (this.cTopVia = parseViaAt(SPAN_S, SPAN_U, SPAN_A, SPAN_B));
    } catch (e) {
      throw rethrow(H.via, e);
    }
  }

  /** Every via-parm of every Via header, top first. */
  vias(): Via[] {
    if (this.cVias) return this.cVias;
    const out: Via[] = [];
    let c = 0;
    try {
      while ((c = this.nextSpan(H.via, c)) >= 0) parseViaList(SPAN_S, SPAN_U, SPAN_A, SPAN_B, out);
    } catch (e) {
      throw rethrow(H.via, e);
    }
    return (this.cVias = out);
  }

  from(): NameAddr {
    return (this.cFrom ??= this.parseFirst(H.from, FIRST_FROM, fromAt));
  }

  to(): NameAddr {
    return (this.cTo ??= this.parseFirst(H.to, FIRST_TO, toAt));
  }

  callId(): string {
    return (this.cCallId ??= this.parseFirst(H.callId, FIRST_CALL_ID, checkCallId));
  }

  cseq(): CSeq {
    return (this.cCSeq ??= this.parseFirst(H.cseq, FIRST_CSEQ, parseCSeq));
  }

  /**
   * Contact values (§20.10): `{ star: true }` for `Contact: *` (§10.2.2), else
   * the list of bindings across all Contact headers; an empty list when absent.
   */
  contact(): ContactValue {
    if (this.cContact) return this.cContact;
    const list: NameAddr[] = [];
    // Start at the first Contact line the parser recorded (none: skip the walk).
    let c = this.idx === null ? 0 : this.idx[FIRST_CONTACT]!;
    let n = 0;
    let star: ContactValue | null = null;
    try {
      while (c >= 0 && (c = this.nextSpan(H.contact, c)) >= 0) {
        n++;
        if (SPAN_S.charCodeAt(SPAN_A) === 0x2a) {
          const rest = SPAN_S.slice(SPAN_A + 1, SPAN_B).trim();
          // "*" may carry params only in the unusual `*;expires=0` form some UAs send.
          star = { star: true, params: rest === '' ? null : parseNameAddr('<sip:x>' + rest, false, 'Contact').params };
        } else parseNameAddrList(SPAN_S, SPAN_U, SPAN_A, SPAN_B, list, false, 'Contact');
      }
      if (star && n > 1) throw new GrammarError('"*" mixed with other Contact values');
    } catch (e) {
      throw rethrow(H.contact, e);
    }
    return (this.cContact = star ?? { star: false, list });
  }

  /** Contact bindings as a list (empty for `*` or when absent). */
  contacts(): NameAddr[] {
    const c = this.contact();
    return c.star ? [] : c.list;
  }

  private other<T>(id: number, fn: () => T): T {
    const c = (this.cOther ??= []);
    for (let i = 0; i < c.length; i += 2) if (c[i] === id) return c[i + 1] as T;
    const v = grammar(id, fn);
    c.push(id, v);
    return v;
  }

  private nameAddrs(id: number, brackets: boolean): NameAddr[] {
    return this.other(id, () => {
      const out: NameAddr[] = [];
      let c = 0;
      while ((c = this.nextSpan(id, c)) >= 0) parseNameAddrList(SPAN_S, SPAN_U, SPAN_A, SPAN_B, out, brackets, CANONICAL[id]!);
      return out;
    });
  }

  /** Route values in order (§20.34). */
  route(): NameAddr[] {
    return this.nameAddrs(H.route, true);
  }
  /** Record-Route values in order (§20.30). */
  recordRoute(): NameAddr[] {
    return this.nameAddrs(H.recordRoute, true);
  }
  /** Path values in order (RFC 3327). */
  path(): NameAddr[] {
    return this.nameAddrs(H.path, true);
  }
  /** Service-Route values (RFC 3608). */
  serviceRoute(): NameAddr[] {
    return this.nameAddrs(H.serviceRoute, true);
  }

  /** A single-valued integer header (Expires, Max-Forwards…): read in place, no closure or value list (it runs for most requests). */
  private uint(id: number, max: number): number | undefined {
    const c = this.cOther;
    if (c !== undefined) for (let i = 0; i < c.length; i += 2) if (c[i] === id) return c[i + 1] as number | undefined;
    let v: number | undefined;
    const next = this.nextSpan(id, 0);
    if (next >= 0) {
      const s = SPAN_S;
      const a = SPAN_A;
      const b = SPAN_B;
      if (this.nextSpan(id, next) >= 0) throw new SipHeaderError(CANONICAL[id]!, 'appears more than once');
      v = parseDigits(s, a, b, max);
      // Not plain digits within range: parseUInt names the problem.
      if (v < 0) v = grammar(id, () => parseUInt(s.slice(a, b), max));
    }
    (this.cOther ??= []).push(id, v);
    return v;
  }

  /** Expires header in seconds (§20.19), undefined when absent. */
  expires(): number | undefined {
    return this.uint(H.expires, MAX_UINT32);
  }
  /** Min-Expires (§20.23). */
  minExpires(): number | undefined {
    return this.uint(H.minExpires, MAX_UINT32);
  }
  /** Max-Forwards 0..255 (§20.22), undefined when absent. */
  maxForwards(): number | undefined {
    return this.uint(H.maxForwards, 255);
  }
  /** Content-Length header value as received (§20.14), undefined when absent. */
  contentLength(): number | undefined {
    return this.uint(H.contentLength, MAX_UINT32);
  }
  /** Flow-Timer seconds (RFC 5626 §11.3). */
  flowTimer(): number | undefined {
    return this.uint(H.flowTimer, MAX_UINT32);
  }

  private tokens(id: number): readonly string[] {
    // Most messages carry none of these headers: then no cache entry and no arrays.
    if (this.nextSpan(id, 0) < 0) return NO_TOKENS;
    return this.other(id, () => {
      const out: string[] = [];
      parseTokenList(this.valuesOf(id), out);
      return out;
    });
  }

  /** Supported option tags (§20.37). */
  supported(): readonly string[] {
    return this.tokens(H.supported);
  }
  /** Require option tags (§20.32). */
  require(): readonly string[] {
    return this.tokens(H.require);
  }
  /** Proxy-Require option tags (§20.29). */
  proxyRequire(): readonly string[] {
    return this.tokens(H.proxyRequire);
  }
  /** Unsupported option tags (§20.40). */
  unsupported(): readonly string[] {
    return this.tokens(H.unsupported);
  }
  /** Allow methods (§20.5). */
  allow(): readonly string[] {
    return this.tokens(H.allow);
  }
  /** Allow-Events packages (RFC 6665). */
  allowEvents(): readonly string[] {
    return this.tokens(H.allowEvents);
  }

  /** Event (RFC 6665 §8.2.1). */
  event(): EventHeader | undefined {
    return this.other(H.event, () => {
      const v = this.firstOf(H.event);
      return v === undefined ? undefined : parseEvent(v);
    });
  }

  /** Subscription-State (RFC 6665 §8.2.3). */
  subscriptionState(): SubscriptionState | undefined {
    return this.other(H.subscriptionState, () => {
      const v = this.firstOf(H.subscriptionState);
      return v === undefined ? undefined : parseSubscriptionState(v);
    });
  }

  /** Call-Info values (§20.9, RFC 7463). */
  callInfo(): CallInfo[] {
    return this.other(H.callInfo, () => {
      const out: CallInfo[] = [];
      for (const v of this.valuesOf(H.callInfo)) parseCallInfo(v, out);
      return out;
    });
  }

  /** Content-Type (§20.15). */
  contentType(): ContentType | undefined {
    return this.other(H.contentType, () => {
      const v = this.firstOf(H.contentType);
      return v === undefined ? undefined : parseContentType(v);
    });
  }

  /** Retry-After (§20.33). */
  retryAfter(): RetryAfter | undefined {
    return this.other(H.retryAfter, () => {
      const v = this.firstOf(H.retryAfter);
      return v === undefined ? undefined : parseRetryAfter(v);
    });
  }

  /** User-Agent, raw (§20.41). */
  userAgent(): string | undefined {
    return this.firstOf(H.userAgent);
  }

  /** Refer-To (RFC 3515). */
  referTo(): NameAddr | undefined {
    return this.other(H.referTo, () => {
      const v = this.firstOf(H.referTo);
      return v === undefined ? undefined : parseNameAddr(v, false, 'Refer-To');
    });
  }

  // --- mutation (proxy) API --------------------------------------------------

  /** @internal */
  protected invalidate(id: number): void {
    this.dirty = true;
    switch (id) {
      case H.via:
        this.cVias = undefined;
        this.cTopVia = undefined;
        break;
      case H.from:
        this.cFrom = undefined;
        break;
      case H.to:
        this.cTo = undefined;
        break;
      case H.cseq:
        this.cCSeq = undefined;
        break;
      case H.callId:
        this.cCallId = undefined;
        break;
      case H.contact:
        this.cContact = undefined;
        break;
      default: {
        const c = this.cOther;
        if (c === undefined) break;
        for (let i = 0; i < c.length; i += 2)
          if (c[i] === id) {
            c.splice(i, 2);
            break;
          }
      }
    }
  }

  private static matcher(name: string): (f: HeaderField) => boolean {
    const id = headerId(name);
    if (id) return (f) => f.id === id;
    const l = name.toLowerCase();
    return (f) => f.id === 0 && f.name.toLowerCase() === l;
  }

  private newField(name: string, value: HeaderValue): HeaderField {
    const v = String(value);
    if (/[\r\n]/.test(v)) throw new SipHeaderError(name, 'value contains CR or LF');
    const id = headerId(name);
    // A known header name (the proxy's Via, Max-Forwards, Route…) is a valid token already.
    if (id === 0 && !/^[A-Za-z0-9\-.!%*_+`'~]+$/.test(name)) throw new SipHeaderError(name, 'invalid header name');
    return new HeaderField(id, name, v.trim(), null);
  }

  /** Replaces every header of this name (compact form included) with one header, at the first one's place (or the end). */
  setHeader(name: string, value: HeaderValue | HeaderValue[]): this {
    const fields = this.materialize();
    const match = SipMessageBase.matcher(name);
    if (!Array.isArray(value)) {
      // Fast path (a proxy's Max-Forwards on every forwarded request, §16.6 step 3): one value
      // replacing the only line of that name is a replacement in place — the same result as the
      // general path below without its four array copies.
      let at = -1;
      let n = 0;
      for (let i = 0; i < fields.length; i++)
        if (match(fields[i]!)) {
          at = i;
          n++;
        }
      if (n === 1) {
        fields[at] = this.newField(name, value);
        this.invalidate(headerId(name));
        return this;
      }
    }
    const values = Array.isArray(value) ? value : [value];
    const created = values.map((v) => this.newField(name, v));
    let at = fields.findIndex(match);
    const kept = fields.filter((f) => !match(f));
    if (at < 0) at = kept.length;
    else at = fields.slice(0, at).filter((f) => !match(f)).length;
    kept.splice(at, 0, ...created);
    this.fields = kept;
    this.invalidate(headerId(name));
    return this;
  }

  /**
   * Adds a header line. `position: 'first'` puts it before the existing
   * headers of the same name (or at the top when none), default appends it
   * after the last one of that name (or at the end).
   */
  addHeader(name: string, value: HeaderValue, opts: { position?: 'first' | 'last' } = {}): this {
    const fields = this.materialize();
    const match = SipMessageBase.matcher(name);
    const f = this.newField(name, value);
    if (opts.position === 'first') {
      const i = fields.findIndex(match);
      fields.splice(i < 0 ? 0 : i, 0, f);
    } else {
      let i = -1;
      for (let k = fields.length - 1; k >= 0; k--)
        if (match(fields[k]!)) {
          i = k;
          break;
        }
      fields.splice(i < 0 ? fields.length : i + 1, 0, f);
    }
    this.invalidate(f.id);
    return this;
  }

  /** Removes every header of this name; returns how many lines were removed. */
  removeHeader(name: string): number {
    const fields = this.materialize();
    const match = SipMessageBase.matcher(name);
    const kept = fields.filter((f) => !match(f));
    const n = fields.length - kept.length;
    if (n) {
      this.fields = kept;
      this.invalidate(headerId(name));
    }
    return n;
  }

  /** Removes and returns the first value of a comma-list header (Via, Route): rewrites the line when it holds several values. */
  private shiftListValue(id: number): string | undefined {
    const fields = this.materialize();
    const i = fields.findIndex((f) => f.id === id);
    if (i < 0) return undefined;
    const f = fields[i]!;
    this.invalidate(id);
    // One value on the line (the usual case) needs no list split.
    const parts = f.value.indexOf(',') < 0 ? [f.value.trim()] : splitCommaList(f.value);
    if (parts.length <= 1) {
      fields.splice(i, 1);
      return parts[0] || f.value;
    }
    fields[i] = new HeaderField(id, f.name, parts.slice(1).join(', '), null);
    return parts[0];
  }

  /** §16.6 step 8: add a Via on top. */
  prependVia(via: Via | string): this {
    return this.addHeader('Via', via, { position: 'first' });
  }

  /**
   * Replaces the topmost via-parm (RFC 3261 §18.2.1 `received`, RFC 3581
   * `rport`, done to nearly every request). A received message keeps its
   * header index: the first Via line is rewritten in place, no header field
   * objects are made.
   */
  replaceTopVia(via: Via): this {
    const idx = this.idx;
    const k = idx === null ? -1 : idx[FIRST_VIA]!;
    if (k < 0) {
      this.removeTopVia();
      return this.prependVia(via);
    }
    const line = this.valueAt(k);
    // Further via-parms on the same line (comma-separated, §7.3.1) stay after the new one.
    const rest = line.indexOf(',') < 0 ? [] : splitCommaList(line).slice(1);
    this.viaLine = rest.length === 0 ? via.toString() : [via.toString(), ...rest].join(', ');
    this.invalidate(H.via);
    this.cTopVia = via;
    return this;
  }

  /** §16.7 step 3: remove the topmost via-parm; returns it parsed. */
  removeTopVia(): Via | undefined {
    const top = this.topVia();
    const v = this.shiftListValue(H.via);
    return v === undefined ? undefined : top;
  }

  /** §16.4 / §16.12: remove the first Route value (a value of ours); returns it. */
  removeFirstRoute(): NameAddr | undefined {
    const first = this.route()[0];
    if (this.shiftListValue(H.route) === undefined) return undefined;
    return first;
  }

  /** §16.6 step 4: insert a Record-Route value before any existing ones. */
  addRecordRoute(value: NameAddr | string): this {
    return this.addHeader('Record-Route', value, { position: 'first' });
  }

  /** RFC 3327 §5.3: a proxy adds its Path value on top. */
  addPath(value: NameAddr | string): this {
    return this.addHeader('Path', value, { position: 'first' });
  }

  /** Replaces the body; sets Content-Type when given (Content-Length is always recomputed on serialize). */
  setBody(body: Buffer | string, contentType?: string): this {
    this.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.dirty = true;
    if (contentType !== undefined) this.setHeader('Content-Type', contentType);
    return this;
  }

  // --- serialization ---------------------------------------------------------

  /** @internal the start line without CRLF. */
  abstract startLine(): string;

  /**
   * The message as bytes. Untouched header lines are emitted exactly as
   * received (compact forms, folding and all); added or changed ones as
   * `Name: value`. Content-Length always matches the body (§18.3, §20.14).
   */
  serialize(): Buffer {
    if (!this.dirty) {
      if (this.pending !== null) {
        const out = this.pending.serialize(this);
        if (out !== null) return out;
      } else if (this.clExact && this.input) return Buffer.from(this.input.subarray(this.msgStart, this.msgEnd));
    }
    const bodyLen = this.body.length;
    let head = this.startLine() + CRLF;
    let wide = /[^\x00-\xff]/.test(head);
    let clDone = false;
    const clLine = 'Content-Length: ' + bodyLen + CRLF;
    const emit = (id: number, raw: string | null, name: string, value: string): void => {
      if (id === H.contentLength) {
        if (clDone) return;
        clDone = true;
        const n = /^\d+$/.test(value) ? Number(value) : -1;
        head += raw !== null && n === bodyLen && raw.charCodeAt(raw.length - 2) === 13 ? raw : clLine;
        return;
      }
      if (raw !== null) {
        // Received lines keep their bytes; only a bare-LF terminator becomes CRLF (§7: CRLF ends lines).
        head += raw.charCodeAt(raw.length - 2) === 13 ? raw : raw.slice(0, -1) + CRLF;
      } else {
        head += name + ': ' + value + CRLF;
        if (!wide && /[^\x00-\xff]/.test(value)) wide = true;
      }
    };
    if (this.fields) for (const f of this.fields) emit(f.id, f.raw, f.raw === null ? f.name : '', f.raw === null || f.id === H.contentLength ? f.value : '');
    else {
      const idx = this.idx!;
      for (let k = IDX_HEAD; k < idx.length; k += STRIDE) {
        const id = idx[k]! & ID_MASK;
        const raw = this.rawAt(k);
        emit(id, raw, raw === null ? this.nameAt(k) : '', raw === null || id === H.contentLength ? this.valueAt(k) : '');
      }
    }
    if (!clDone) head += clLine;
    head += CRLF;
    if (wide) {
      const headBuf = encodeMixed(head);
      if (bodyLen === 0) return headBuf;
      return Buffer.concat([headBuf, this.body], headBuf.length + bodyLen);
    }
    // Every forwarded request and relayed response comes through here: one pooled allocation
    // for head and body and one native latin1 copy, instead of Buffer.from plus Buffer.concat.
    const n = head.length;
    const out = Buffer.allocUnsafe(n + bodyLen);
    (out as unknown as Latin1Writable).latin1Write(head, 0, n);
    if (bodyLen > 0) this.body.copy(out, n);
    return out;
  }

  toString(): string {
    return this.serialize().toString('latin1');
  }
}

/** Node's own latin1 decoder without toString()'s encoding dispatch (present on every Buffer). */
type Latin1Sliceable = { latin1Slice(start: number, end: number): string };
/** Node's own latin1 encoder without write()'s argument and encoding dispatch (present on every Buffer). */
type Latin1Writable = { latin1Write(s: string, offset: number, length: number): number };

/** Encodes a string whose chars ≤ U+00FF are bytes and whose others are UTF-8 text. */
function encodeMixed(s: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      let j = i;
      while (j < s.length && s.charCodeAt(j) > 0xff) j++;
      parts.push(Buffer.from(s.slice(start, i), 'latin1'), Buffer.from(s.slice(i, j), 'utf8'));
      start = j;
      i = j - 1;
    }
  }
  parts.push(Buffer.from(s.slice(start), 'latin1'));
  return Buffer.concat(parts);
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;

  constructor(
    /** Method token, case-sensitive (§7.1). */
    readonly method: string,
    /** Parsed Request-URI. */
    public uri: Uri,
    public version = 'SIP/2.0',
  ) {
    super();
  }

  /**
   * A copy to edit without touching this request (RFC 3261 §16.6 step 1:
   * "make a copy of the received request" per target). Cheap: it shares the
   * received text and header index, or (once edited) the header fields in a
   * new array — fields are replaced, never changed in place. Typed-header
   * caches start empty; the Request-URI is cloned.
   */
  copy(): SipRequest {
    const c = new SipRequest(this.method, this.uri.clone(), this.version);
    c.src = this.src;
    c.idx = this.idx;
    c.fields = this.fields === null ? null : this.fields.slice();
    c.input = this.input;
    c.msgStart = this.msgStart;
    c.msgEnd = this.msgEnd;
    c.dirty = this.dirty;
    c.clExact = this.clExact;
    c.viaLine = this.viaLine;
    c.body = this.body;
    return c;
  }

  /** Request-URI as text. */
  get requestUri(): string {
    return this.uri.toString();
  }

  /** Sets the Request-URI (§16.5, §16.6 step 2); accepts a parsed URI or text (throws SipUriError if invalid). */
  setRequestUri(uri: Uri | string): this {
    if (typeof uri === 'string') {
      try {
        uri = parseUriSpan(uri, bytesOf(uri), 0, uri.length);
      } catch (e) {
        if (e instanceof GrammarError) throw new SipUriError(uri as string, e.detail);
        throw e;
      }
    }
    this.uri = uri;
    this.dirty = true;
    return this;
  }

  startLine(): string {
    return `${this.method} ${this.uri.toString()} SIP/2.0`;
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;

  constructor(
    public status: number,
    public reason: string,
    public version = 'SIP/2.0',
  ) {
    super();
  }

  setStatus(status: number, reason: string): this {
    this.status = status;
    this.reason = reason;
    this.dirty = true;
    return this;
  }

  startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }
}

export type SipMessage = SipRequest | SipResponse;

/**
 * @internal Header fields to be built on first use (createResponse): most
 * responses are only serialized, so they never need HeaderField objects.
 */
export interface PendingFields {
  /** The fields, exactly as a materialized message would hold them. */
  build(): HeaderField[];
  /** The message's bytes, or null to take the general path (e.g. text above U+00FF). */
  serialize(m: SipMessageBase): Buffer | null;
}

/** @internal builds a message from fields (createResponse, tests). */
export function withFields<T extends SipMessageBase>(m: T, fields: HeaderField[], body: Buffer = EMPTY): T {
  m.fields = fields;
  m.body = body;
  m.dirty = true;
  return m;
}

export { HeaderField, LOWER };
