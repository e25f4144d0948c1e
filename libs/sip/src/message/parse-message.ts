import { TOKEN } from './char-classes.js';
import { GrammarError, SIP_PARSE_ERRORS, SipHeaderError, type SipParseErrorCode, type SipParseFailure } from './errors.js';
import { CANONICAL, H, knownId } from './header-names.js';
import { parseDigits } from './lexer.js';
import { SipRequest, SipResponse, STRIDE, type SipMessage } from './sip-message.js';
import { AbsoluteUri, parseUriSpan, type Uri } from './uri.js';

/** Hard limits applied before anything else (style: hard limits on sizes). */
export interface ParseLimits {
  /** Largest message accepted, bytes (default 65535, the largest UDP payload). */
  maxMessageSize: number;
  /** Most header lines accepted (default 256). */
  maxHeaders: number;
  /** Longest start or header line accepted, bytes (default 8192). */
  maxLineLength: number;
}

export const DEFAULT_LIMITS: Readonly<ParseLimits> = { maxMessageSize: 65535, maxHeaders: 256, maxLineLength: 8192 };

export interface ParseOptions extends Partial<ParseLimits> {
  /**
   * true when `input` came from a stream transport (TCP/TLS/WS) and holds one
   * framed message: Content-Length is then mandatory (§18.3). Default false:
   * a datagram, where a missing Content-Length means "to the end of the
   * packet", a shorter body is an error and extra octets are discarded.
   */
  stream?: boolean;
}

/** A parse failure; `message` is set when `canRespond` (enough is valid to build a response). */
export interface ParseError extends SipParseFailure {
  message?: SipMessage;
}

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: ParseError };

function failure(code: SipParseErrorCode, reason?: string, header?: string, detail?: string): ParseError {
  const e: ParseError = { code, reason: reason ?? SIP_PARSE_ERRORS[code].reason, status: SIP_PARSE_ERRORS[code].status, canRespond: false };
  if (header !== undefined) e.header = header;
  if (detail !== undefined) e.detail = detail;
  return e;
}

function bad(r: ParseError): ParseResult {
  return { ok: false, error: r };
}

/**
 * Parses one SIP message (RFC 3261 §7) and validates what a server must
 * check before using it (§8.2, §16.3, §18.3). Never throws: every outcome is
 * a value. The message keeps views on `input` (header text and body are not
 * copied), so the caller must not reuse that buffer afterwards.
 *
 * Eagerly parsed and validated: start line, Request-URI, top Via value,
 * From, To, Call-ID, CSeq (and its method against the request's),
 * Max-Forwards, Content-Length. Everything else is parsed on first access.
 */
export function parseMessage(input: Buffer, opts?: ParseOptions): ParseResult {
  try {
    return parseInner(input, opts);
  } catch (e) {
    // Last-resort guard so a parser bug can never take a transport down.
    return bad(failure('malformed', undefined, undefined, e instanceof Error ? e.message : String(e)));
  }
}

