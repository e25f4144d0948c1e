/**
 * The message engine's closed error set, mapped by one table to the SIP
 * status a server answers with and the short reason phrase it puts in that
 * response (style: one error enum per engine, mapped by table).
 */

export type SipParseErrorCode =
  | 'empty'
  | 'too_large'
  | 'incomplete'
  | 'bad_request_line'
  | 'bad_status_line'
  | 'bad_request_uri'
  | 'bad_version'
  | 'bad_status_code'
  | 'bad_header_line'
  | 'too_many_headers'
  | 'line_too_long'
  | 'missing_header'
  | 'bad_header'
  | 'duplicate_header'
  | 'cseq_method_mismatch'
  | 'content_length_mismatch'
  | 'missing_content_length'
  | 'malformed';

export interface SipErrorInfo {
  /** SIP status a UAS/proxy answers a request with (RFC 3261 §8.2, §21). */
  status: number;
  /** Default reason phrase; header-specific errors refine it (e.g. "Bad CSeq header"). */
  reason: string;
  /** What the error means, for documentation and logs. */
  description: string;
}

export const SIP_PARSE_ERRORS: Readonly<Record<SipParseErrorCode, SipErrorInfo>> = {
  empty: { status: 400, reason: 'Empty message', description: 'no bytes, or only CRLFs' },
  too_large: { status: 513, reason: 'Message too large', description: 'larger than limits.maxMessageSize (RFC 3261 §21.5.14)' },
  incomplete: { status: 400, reason: 'Incomplete message', description: 'no empty line ends the header section' },
  bad_request_line: { status: 400, reason: 'Malformed request line', description: 'Request-Line is not Method SP Request-URI SP SIP-Version (§7.1)' },
  bad_status_line: { status: 400, reason: 'Malformed status line', description: 'Status-Line is not SIP-Version SP Status-Code SP Reason-Phrase (§7.2)' },
  bad_request_uri: { status: 400, reason: 'Invalid Request-URI', description: 'Request-URI does not parse, or carries URI headers (§19.1.1 table 1)' },
  bad_version: { status: 505, reason: 'Version Not Supported', description: 'SIP-Version other than SIP/2.0 (§8.2.2 note, §21.5.7)' },
  bad_status_code: { status: 400, reason: 'Invalid status code', description: 'Status-Code is not 3 digits in 100..699 (§7.2)' },
  bad_header_line: { status: 400, reason: 'Malformed header line', description: 'a header line without a token name and colon (§7.3)' },
  too_many_headers: { status: 400, reason: 'Too many headers', description: 'more header lines than limits.maxHeaders' },
  line_too_long: { status: 400, reason: 'Header line too long', description: 'a line longer than limits.maxLineLength' },
  missing_header: { status: 400, reason: 'Missing mandatory header', description: 'Via, From, To, Call-ID or CSeq absent (§8.1.1, §8.2)' },
  bad_header: { status: 400, reason: 'Bad header', description: 'a header value that does not match its grammar' },
  duplicate_header: { status: 400, reason: 'Duplicate header', description: 'a single-valued header appears more than once (RFC 4475 §3.3.8, §3.3.9)' },
  cseq_method_mismatch: { status: 400, reason: 'CSeq method mismatch', description: 'CSeq method differs from the request method (§8.2, RFC 4475 §3.1.2.17)' },
  content_length_mismatch: { status: 400, reason: 'Content-Length mismatch', description: 'datagram body shorter than Content-Length (§18.3)' },
  missing_content_length: { status: 400, reason: 'Missing Content-Length', description: 'stream transport without Content-Length (§18.3, §20.14)' },
  malformed: { status: 400, reason: 'Malformed message', description: 'last-resort guard: an unexpected internal failure while parsing (never expected; the fuzz test asserts it does not occur)' },
};

/** A parse failure, as carried in `parseMessage` results. */
export interface SipParseFailure {
  code: SipParseErrorCode;
  /** Short human text, usable as a SIP 400 reason phrase ("Bad CSeq header", "Missing Call-ID"…). */
  reason: string;
  /** Status to answer a request with (400, 505, 513). */
  status: number;
  /** True when Via, From, To, Call-ID and CSeq are present and valid: a response can be built from `message`. */
  canRespond: boolean;
  /** Header concerned, canonical spelling, when the error is about one. */
  header?: string;
  /** Longer diagnostic, e.g. "invalid port in URI". */
  detail?: string;
}

/**
 * Thrown by the typed header accessors (`msg.contact()`, `msg.cseq()`…) when a
 * header value does not match its grammar. It is the only error type they
 * throw; catch it with `instanceof SipHeaderError`.
 */
export class SipHeaderError extends Error {
  readonly code = 'bad_header' as const;
  readonly status = 400;
  /** "Bad Contact header" — usable as a reason phrase. */
  readonly reason: string;
  constructor(
    /** Canonical header name. */
    readonly header: string,
    /** What is wrong ("invalid port in URI", "unterminated quoted string"…). */
    readonly detail: string,
  ) {
    super(`Bad ${header} header: ${detail}`);
    this.name = 'SipHeaderError';
    this.reason = `Bad ${header} header`;
  }
}

/** Thrown by `parseUriOrThrow` and URI-taking setters when a URI does not parse. */
export class SipUriError extends Error {
  constructor(
    readonly input: string,
    readonly detail: string,
  ) {
    super(`Invalid URI: ${detail}`);
    this.name = 'SipUriError';
  }
}

/** Internal: a grammar failure inside a typed parser, converted to SipHeaderError by the accessor. */
export class GrammarError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}
