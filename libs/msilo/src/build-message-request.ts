import { randomFillSync } from 'node:crypto';
import { HEADER_ID, headerId, parseMessage, parseUri, type SipRequest } from '@pbx/sip';
import type { HeaderLine } from './header-block.js';

/** What a MESSAGE that msilo originates is made of (RFC 3428 §4, RFC 3261 §8.1.1). */
export interface MessageRequestSpec {
  /** Request-URI: the registered contact, or the AoR when a proxy routes it. */
  readonly requestUri: string;
  /** From URI (addr-spec, no brackets); a tag is added. */
  readonly from: string;
  /** To URI; no tag (RFC 3428: MESSAGE is outside a dialog). */
  readonly to: string;
  /** From tag; default: 64 random bits. */
  readonly fromTag?: string;
  /** Call-ID; default: 96 random bits (use_mode=1 passes the stored one). */
  readonly callId?: string | undefined;
  /** CSeq number; default 1. */
  readonly cseq?: number;
  /** Max-Forwards; default 70 (RFC 3261 §8.1.1.6). */
  readonly maxForwards?: number;
  /** Route values, top first: a binding's Path (RFC 3327 §5.3), each `<uri;lr>`. */
  readonly route?: readonly string[] | undefined;
  /** Further headers in order (Date, Contact, extra_hdrs…). */
  readonly headers?: readonly HeaderLine[];
  readonly contentType: string;
  readonly body: Buffer;
}

export class MessageBuildError extends Error {
  override name = 'MessageBuildError';
}

/** Branch of the placeholder Via, removed before the request is returned. */
const PLACEHOLDER_VIA = 'SIP/2.0/UDP msilo.invalid;branch=z9hG4bK-msilo-placeholder';

/**
 * Cryptographically random bytes (RFC 3261 §8.1.1.4 and §19.3 ask for
 * random Call-IDs and tags) drawn from a pool refilled 4 KiB at a time: a
 * dump sends a tag and a Call-ID per message, and one call into the CSPRNG
 * per identifier cost more than building the rest of the request.
 */
const POOL = Buffer.alloc(4096);
let poolUsed = POOL.length;

function randomHex(bytes: number): string {
  if (poolUsed + bytes > POOL.length) {
    randomFillSync(POOL);
    poolUsed = 0;
  }
  const hex = POOL.toString('hex', poolUsed, poolUsed + bytes);
  poolUsed += bytes;
  return hex;
}

export function newTag(): string {
  return randomHex(8);
}

export function newCallId(): string {
  return randomHex(12);
}

/** Headers the builder writes itself; a copy among `headers` (a stored extra_hdrs line) is dropped. */
const OWN_HEADERS = new Set<number>([
  HEADER_ID.via,
  HEADER_ID.from,
  HEADER_ID.to,
  HEADER_ID.callId,
  HEADER_ID.cseq,
  HEADER_ID.maxForwards,
  HEADER_ID.contentType,
  HEADER_ID.contentLength,
  HEADER_ID.route,
]);

/**
 * Whitespace or brackets would let an address spill into the header around
 * it; and it must be a URI. (The Request-URI is checked for that by the
 * parse of the built text, eagerly; see buildMessageRequest.)
 */
function checkUri(what: string, uri: string, parse: boolean): void {
  if (/[\s<>]/.test(uri) || (parse && !parseUri(uri).ok)) throw new MessageBuildError(`bad ${what} ${JSON.stringify(uri)}`);
}

function line(name: string, value: string): string {
  if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) throw new MessageBuildError(`${name} value contains CR or LF`);
  return `${name}: ${value}\r\n`;
}

/**
 * Builds a MESSAGE request as msilo sends it: the serialized RFC 3261 text
 * parsed back with parseMessage, so the result is exactly what a received
 * request would be, with every typed accessor working and validated.
 *
 * The request has no Via: the sender's transaction layer adds its own with
 * a fresh branch (RFC 3261 §8.1.1.7, §17.1). parseMessage insists on a Via
 * (a server must be able to answer what it parses), so the text carries a
 * placeholder that is removed again before returning.
 *
 * Throws MessageBuildError when the parts do not make a valid request (an
 * unparsable URI read from the database, a header with CR/LF…).
 */
export function buildMessageRequest(spec: MessageRequestSpec): SipRequest {
  checkUri('Request-URI', spec.requestUri, false);
  checkUri('From URI', spec.from, true);
  checkUri('To URI', spec.to, true);
  let head = `MESSAGE ${spec.requestUri} SIP/2.0\r\n`;
  head += line('Via', PLACEHOLDER_VIA);
  for (const r of spec.route ?? []) head += line('Route', r);
  head += line('Max-Forwards', String(spec.maxForwards ?? 70));
  head += line('From', `<${spec.from}>;tag=${spec.fromTag ?? newTag()}`);
  head += line('To', `<${spec.to}>`);
  head += line('Call-ID', spec.callId ?? newCallId());
  head += line('CSeq', `${spec.cseq ?? 1} MESSAGE`);
  for (const [n, v] of spec.headers ?? []) if (!OWN_HEADERS.has(headerId(n))) head += line(n, v);
  head += line('Content-Type', spec.contentType);
  head += line('Content-Length', String(spec.body.length));
  head += '\r\n';
  const text = Buffer.from(head, 'utf8');
  const r = parseMessage(spec.body.length ? Buffer.concat([text, spec.body]) : text, { maxMessageSize: Number.MAX_SAFE_INTEGER });
  if (!r.ok) throw new MessageBuildError(`${r.error.reason}${r.error.detail ? ` (${r.error.detail})` : ''}`);
  const req = r.message;
  if (req.kind !== 'request') throw new MessageBuildError('built text parsed as a response');
  // Validate the lazily parsed parts now, so a bad stored value fails here, not in the sender
  // (From and To hold URIs checked above and a tag of ours).
  try {
    req.contentType();
    req.route();
  } catch (e) {
    throw new MessageBuildError(e instanceof Error ? e.message : String(e));
  }
  req.removeTopVia();
  return req;
}