function parseInner(input: Buffer, opts?: ParseOptions): ParseResult {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const TOKEN_ = TOKEN;
  const maxSize = opts?.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize;
  const maxHeaders = opts?.maxHeaders ?? DEFAULT_LIMITS.maxHeaders;
  const maxLine = opts?.maxLineLength ?? DEFAULT_LIMITS.maxLineLength;
  const stream = opts?.stream === true;
  const n = input.length;
  if (n > maxSize) return bad(failure('too_large'));
  const s = (input as unknown as Latin1Sliceable).latin1Slice(0, n);

  // §7.5: CRLFs before the start line are ignored (keep-alives on streams).
  let pos = 0;
  let c = 0;
  while (pos < n && ((c = s.charCodeAt(pos)) === 13 || c === 10)) pos++;
  if (pos >= n) return bad(failure('empty'));

  // --- start line ---
  let lf = s.indexOf('\n', pos);
  if (lf < 0) return bad(failure('incomplete'));
  let le = lf > pos && s.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
  if (le - pos > maxLine) return bad(failure('line_too_long'));
  const sls = pos;
  const sle = le;
  pos = lf + 1;

  // --- header index: one pass, no per-header objects ---
  const idx = SCRATCH.length >= STRIDE * (maxHeaders + 1) ? SCRATCH : new Int32Array(STRIDE * (maxHeaders + 1));
  let len = 0;
  let count = 0;
  let bodyStart = -1;
  while (pos < n) {
    c = s.charCodeAt(pos);
    if (c === 13 && pos + 1 < n && s.charCodeAt(pos + 1) === 10) {
      bodyStart = pos + 2;
      break;
    }
    if (c === 10) {
      bodyStart = pos + 1;
      break;
    }
    lf = s.indexOf('\n', pos);
    if (lf < 0) return bad(failure('incomplete'));
    le = s.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
    if (le - pos > maxLine) return bad(failure('line_too_long'));
    if (c === 32 || c === 9) {
      // §7.3.1 line folding: continuation of the previous header value.
      const k = len - STRIDE;
      if (k < 0) return bad(failure('bad_header_line', undefined, undefined, 'continuation line before the first header'));
      let ve = le;
      while (ve > pos && ((c = s.charCodeAt(ve - 1)) === 32 || c === 9)) ve--;
      if (ve > pos) {
        idx[k + 4] = ve;
        idx[k + 6] = 1;
      }
      idx[k + 5] = lf + 1;
      pos = lf + 1;
      continue;
    }
    // Name: up to ':' (found natively), minus WS before it (§7.3.1 HCOLON).
    const ns = pos;
    const colon = s.indexOf(':', pos);
    if (colon < 0 || colon >= le) return bad(failure('bad_header_line', undefined, undefined, 'no ":" in header line'));
    let ne = colon;
    while (ne > ns && ((c = s.charCodeAt(ne - 1)) === 32 || c === 9)) ne--;
    if (ne === ns) return bad(failure('bad_header_line', undefined, undefined, 'header line does not start with a name'));
    const id = knownId(s, ns, ne);
    if (id === 0) {
      // Extension header: the name must be a token (§7.3, §25.1).
      for (let k = ns; k < ne; k++) {
        c = s.charCodeAt(k);
        if (c > 255 || TOKEN_[c] === 0) return bad(failure('bad_header_line', undefined, undefined, 'invalid character in header name'));
      }
    }
    pos = colon + 1;
    while (pos < le && ((c = s.charCodeAt(pos)) === 32 || c === 9)) pos++;
    let ve = le;
    while (ve > pos && ((c = s.charCodeAt(ve - 1)) === 32 || c === 9)) ve--;
    if (++count > maxHeaders) return bad(failure('too_many_headers'));
    idx[len] = id;
    idx[len + 1] = ns;
    idx[len + 2] = ne;
    idx[len + 3] = pos;
    idx[len + 4] = ve;
    idx[len + 5] = lf + 1;
    idx[len + 6] = 0;
    len += STRIDE;
    pos = lf + 1;
  }
  if (bodyStart < 0) return bad(failure('incomplete'));

  // --- start line ---
  let first: ParseError | null = null;
  let m: SipMessage;
  if (sle - sls > 4 && s.charCodeAt(sls) === 0x53 && s.startsWith('SIP/', sls)) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2)
    const sp = s.indexOf(' ', sls);
    if (sp < 0 || sp > sle) return bad(failure('bad_status_line'));
    const vErr = versionError(s, sls, sp);
    if (vErr) return bad(failure(vErr === 'bad_version' ? 'bad_version' : 'bad_status_line'));
    const cs = sp + 1;
    if (cs + 3 > sle || (cs + 3 < sle && s.charCodeAt(cs + 3) !== 32)) return bad(failure('bad_status_code'));
    const status = parseDigits(s, cs, cs + 3, 999);
    if (status < 100 || status > 699) return bad(failure('bad_status_code'));
    // A missing SP before an empty Reason-Phrase is tolerated (RFC 4475 §3.1.1.13 note).
    const r = new SipResponse(status, cs + 4 <= sle ? s.slice(cs + 4, sle) : '');
    m = r;
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version (§7.1)
    let i = sls;
    while (i < sle && (c = s.charCodeAt(i)) < 256 && TOKEN_[c] === 1) i++;
    const methodEnd = i;
    let us = i + 1;
    let ue = s.indexOf(' ', us);
    let vs = ue + 1;
    let vErr: 'bad_version' | 'bad_request_line' | null;
    if (methodEnd === sls || i >= sle || s.charCodeAt(i) !== 32 || ue < 0 || ue >= sle || ue === us) {
      // Not Method SP URI SP Version. If runs of whitespace still split it into
      // three parts (RFC 4475 §3.1.2.9 lwsstart), keep them so a 400 can be built.
      const parts = s.slice(sls, sle).trim().split(/[ \t]+/);
      if (methodEnd === sls || parts.length !== 3 || parts[0] !== s.slice(sls, methodEnd)) return bad(failure('bad_request_line'));
      us = s.indexOf(parts[1]!, methodEnd);
      ue = us + parts[1]!.length;
      vs = s.indexOf(parts[2]!, ue);
      vErr = 'bad_request_line';
    } else vErr = versionError(s, vs, sle);
    let uri: Uri;
    let uriErr: string | null = null;
    try {
      uri = parseUriSpan(s, us, ue);
      if (uri.kind === 'sip' && uri.headers !== null) uriErr = 'URI headers are not allowed in a Request-URI';
    } catch (e) {
      if (!(e instanceof GrammarError)) throw e;
      uriErr = e.detail;
      // Placeholder so a 400 can still be built; the error says the URI is invalid.
      const raw = s.slice(us, ue);
      uri = Object.assign(new AbsoluteUri('', raw), { toString: () => raw });
    }
    const method = s.slice(sls, methodEnd);
    m = new SipRequest(method, uri);
    if (vErr) first = failure(vErr, vErr === 'bad_version' ? undefined : 'Malformed request line');
    else if (uriErr !== null) first = failure('bad_request_uri', undefined, undefined, uriErr);
  }
  m.src = s;
  // An exact-size plain array: TypedArray#slice and small typed-array allocations cost more than this copy.
  const own: number[] = new Array(len);
  for (let k = 0; k < len; k++) own[k] = idx[k]!;
  m.idx = own;
  m.msgStart = sls;
  m.input = input;

  // --- one pass over the index: presence, duplicates, Content-Length lines ---
  let present = 0;
  let dup = 0;
  let kCl = -1;
  let clDiffers = false;
  for (let k = 0; k < len; k += STRIDE) {
    const id = own[k]!;
    if (id === 0 || id > H.contentLength) continue;
    const bit = 1 << id;
    if (present & bit) {
      if ((dup & bit) === 0) dup |= bit;
      if (id === H.contentLength && m.valueAt(k) !== m.valueAt(kCl)) clDiffers = true;
    } else {
      present |= bit;
      if (id === H.contentLength) kCl = k;
    }
  }

  // --- what a response needs: Via, From, To, Call-ID, CSeq (§8.2.6, §16.3) ---
  let canRespond = true;
  for (const id of RESPONSE_NEEDS) {
    const e = (present & (1 << id)) === 0 ? failure('missing_header', `Missing ${CANONICAL[id]}`, CANONICAL[id]) : check(m, id);
    if (e) {
      first ??= e;
      canRespond = false;
    }
  }
  // Single-valued headers must appear once (RFC 4475 §3.3.8).
  if (first === null && (dup & SINGLE_BITS) !== 0) {
    for (const id of SINGLE_VALUED)
      if (dup & (1 << id)) {
        first = failure('duplicate_header', `Multiple ${CANONICAL[id]} headers`, CANONICAL[id]);
        break;
      }
  }
  if (first === null && m.kind === 'request' && m.cseq().method !== m.method) first = failure('cseq_method_mismatch');
  if (first === null && m.kind === 'request' && present & (1 << H.maxForwards)) {
    // §16.3 step 3 / §20.22: Max-Forwards, when present, is 0..255.
    const mf = m.firstOf(H.maxForwards)!;
    if (parseDigits(mf, 0, mf.length, 255) < 0) first = failure('bad_header', 'Bad Max-Forwards header', 'Max-Forwards', 'not an integer in 0..255');
  }

  // --- body framing (§18.3, §20.14) ---
  if (kCl < 0) {
    if (stream && first === null) first = failure('missing_content_length');
    m.body = input.subarray(bodyStart, n);
    m.msgEnd = n;
  } else {
    const v = m.valueAt(kCl);
    const cl = parseDigits(v, 0, v.length, maxSize);
    if (clDiffers) {
      first ??= failure('duplicate_header', 'Multiple Content-Length headers', 'Content-Length');
      m.body = input.subarray(bodyStart, n);
      m.msgEnd = n;
    } else if (cl < 0) {
      first ??= /^\d+$/.test(v) ? failure('content_length_mismatch') : failure('bad_header', 'Bad Content-Length header', 'Content-Length', 'not a non-negative integer');
      m.body = input.subarray(bodyStart, n);
      m.msgEnd = n;
    } else if (bodyStart + cl > n) {
      first ??= stream ? failure('incomplete') : failure('content_length_mismatch');
      m.body = input.subarray(bodyStart, n);
      m.msgEnd = n;
    } else {
      if (cl > 0) m.body = input.subarray(bodyStart, bodyStart + cl);
      m.msgEnd = bodyStart + cl;
      m.clExact = (dup & (1 << H.contentLength)) === 0;
    }
  }

  if (first !== null) {
    first.canRespond = canRespond;
    if (canRespond) first.message = m;
    return { ok: false, error: first };
  }
  return { ok: true, message: m };
}

