import { HeaderField } from './header-field.js';
import { H, headerId } from './header-names.js';
import { reasonPhrase, statusLine } from './reason-phrases.js';
import { ID_MASK, IDX_HDR_START, IDX_HEAD, SipResponse, STRIDE, withFields, type PendingFields, type SipMessageBase, type SipRequest } from './sip-message.js';

export interface CreateResponseOptions {
  /** To tag to add when the request's To has none (§8.2.6.2). */
  toTag?: string;
  /** Extra headers, appended in order after the copied ones. */
  headers?: Array<[string, string]> | Record<string, string | string[]>;
  /** Body and its Content-Type. */
  body?: Buffer | string;
  contentType?: string;
}

/** Headers a response copies from its request (§8.2.6.2, §16.7 via-handling aside). 100 also copies Timestamp (§8.2.6.1). */
function copied(id: number, status: number): boolean {
  return id === H.via || id === H.from || id === H.to || id === H.callId || id === H.cseq || (status === 100 && id === H.timestamp);
}

function hasTag(toValue: string): boolean {
  // A tag param sits after the URI: after '>' for name-addr, else anywhere (addr-spec params are header params).
  const gt = toValue.lastIndexOf('>');
  return /;\s*tag\s*=/i.test(gt < 0 ? toValue : toValue.slice(gt));
}

/** Uses the parsed (cached) To when it decodes, else a textual check. */
function toHasTag(req: SipRequest, value: string): boolean {
  try {
    return req.to().tag !== undefined;
  } catch {
    return hasTag(value);
  }
}

/** Extra header pairs in order, each checked for CR/LF (no header injection). */
function extraPairs(extra: NonNullable<CreateResponseOptions['headers']>): Array<[string, string]> {
  const pairs: Array<[string, string]> = Array.isArray(extra)
    ? extra
    : Object.entries(extra).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]]));
  // indexOf, not a regular expression: this runs for every header of every reply (6 per OPTIONS answer).
  for (const [name, value] of pairs) if (value.indexOf('\r') !== -1 || value.indexOf('\n') !== -1) throw new TypeError(`header ${name} contains CR or LF`);
  return pairs;
}

/**
 * Builds a response to `req` (RFC 3261 §8.2.6): same Via values in the same
 * order, From, To (plus `;tag=` when `toTag` is given and To has none),
 * Call-ID and CSeq copied byte for byte, then `opts.headers`, then
 * Content-Length. The reason defaults to the table of RFC 3261 §21.
 *
 * For a received request the response is a plan over the request's text:
 * serialize() writes the copied lines straight from it, and HeaderField
 * objects are made only if the response is read or edited header by header.
 */
export function createResponse(req: SipRequest, status: number, reason?: string, opts: CreateResponseOptions = {}): SipResponse {
  const res = new SipResponse(status, reason ?? reasonPhrase(status));
  const tag = opts.toTag;
  const extra = opts.headers === undefined ? null : extraPairs(opts.headers);
  let body: Buffer | undefined;
  if (opts.body !== undefined) body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
  const contentType = body !== undefined && opts.contentType ? opts.contentType : undefined;
  const idx = req.fields === null ? req.idx : null;
  if (idx !== null) {
    const lines: number[] = [];
    // Per copied line: its value written anew, else null (allocated only when a line is written anew).
    let written: Array<string | null> | null = null;
    for (let k = IDX_HEAD; k < idx.length; k += STRIDE) {
      const id = idx[k]! & ID_MASK;
      if (!copied(id, status)) continue;
      // A copied line written anew: To with the added tag, or the top Via as replaceTopVia() left it.
      let text: string | null = null;
      if (id === H.to && tag !== undefined) {
        const value = req.valueAt(k);
        if (!toHasTag(req, value)) text = value + ';tag=' + tag;
      } else if (id === H.via) text = req.editedAt(k);
      if (text !== null) {
        if (written === null) {
          written = [];
          for (let j = 0; j < lines.length; j++) written.push(null);
        }
        written.push(text);
        lines.push(k);
        continue;
      }
      if (written !== null) written.push(null);
      lines.push(k);
    }
    const plan = new ResponsePlan(req.src, idx, lines, written, extra, contentType, body === undefined ? 0 : body.length, res.reason);
    if (anyWide(res.reason, tag, extra, contentType)) return withFields(res, plan.build(), body);
    res.pending = plan;
    if (body !== undefined) res.body = body;
    return res;
  }
  const fields: HeaderField[] = [];
  if (req.fields) {
    for (const f of req.fields) {
      if (!copied(f.id, status)) continue;
      if (f.id === H.to && tag !== undefined && !hasTag(f.value)) fields.push(new HeaderField(f.id, f.name, f.value + ';tag=' + tag, null));
      else fields.push(new HeaderField(f.id, f.raw === null ? f.name : undefined, f.raw === null ? f.value : undefined, f.raw));
    }
  }
  if (extra !== null) for (const [name, value] of extra) fields.push(new HeaderField(headerId(name), name, value, null));
  if (contentType !== undefined) fields.push(new HeaderField(H.contentType, 'Content-Type', contentType, null));
  fields.push(new HeaderField(H.contentLength, 'Content-Length', String(body ? body.length : 0), null));
  return withFields(res, fields, body);
}

