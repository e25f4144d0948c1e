import { WORD } from './char-classes.js';
import { bytesOf, cursor, fail, parseDigits, parseDigitsAt, parseGenericParams, scanToken, skipWs, splitCommaList } from './lexer.js';
import { methodAt } from './methods.js';
import { Params } from './params.js';
import { parseUriSpan, type Uri } from './uri.js';

/** CSeq (RFC 3261 §20.16): sequence number and method. */
export interface CSeq {
  seq: number;
  method: string;
}

/** 2**32-1: the largest CSeq / delta-seconds a receiver accepts (§8.1.1.5, §20.19). */
export const MAX_UINT32 = 4294967295;

/** CSeq = 1*DIGIT LWS Method in s[a,b). Leading zeros allowed (RFC 4475 §3.1.1.1). */
export function parseCSeq(s: string, u: Uint8Array, a: number, b: number): CSeq {
  const end = b;
  let i = skipWs(u, a, end);
  const ds = i;
  while (i < end && u[i]! >= 0x30 && u[i]! <= 0x39) i++;
  if (i === ds) fail('missing sequence number');
  const seq = parseDigitsAt(u, ds, i, MAX_UINT32);
  if (seq < 0) fail('sequence number larger than 2**32-1');
  const ms = skipWs(u, i, end);
  if (ms === i) fail('missing whitespace before method');
  const me = scanToken(u, ms, end);
  if (me === ms) fail('missing method');
  if (skipWs(u, me, end) !== end) fail('trailing characters after method');
  return { seq, method: methodAt(u, s, ms, me) };
}