/** Reused header index for the scan; each message gets an exact-size copy. */
const SCRATCH = new Int32Array(STRIDE * (DEFAULT_LIMITS.maxHeaders + 1));

/** Headers a response copies; all must be present and valid for canRespond. */
const RESPONSE_NEEDS = [H.via, H.from, H.to, H.callId, H.cseq];
/** Single-valued headers (ids below 32 so they fit a bitmask). */
const SINGLE_VALUED = [H.from, H.to, H.callId, H.cseq, H.maxForwards];
const SINGLE_BITS = SINGLE_VALUED.reduce((a, id) => a | (1 << id), 0);

/** Validates one of the five headers a response copies; returns the failure or null. */
function check(m: SipMessage, id: number): ParseError | null {
  const name = CANONICAL[id]!;
  try {
    switch (id) {
      case H.via:
        m.topVia();
        break;
      case H.from:
        m.from();
        break;
      case H.to:
        m.to();
        break;
      case H.callId:
        m.callId();
        break;
      default:
        m.cseq();
    }
  } catch (err) {
    if (!(err instanceof SipHeaderError)) throw err;
    return failure('bad_header', err.reason, name, err.detail);
  }
  return null;
}

/** 'SIP/2.0' (case-insensitive, §7.1) → null; another SIP/x.y → 'bad_version'; anything else → 'bad_request_line'. */
function versionError(s: string, a: number, b: number): 'bad_version' | 'bad_request_line' | null {
  if (b - a === 7 && (s.charCodeAt(a) | 0x20) === 0x73 && (s.charCodeAt(a + 1) | 0x20) === 0x69 && (s.charCodeAt(a + 2) | 0x20) === 0x70 && s.charCodeAt(a + 3) === 0x2f && s.charCodeAt(a + 4) === 0x32 && s.charCodeAt(a + 5) === 0x2e && s.charCodeAt(a + 6) === 0x30)
    return null;
  const v = s.slice(a, b);
  return /^SIP\/\d+\.\d+$/i.test(v) ? 'bad_version' : 'bad_request_line';
}

/** Node's own latin1 decoder without toString()'s encoding dispatch (present on every Buffer). */
type Latin1Sliceable = { latin1Slice(start: number, end: number): string };
