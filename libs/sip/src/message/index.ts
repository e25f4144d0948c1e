/**
 * SIP message model, parser and serializer (RFC 3261 §7, §19.1, §20, §25;
 * RFC 3966 tel URIs, minimal). The public surface of libs/sip/src/message.
 *
 * Usage:
 *   const r = parseMessage(datagram);                 // never throws
 *   if (!r.ok) {                                       // r.error: { code, reason, status, canRespond, message? }
 *     if (r.error.canRespond && r.error.message?.kind === 'request')
 *       send(createResponse(r.error.message, r.error.status, r.error.reason).serialize());
 *     return;
 *   }
 *   const m = r.message;                               // SipRequest | SipResponse
 *   m.topVia()?.branch; m.cseq(); m.contacts();       // typed, parsed on first use, cached
 *
 * Error contract: parseMessage returns every failure as a value; typed
 * accessors (and the lazy parts of NameAddr: uri, params, displayName) throw
 * only SipHeaderError, whose `reason` ("Bad Contact header") is a usable 400
 * reason phrase. URI parsing: parseUri returns a result, parseUriOrThrow and
 * setRequestUri throw SipUriError.
 *
 * Strings are wire strings (one char per byte, latin1 view); parsed values
 * reference the received message (its text and its bytes), so clone() values
 * kept long-term. The message keeps views on the input Buffer: do not reuse
 * that buffer. A response from createResponse references its request's text
 * the same way until it is edited.
 *
 * Copies: `req.copy()` gives a request to edit without touching `req`
 * (a proxy's per-target copy, RFC 3261 §16.6 step 1).
 */
export { parseMessage, DEFAULT_LIMITS } from './parse-message.js';
export type { ParseLimits, ParseOptions, ParseResult, ParseError } from './parse-message.js';
export { frameStreamMessage } from './frame-stream.js';
export type { FrameResult } from './frame-stream.js';
export { SipMessageBase, SipRequest, SipResponse, unfold } from './sip-message.js';
export type { SipMessage, ContactValue, HeaderValue } from './sip-message.js';
export { createResponse } from './create-response.js';
export type { CreateResponseOptions } from './create-response.js';
export { REASON_PHRASES, reasonPhrase } from './reason-phrases.js';
export { SIP_PARSE_ERRORS, SipHeaderError, SipUriError } from './errors.js';
export type { SipParseErrorCode, SipParseFailure, SipErrorInfo } from './errors.js';
export { SipUri, TelUri, AbsoluteUri, parseUri, parseUriOrThrow, parseSipUri, uriEquals, escape, unescape } from './uri.js';
export type { Uri, HostType, UriParseResult } from './uri.js';
export { Params, quote, unquote } from './params.js';
export { NameAddr } from './name-addr.js';
export { Via } from './via.js';
export { EventHeader, SubscriptionState, CallInfo, ContentType, MAX_UINT32 } from './typed-headers.js';
export type { CSeq, RetryAfter } from './typed-headers.js';
export { H as HEADER_ID, CANONICAL as CANONICAL_HEADER_NAMES, COMPACT as COMPACT_HEADER_FORMS, headerId, headerKey, canonicalName } from './header-names.js';
export { splitCommaList } from './lexer.js';
export { detach } from './detach.js';
export { USER, PASSWORD, PARAMCHAR, TOKEN } from './char-classes.js';
export { parseNameAddrValue, parseViaValue } from './builders.js';