const CRLF = '\r\n';
/** The end of a header section without body (§20.14: Content-Length: 0 is written, never omitted). */
const NO_BODY = 'Content-Length: 0\r\n\r\n';

/** True when every char of s is ≤ U+00FF (a wire string that encodes as latin1). */
function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * True when text given to createResponse has chars above U+00FF: those are
 * written as UTF-8 by the general serializer, so such a response takes the
 * field path. (Text copied from the request is a wire string, latin1 by
 * construction.)
 */
function anyWide(reason: string, tag: string | undefined, extra: Array<[string, string]> | null, contentType: string | undefined): boolean {
  if (!isLatin1(reason) || (tag !== undefined && !isLatin1(tag)) || (contentType !== undefined && !isLatin1(contentType))) return true;
  if (extra !== null) for (const [name, value] of extra) if (!isLatin1(name) || !isLatin1(value)) return true;
  return false;
}

/**
 * The response's header section as a plan over its request's text: the
 * copied lines (index positions into the request's header index), the
 * lines written anew (To with a tag, an edited top Via), the extra headers,
 * Content-Type and the body length.
 */
class ResponsePlan implements PendingFields {
  constructor(
    private readonly src: string,
    private readonly idx: number[],
    private readonly lines: number[],
    private readonly written: Array<string | null> | null,
    private readonly extra: Array<[string, string]> | null,
    private readonly contentType: string | undefined,
    private readonly bodyLength: number,
    private readonly reason: string,
  ) {}

  private lineStart(k: number): number {
    return this.idx[k === IDX_HEAD ? IDX_HDR_START : k - 1]!;
  }

  build(): HeaderField[] {
    const fields: HeaderField[] = [];
    const idx = this.idx;
    const lines = this.lines;
    for (let i = 0; i < lines.length; i++) {
      const k = lines[i]!;
      const id = idx[k]! & ID_MASK;
      const t = this.written === null ? null : this.written[i]!;
      if (t !== null) fields.push(new HeaderField(id, this.src.slice(this.lineStart(k), idx[k + 1]!), t, null));
      else fields.push(new HeaderField(id, undefined, undefined, this.src.slice(this.lineStart(k), idx[k + 4]!)));
    }
    if (this.extra !== null) for (const [name, value] of this.extra) fields.push(new HeaderField(headerId(name), name, value, null));
    if (this.contentType !== undefined) fields.push(new HeaderField(H.contentType, 'Content-Type', this.contentType, null));
    fields.push(new HeaderField(H.contentLength, 'Content-Length', String(this.bodyLength), null));
    return fields;
  }

  /** Same bytes as the general serializer would write for build()'s fields, without making them. */
  serialize(m: SipMessageBase): Buffer | null {
    const res = m as SipResponse;
    const body = res.body;
    if (body.length !== this.bodyLength) return null;
    // status and reason are public fields: a reason set since creation is checked here.
    if (res.reason !== this.reason && !isLatin1(res.reason)) return null;
    const src = this.src;
    const idx = this.idx;
    let head = statusLine(res.status, res.reason);
    const lines = this.lines;
    for (let i = 0; i < lines.length; i++) {
      const k = lines[i]!;
      const ls = this.lineStart(k);
      const t = this.written === null ? null : this.written[i]!;
      if (t !== null) {
        head += src.slice(ls, idx[k + 1]!) + ': ' + t + CRLF;
      } else {
        // Received lines keep their bytes; only a bare-LF terminator becomes CRLF (§7: CRLF ends lines).
        const le = idx[k + 4]!;
        head += src.charCodeAt(le - 2) === 13 ? src.slice(ls, le) : src.slice(ls, le - 1) + CRLF;
      }
    }
    const extra = this.extra;
    if (extra !== null)
      for (const [name, value] of extra) {
        if (headerId(name) === H.contentLength) return null;
        head += name + ': ' + value + CRLF;
      }
    if (this.contentType !== undefined) head += 'Content-Type: ' + this.contentType + CRLF;
    head += this.bodyLength === 0 ? NO_BODY : 'Content-Length: ' + this.bodyLength + CRLF + CRLF;
    // One pooled allocation and one native latin1 copy (Buffer.from adds an encoding dispatch on top).
    const n = head.length;
    const out = Buffer.allocUnsafe(n + this.bodyLength);
    (out as unknown as Latin1Writable).latin1Write(head, 0, n);
    if (this.bodyLength > 0) body.copy(out, n);
    return out;
  }
}

/** Node's own latin1 encoder without write()'s argument and encoding dispatch (present on every Buffer). */
type Latin1Writable = { latin1Write(s: string, offset: number, length: number): number };
