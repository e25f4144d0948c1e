import { HeaderField } from './header-field.js';
import { H, headerId } from './header-names.js';
import { reasonPhrase } from './reason-phrases.js';
import { SipResponse, STRIDE, withFields, type SipRequest } from './sip-message.js';

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

/**
 * Builds a response to `req` (RFC 3261 §8.2.6): same Via values in the same
 * order, From, To (plus `;tag=` when `toTag` is given and To has none),
 * Call-ID and CSeq copied byte for byte, then `opts.headers`, then
 * Content-Length. The reason defaults to the table of RFC 3261 §21.
 */
export function createResponse(req: SipRequest, status: number, reason?: string, opts: CreateResponseOptions = {}): SipResponse {
  const res = new SipResponse(status, reason ?? reasonPhrase(status));
  const fields: HeaderField[] = [];
  const tag = opts.toTag;
  if (req.fields) {
    for (const f of req.fields) {
      if (!copied(f.id, status)) continue;
      if (f.id === H.to && tag !== undefined && !hasTag(f.value)) fields.push(new HeaderField(f.id, f.name, f.value + ';tag=' + tag, null));
      else fields.push(new HeaderField(f.id, f.raw === null ? f.name : undefined, f.raw === null ? f.value : undefined, f.raw));
    }
  } else if (req.idx) {
    // Copied lines keep their received bytes; name and value are derived only if someone reads them.
    const idx = req.idx;
    const s = req.src;
    for (let k = 0; k < idx.length; k += STRIDE) {
      const id = idx[k]!;
      if (!copied(id, status)) continue;
      if (id === H.to && tag !== undefined) {
        const value = req.valueAt(k);
        if (!toHasTag(req, value)) {
          fields.push(new HeaderField(id, s.slice(idx[k + 1]!, idx[k + 2]!), value + ';tag=' + tag, null));
          continue;
        }
      }
      fields.push(new HeaderField(id, undefined, undefined, s.slice(idx[k + 1]!, idx[k + 5]!)));
    }
  }
  const extra = opts.headers;
  if (extra) {
    const pairs: Array<[string, string]> = Array.isArray(extra)
      ? extra
      : Object.entries(extra).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]]));
    for (const [name, value] of pairs) {
      if (/[\r\n]/.test(value)) throw new TypeError(`header ${name} contains CR or LF`);
      fields.push(new HeaderField(headerId(name), name, value, null));
    }
  }
  let body: Buffer | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
    if (opts.contentType) fields.push(new HeaderField(H.contentType, 'Content-Type', opts.contentType, null));
  }
  fields.push(new HeaderField(H.contentLength, 'Content-Length', String(body ? body.length : 0), null));
  return withFields(res, fields, body);
}
