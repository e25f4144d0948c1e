import { TOKEN } from './char-classes.js';
import { GrammarError, SIP_PARSE_ERRORS, SipHeaderError, type SipParseErrorCode, type SipParseFailure } from './errors.js';
import { CANONICAL, H, NAME_CLASS, NAME_NEXT } from './header-names.js';
import { parseDigits, parseDigitsAt } from './lexer.js';
import { methodAt } from './methods.js';
import { FIRST_CALL_ID, FIRST_CONTACT, FIRST_CSEQ, FIRST_FROM, FIRST_TO, FIRST_VIA, FOLDED, IDX_HDR_START, IDX_HEAD, SipRequest, SipResponse, STRIDE, type SipMessage } from './sip-message.js';
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

/*
 * How the scan works. The header section is read once, line by line. The
 * line end is found with String#indexOf on the latin1 view (native,
 * vectorised); the name is read through the header-name automaton
 * (header-names.ts), which stops at the first non-token byte and knows which
 * header it read, so no colon search, compare or lower-casing is needed.
 * Every test reads the bytes of `input` directly, which V8 compiles to plain
 * loads (String#charCodeAt costs a representation check per char). Each line
 * becomes STRIDE integers in a reused scratch index (layout: IDX_HEAD in
 * sip-message.ts); the message gets an exact-size copy. Presence and
 * duplicates of the single-valued headers, and the first line of each header
 * the hot accessors read, are recorded in the same pass, so nothing walks the
 * index twice.
 */