/** callid = word [ "@" word ] (§25.1) in s[a,b). Returns the Call-ID or throws. */
export function checkCallId(s: string, u: Uint8Array, a: number, b: number): string {
  const WORD_ = WORD;
  if (b <= a) fail('empty Call-ID');
  let at = -1;
  for (let i = a; i < b; i++) {
    const c = u[i]!;
    if (c === 0x40) {
      if (at >= 0 || i === a || i === b - 1) fail('malformed Call-ID');
      at = i;
    } else if (WORD_[c] === 0) fail('invalid character in Call-ID');
  }
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** A header that is 1*DIGIT (Max-Forwards, Expires, Content-Length, Flow-Timer…). */
export function parseUInt(s: string, max: number): number {
  const v = parseDigits(s, 0, s.length, max);
  if (v < 0) fail(/^\d+$/.test(s) ? `value larger than ${max}` : 'not a non-negative integer');
  return v;
}

/** Comma list of tokens (Supported, Require, Unsupported, Allow, Proxy-Require, Allow-Events). May be empty. */
export function parseTokenList(values: readonly string[], out: string[]): void {
  for (const v of values) {
    const end = v.length;
    const u = bytesOf(v);
    let i = skipWs(u, 0, end);
    while (i < end) {
      const e = scanToken(u, i, end);
      if (e === i) fail(`invalid token list element at ${JSON.stringify(v.slice(i, i + 10))}`);
      out.push(v.slice(i, e));
      i = skipWs(u, e, end);
      if (i < end) {
        if (u[i] !== 0x2c) fail('tokens must be separated by ","');
        i = skipWs(u, i + 1, end);
        if (i >= end) fail('empty list element');
      }
    }
  }
}

/** Event (RFC 6665 §8.2.1 / RFC 3265 §7.2.1): event-type and params incl. id. */
export class EventHeader {
  constructor(
    /** event-package[.template], e.g. `presence`, `call-info`, `line-seize`, `message-summary`. */
    public type: string,
    public params: Params = new Params(),
  ) {}
  get package(): string {
    const d = this.type.indexOf('.');
    return d < 0 ? this.type : this.type.slice(0, d);
  }
  get id(): string | undefined {
    return this.params.get('id') ?? undefined;
  }
  toString(): string {
    return this.type + this.params.toString();
  }
}

export function parseEvent(s: string): EventHeader {
  const end = s.length;
  const u = bytesOf(s);
  const i = skipWs(u, 0, end);
  const e = scanToken(u, i, end);
  if (e === i) fail('missing event type');
  const kv: Array<string | null> = [];
  const stop = parseGenericParams(s, u, e, end, kv, false);
  if (stop !== end) fail('unexpected characters in Event');
  return new EventHeader(s.slice(i, e), new Params(kv));
}

/** Subscription-State (RFC 6665 §8.2.3): state and params expires / reason / retry-after. */
export class SubscriptionState {
  constructor(
    /** active | pending | terminated | extension token (as written). */
    public state: string,
    public params: Params = new Params(),
  ) {}
  get expires(): number | undefined {
    const v = this.params.get('expires');
    return v ? Number(v) : undefined;
  }
  get reason(): string | undefined {
    return this.params.get('reason') ?? undefined;
  }
  get retryAfter(): number | undefined {
    const v = this.params.get('retry-after');
    return v ? Number(v) : undefined;
  }
  toString(): string {
    return this.state + this.params.toString();
  }
}

export function parseSubscriptionState(s: string): SubscriptionState {
  const end = s.length;
  const u = bytesOf(s);
  const i = skipWs(u, 0, end);
  const e = scanToken(u, i, end);
  if (e === i) fail('missing substate-value');
  const kv: Array<string | null> = [];
  parseGenericParams(s, u, e, end, kv, false);
  const p = new Params(kv);
  for (const name of ['expires', 'retry-after']) {
    const v = p.getRaw(name);
    if (v !== undefined && (v === null || parseDigits(v, 0, v.length, MAX_UINT32) < 0)) fail(`bad ${name}`);
  }
  return new SubscriptionState(s.slice(i, e), p);
}

/** One Call-Info value (§20.9; RFC 7463 appearance-index / appearance-state for SCA). */
export class CallInfo {
  constructor(
    public uri: Uri,
    public params: Params = new Params(),
  ) {}
  get purpose(): string | undefined {
    return this.params.get('purpose') ?? undefined;
  }
  /** `appearance-index` number, `'*'` for the wildcard, NaN when malformed. */
  get appearanceIndex(): number | '*' | undefined {
    const v = this.params.get('appearance-index');
    if (v === undefined || v === null) return undefined;
    if (v === '*') return '*';
    return /^\d+$/.test(v) ? Number(v) : NaN;
  }
  get appearanceState(): string | undefined {
    return this.params.get('appearance-state') ?? undefined;
  }
  get appearanceUri(): string | undefined {
    return this.params.get('appearance-uri') ?? undefined;
  }
  toString(): string {
    return '<' + this.uri.toString() + '>' + this.params.toString();
  }
}

export function parseCallInfo(s: string, out: CallInfo[]): void {
  const end = s.length;
  const u = bytesOf(s);
  let i = 0;
  for (;;) {
    i = skipWs(u, i, end);
    if (i >= end || u[i]! !== 0x3c) fail('Call-Info value must start with <');
    const close = s.indexOf('>', i);
    if (close < 0) fail('missing ">"');
    const uri = parseUriSpan(s, u, i + 1, close);
    const kv: Array<string | null> = [];
    i = parseGenericParams(s, u, close + 1, end, kv, true);
    out.push(new CallInfo(uri, new Params(kv)));
    if (i >= end) return;
    i++;
  }
}

/** Content-Type (§20.15): type/subtype and parameters; type and subtype lower-cased. */
export class ContentType {
  constructor(
    public type: string,
    public subtype: string,
    public params: Params = new Params(),
  ) {}
  /** `type/subtype`, lower case. */
  get mediaType(): string {
    return this.type + '/' + this.subtype;
  }
  get boundary(): string | undefined {
    return this.params.get('boundary') ?? undefined;
  }
  get charset(): string | undefined {
    return this.params.get('charset') ?? undefined;
  }
  toString(): string {
    return this.mediaType + this.params.toString();
  }
}

export function parseContentType(s: string): ContentType {
  const end = s.length;
  const u = bytesOf(s);
  let i = skipWs(u, 0, end);
  const te = scanToken(u, i, end);
  if (te === i) fail('missing media type');
  const type = s.slice(i, te).toLowerCase();
  i = skipWs(u, te, end);
  if (i >= end || u[i]! !== 0x2f) fail('missing "/" in media type');
  i = skipWs(u, i + 1, end);
  const se = scanToken(u, i, end);
  if (se === i) fail('missing media subtype');
  const subtype = s.slice(i, se).toLowerCase();
  const kv: Array<string | null> = [];
  const stop = parseGenericParams(s, u, se, end, kv, false);
  if (stop !== end) fail('unexpected characters in Content-Type');
  return new ContentType(type, subtype, new Params(kv));
}

/** Retry-After (§20.33): delta-seconds [comment] *(SEMI retry-param). */
export interface RetryAfter {
  seconds: number;
  comment?: string;
  params: Params;
  /** `duration` parameter in seconds, when present. */
  duration?: number;
}

export function parseRetryAfter(s: string): RetryAfter {
  const end = s.length;
  const u = bytesOf(s);
  let i = skipWs(u, 0, end);
  const ds = i;
  while (i < end && u[i]! >= 0x30 && u[i]! <= 0x39) i++;
  const seconds = parseDigitsAt(u, ds, i, MAX_UINT32);
  if (seconds < 0) fail(i === ds ? 'missing delta-seconds' : 'delta-seconds larger than 2**32-1');
  i = skipWs(u, i, end);
  let comment: string | undefined;
  if (i < end && u[i]! === 0x28) {
    let depth = 0;
    const cs = i;
    for (; i < end; i++) {
      const c = u[i]!;
      if (c === 0x5c) i++;
      else if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) break;
    }
    if (depth !== 0) fail('unterminated comment');
    comment = s.slice(cs + 1, i);
    i++;
  }
  const kv: Array<string | null> = [];
  const stop = parseGenericParams(s, u, i, end, kv, false);
  if (stop !== end) fail('unexpected characters in Retry-After');
  const params = new Params(kv);
  const r: RetryAfter = { seconds, params };
  if (comment !== undefined) r.comment = comment;
  const d = params.get('duration');
  if (d !== undefined) {
    if (d === null || parseDigits(d, 0, d.length, MAX_UINT32) < 0) fail('bad duration');
    r.duration = Number(d);
  }
  return r;
}

export { cursor, splitCommaList };