function parseInner(input: Buffer, opts?: ParseOptions): ParseResult {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const TOKEN_ = TOKEN;
  const CLASS_ = NAME_CLASS;
  const NEXT_ = NAME_NEXT;
  const b = input;
  let maxSize = DEFAULT_LIMITS.maxMessageSize;
  let maxHeaders = DEFAULT_LIMITS.maxHeaders;
  let maxLine = DEFAULT_LIMITS.maxLineLength;
  let stream = false;
  if (opts !== undefined) {
    maxSize = opts.maxMessageSize ?? maxSize;
    maxHeaders = opts.maxHeaders ?? maxHeaders;
    maxLine = opts.maxLineLength ?? maxLine;
    stream = opts.stream === true;
  }
  const n = b.length;
  if (n > maxSize) return bad(failure('too_large'));
  const s = (b as unknown as Latin1Sliceable).latin1Slice(0, n);

  // §7.5: CRLFs before the start line are ignored (keep-alives on streams).
  let pos = 0;
  let c = 0;
  while (pos < n && ((c = b[pos]!) === 13 || c === 10)) pos++;
  if (pos >= n) return bad(failure('empty'));

  // --- start line ---
  let lf = s.indexOf('\n', pos);
  if (lf < 0) return bad(failure('incomplete'));
  let le = lf > pos && b[lf - 1] === 13 ? lf - 1 : lf;
  if (le - pos > maxLine) return bad(failure('line_too_long'));
  const sls = pos;
  const sle = le;
  pos = lf + 1;
  const hdrStart = pos;

  // --- header index: one pass, no per-header objects ---
  const need = IDX_HEAD + STRIDE * (maxHeaders + 1);
  const idx = SCRATCH.length >= need ? SCRATCH : zeros(need);
  let len = IDX_HEAD;
  let bodyStart = -1;
  let present = 0;
  let dup = 0;
  let kVia = -1;
  let kFrom = -1;
  let kTo = -1;
  let kCallId = -1;
  let kCSeq = -1;
  let kContact = -1;
  let kMaxForwards = -1;
  let kCl = -1;
  while (pos < n) {
    c = b[pos]!;
    if (c === 13 && pos + 1 < n && b[pos + 1] === 10) {
      bodyStart = pos + 2;
      break;
    }
    if (c === 10) {
      bodyStart = pos + 1;
      break;
    }
    lf = s.indexOf('\n', pos);
    if (lf < 0) return bad(failure('incomplete'));
    le = b[lf - 1] === 13 ? lf - 1 : lf;
    if (le - pos > maxLine) return bad(failure('line_too_long'));
    if (c === 32 || c === 9) {
      // §7.3.1 line folding: continuation of the previous header value.
      const k = len - STRIDE;
      if (k < IDX_HEAD) return bad(failure('bad_header_line', undefined, undefined, 'continuation line before the first header'));
      let ve = le;
      while (ve > pos && ((c = b[ve - 1]!) === 32 || c === 9)) ve--;
      if (ve > pos) {
        idx[k + 3] = ve;
        idx[k] = idx[k]! | FOLDED;
      }
      idx[k + 4] = lf + 1;
      pos = lf + 1;
      continue;
    }
    // Name: a token read through the name automaton, then WS, then ':' (§7.3.1 HCOLON).
    const ns = pos;
    let st = 0;
    let cls = 0;
    while ((cls = CLASS_[b[pos]!]!) !== 0) {
      st = NEXT_[st + cls]!;
      pos++;
    }
    const ne = pos;
    while ((c = b[pos]!) === 32 || c === 9) pos++;
    if (c !== 0x3a || pos >= le) {
      // Not `token WS ':'`: say why as precisely as a name/colon split would.
      const colon = s.indexOf(':', ns);
      if (colon < 0 || colon >= le) return bad(failure('bad_header_line', undefined, undefined, 'no ":" in header line'));
      return bad(failure('bad_header_line', undefined, undefined, 'invalid character in header name'));
    }
    if (ne === ns) return bad(failure('bad_header_line', undefined, undefined, 'header line does not start with a name'));
    const colon = pos;
    // 0 for an extension header (§7.3, §25.1), which the automaton has checked is a token.
    const id = NEXT_[st]!;
    if (id !== 0 && id < 32) {
      const bit = 1 << id;
      if ((present & bit) === 0) {
        present |= bit;
        switch (id) {
          case H.via:
            kVia = len;
            break;
          case H.from:
            kFrom = len;
            break;
          case H.to:
            kTo = len;
            break;
          case H.callId:
            kCallId = len;
            break;
          case H.cseq:
            kCSeq = len;
            break;
          case H.contact:
            kContact = len;
            break;
          case H.maxForwards:
            kMaxForwards = len;
            break;
          case H.contentLength:
            kCl = len;
            break;
        }
      } else dup |= bit;
    }
    pos = colon + 1;
    while (pos < le && ((c = b[pos]!) === 32 || c === 9)) pos++;
    let ve = le;
    while (ve > pos && ((c = b[ve - 1]!) === 32 || c === 9)) ve--;
    if (len >= need - STRIDE) return bad(failure('too_many_headers'));
    idx[len] = id;
    idx[len + 1] = ne;
    idx[len + 2] = pos;
    idx[len + 3] = ve;
    idx[len + 4] = lf + 1;
    len += STRIDE;
    pos = lf + 1;
  }
  if (bodyStart < 0) return bad(failure('incomplete'));

  // --- start line ---
  let first: ParseError | null = null;
  let m: SipMessage;
  if (sle - sls > 4 && b[sls] === 0x53 && b[sls + 1] === 0x49 && b[sls + 2] === 0x50 && b[sls + 3] === 0x2f) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2)
    const sp = s.indexOf(' ', sls);
    if (sp < 0 || sp > sle) return bad(failure('bad_status_line'));
    const vErr = versionError(s, b, sls, sp);
    if (vErr) return bad(failure(vErr === 'bad_version' ? 'bad_version' : 'bad_status_line'));
    const cs = sp + 1;
    if (cs + 3 > sle || (cs + 3 < sle && b[cs + 3] !== 32)) return bad(failure('bad_status_code'));
    const status = parseDigitsAt(b, cs, cs + 3, 999);
    if (status < 100 || status > 699) return bad(failure('bad_status_code'));
    // A missing SP before an empty Reason-Phrase is tolerated (RFC 4475 §3.1.1.13 note).
    m = new SipResponse(status, cs + 4 <= sle ? s.slice(cs + 4, sle) : '');
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version (§7.1)
    let i = sls;
    while (i < sle && TOKEN_[b[i]!] === 1) i++;
    const methodEnd = i;
    let us = i + 1;
    let ue = s.indexOf(' ', us);
    let vs = ue + 1;
    let vErr: 'bad_version' | 'bad_request_line' | null;
    if (methodEnd === sls || i >= sle || b[i] !== 32 || ue < 0 || ue >= sle || ue === us) {
      // Not Method SP URI SP Version. If runs of whitespace still split it into
      // three parts (RFC 4475 §3.1.2.9 lwsstart), keep them so a 400 can be built.
      const parts = s.slice(sls, sle).trim().split(/[ \t]+/);
      if (methodEnd === sls || parts.length !== 3 || parts[0] !== s.slice(sls, methodEnd)) return bad(failure('bad_request_line'));
      us = s.indexOf(parts[1]!, methodEnd);
      ue = us + parts[1]!.length;
      vs = s.indexOf(parts[2]!, ue);
      vErr = 'bad_request_line';
    } else vErr = versionError(s, b, vs, sle);
    let uri: Uri;
    let uriErr: string | null = null;
    try {
      uri = parseUriSpan(s, b, us, ue);
      if (uri.kind === 'sip' && uri.headers !== null) uriErr = 'URI headers are not allowed in a Request-URI';
    } catch (e) {
      if (!(e instanceof GrammarError)) throw e;
      uriErr = e.detail;
      // Placeholder so a 400 can still be built; the error says the URI is invalid.
      const raw = s.slice(us, ue);
      uri = Object.assign(new AbsoluteUri('', raw), { toString: () => raw });
    }
    m = new SipRequest(methodAt(b, s, sls, methodEnd), uri);
    if (vErr) first = failure(vErr, vErr === 'bad_version' ? undefined : 'Malformed request line');
    else if (uriErr !== null) first = failure('bad_request_uri', undefined, undefined, uriErr);
  }
  m.src = s;
  idx[IDX_HDR_START] = hdrStart;
  idx[FIRST_VIA] = kVia;
  idx[FIRST_FROM] = kFrom;
  idx[FIRST_TO] = kTo;
  idx[FIRST_CALL_ID] = kCallId;
  idx[FIRST_CSEQ] = kCSeq;
  idx[FIRST_CONTACT] = kContact;
  // An exact-size copy: Array#slice of a packed small-integer array is one memcpy (a typed
  // array would cost an ArrayBuffer allocation per message).
  const own = idx.slice(0, len);
  m.idx = own;
  m.msgStart = sls;
  m.input = input;

  // --- what a response needs: Via, From, To, Call-ID, CSeq (§8.2.6, §16.3) ---
  // Checked in this order; the first failure is reported, any failure means no response.
  let canRespond = true;
  let e = kVia < 0 ? missing(H.via) : check(m, H.via);
  if (e !== null) {
    first ??= e;
    canRespond = false;
  }
  e = kFrom < 0 ? missing(H.from) : check(m, H.from);
  if (e !== null) {
    first ??= e;
    canRespond = false;
  }
  e = kTo < 0 ? missing(H.to) : check(m, H.to);
  if (e !== null) {
    first ??= e;
    canRespond = false;
  }
  e = kCallId < 0 ? missing(H.callId) : check(m, H.callId);
  if (e !== null) {
    first ??= e;
    canRespond = false;
  }
  e = kCSeq < 0 ? missing(H.cseq) : check(m, H.cseq);
  if (e !== null) {
    first ??= e;
    canRespond = false;
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
  if (first === null && m.kind === 'request' && kMaxForwards >= 0) {
    // §16.3 step 3 / §20.22: Max-Forwards, when present, is 0..255.
    if (digitsAt(m, own, kMaxForwards, 255) < 0) first = failure('bad_header', 'Bad Max-Forwards header', 'Max-Forwards', 'not an integer in 0..255');
  }

  // --- body framing (§18.3, §20.14) ---
  if (kCl < 0) {
    if (stream && first === null) first = failure('missing_content_length');
    m.body = input.subarray(bodyStart, n);
    m.msgEnd = n;
  } else {
    const cl = digitsAt(m, own, kCl, maxSize);
    if ((dup & (1 << H.contentLength)) !== 0 && clDiffers(m, own, kCl)) {
      first ??= failure('duplicate_header', 'Multiple Content-Length headers', 'Content-Length');
      m.body = input.subarray(bodyStart, n);
      m.msgEnd = n;
    } else if (cl < 0) {
      first ??= /^\d+$/.test(m.valueAt(kCl)) ? failure('content_length_mismatch') : failure('bad_header', 'Bad Content-Length header', 'Content-Length', 'not a non-negative integer');
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

/** Reused header index for the scan (a packed small-integer array); each message gets an exact-size copy. */
const SCRATCH = zeros(IDX_HEAD + STRIDE * (DEFAULT_LIMITS.maxHeaders + 1));

/** n zeros as a packed (hole-free) small-integer array, so copies of it stay packed too. */
function zeros(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0);
  return a;
}

/** Single-valued headers (ids below 32 so they fit a bitmask). */
const SINGLE_VALUED = [H.from, H.to, H.callId, H.cseq, H.maxForwards];
const SINGLE_BITS = SINGLE_VALUED.reduce((a, id) => a | (1 << id), 0);

function missing(id: number): ParseError {
  return failure('missing_header', `Missing ${CANONICAL[id]}`, CANONICAL[id]);
}

/** 1*DIGIT value of index line k, at most max; -1 otherwise. Reads the message text in place unless folded. */
function digitsAt(m: SipMessage, idx: number[], k: number, max: number): number {
  if ((idx[k]! & FOLDED) === 0) return parseDigitsAt(m.input!, idx[k + 2]!, idx[k + 3]!, max);
  const v = m.valueAt(k);
  return parseDigits(v, 0, v.length, max);
}

/** True when a later Content-Length line's value differs from the first one's (k). */
function clDiffers(m: SipMessage, idx: number[], k: number): boolean {
  const v = m.valueAt(k);
  for (let j = k + STRIDE; j < idx.length; j += STRIDE) if ((idx[j]! & 0xff) === H.contentLength && m.valueAt(j) !== v) return true;
  return false;
}

/** Validates one of the five headers a response copies; returns the failure or null. */
function check(m: SipMessage, id: number): ParseError | null {
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
    return failure('bad_header', err.reason, CANONICAL[id], err.detail);
  }
  return null;
}

/** 'SIP/2.0' (case-insensitive, §7.1) in u[a,e) → null; another SIP/x.y → 'bad_version'; anything else → 'bad_request_line'. */
function versionError(s: string, u: Uint8Array, a: number, e: number): 'bad_version' | 'bad_request_line' | null {
  if (e - a === 7 && (u[a]! | 0x20) === 0x73 && (u[a + 1]! | 0x20) === 0x69 && (u[a + 2]! | 0x20) === 0x70 && u[a + 3] === 0x2f && u[a + 4] === 0x32 && u[a + 5] === 0x2e && u[a + 6] === 0x30)
    return null;
  const v = s.slice(a, e);
  return /^SIP\/\d+\.\d+$/i.test(v) ? 'bad_version' : 'bad_request_line';
}

/** Node's own latin1 decoder without toString()'s encoding dispatch (present on every Buffer). */
type Latin1Sliceable = { latin1Slice(start: number, end: number): string };
