/**
 * Known header fields: numeric ids, canonical spelling and the compact forms
 * (RFC 3261 §7.3.3 and §20; RFC 3262, 3265, 3515, 3892, 3841, 4028, 4474,
 * 5626/6665 registrations). Lookups are case-insensitive (§7.3.1): the
 * parser reads names through a byte automaton, the string API through a
 * case-folded hash, so neither allocates a lower-case copy of a name.
 */

import { TOKEN } from './char-classes.js';

export const H = {
  unknown: 0,
  via: 1,
  from: 2,
  to: 3,
  callId: 4,
  cseq: 5,
  contact: 6,
  maxForwards: 7,
  contentLength: 8,
  contentType: 9,
  route: 10,
  recordRoute: 11,
  path: 12,
  expires: 13,
  minExpires: 14,
  supported: 15,
  require: 16,
  unsupported: 17,
  allow: 18,
  event: 19,
  subscriptionState: 20,
  callInfo: 21,
  flowTimer: 22,
  retryAfter: 23,
  userAgent: 24,
  subject: 25,
  contentEncoding: 26,
  allowEvents: 27,
  referTo: 28,
  referredBy: 29,
  sessionExpires: 30,
  acceptContact: 31,
  identity: 32,
  rejectContact: 33,
  requestDisposition: 34,
  identityInfo: 35,
  proxyRequire: 36,
  wwwAuthenticate: 37,
  authorization: 38,
  proxyAuthenticate: 39,
  proxyAuthorization: 40,
  timestamp: 41,
  server: 42,
  accept: 43,
  date: 44,
  warning: 45,
  contentDisposition: 46,
  authenticationInfo: 47,
  minSe: 48,
  rseq: 49,
  rack: 50,
  sipEtag: 51,
  sipIfMatch: 52,
  organization: 53,
  priority: 54,
  replyTo: 55,
  inReplyTo: 56,
  mimeVersion: 57,
  contentLanguage: 58,
  acceptEncoding: 59,
  acceptLanguage: 60,
  alertInfo: 61,
  errorInfo: 62,
  reason: 63,
  privacy: 64,
  pAssertedIdentity: 65,
  pPreferredIdentity: 66,
  serviceRoute: 67,
} as const;

export type HeaderId = (typeof H)[keyof typeof H];

/** Canonical names, indexed by id. */
export const CANONICAL: readonly string[] = [
  '',
  'Via',
  'From',
  'To',
  'Call-ID',
  'CSeq',
  'Contact',
  'Max-Forwards',
  'Content-Length',
  'Content-Type',
  'Route',
  'Record-Route',
  'Path',
  'Expires',
  'Min-Expires',
  'Supported',
  'Require',
  'Unsupported',
  'Allow',
  'Event',
  'Subscription-State',
  'Call-Info',
  'Flow-Timer',
  'Retry-After',
  'User-Agent',
  'Subject',
  'Content-Encoding',
  'Allow-Events',
  'Refer-To',
  'Referred-By',
  'Session-Expires',
  'Accept-Contact',
  'Identity',
  'Reject-Contact',
  'Request-Disposition',
  'Identity-Info',
  'Proxy-Require',
  'WWW-Authenticate',
  'Authorization',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Timestamp',
  'Server',
  'Accept',
  'Date',
  'Warning',
  'Content-Disposition',
  'Authentication-Info',
  'Min-SE',
  'RSeq',
  'RAck',
  'SIP-ETag',
  'SIP-If-Match',
  'Organization',
  'Priority',
  'Reply-To',
  'In-Reply-To',
  'MIME-Version',
  'Content-Language',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Error-Info',
  'Reason',
  'Privacy',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Service-Route',
];

/** Lower-case canonical names, indexed by id. */
export const LOWER: readonly string[] = CANONICAL.map((n) => n.toLowerCase());

/**
 * Compact forms. RFC 3261 §7.3.3 (i m e l c f t v s k), RFC 3265 (o u),
 * RFC 3515 (r), RFC 3892 (b), RFC 4028 (x), RFC 3841 (a j d), RFC 4474 (y n).
 */
export const COMPACT: Readonly<Record<string, HeaderId>> = {
  i: H.callId,
  m: H.contact,
  e: H.contentEncoding,
  l: H.contentLength,
  c: H.contentType,
  f: H.from,
  t: H.to,
  v: H.via,
  s: H.subject,
  k: H.supported,
  o: H.event,
  u: H.allowEvents,
  r: H.referTo,
  b: H.referredBy,
  x: H.sessionExpires,
  a: H.acceptContact,
  j: H.rejectContact,
  d: H.requestDisposition,
  y: H.identity,
  n: H.identityInfo,
};

/** Case-folded FNV-style hash over s[start,end); kept a small integer (Smi). */
export function foldHash(s: string, start: number, end: number): number {
  let h = 5381;
  for (let i = start; i < end; i++) h = (((h << 5) + h) ^ (s.charCodeAt(i) | 0x20)) & 0x3fffffff;
  return h;
}

/** Open-addressed hash → id table (array lookups are cheaper than Map#get on the hot path). */
const TABLE_BITS = 10;
const TABLE_MASK = (1 << TABLE_BITS) - 1;
const BY_HASH = new Int16Array(1 << TABLE_BITS).fill(-1);
for (let id = 1; id < LOWER.length; id++) {
  let slot = foldHash(LOWER[id]!, 0, LOWER[id]!.length) & TABLE_MASK;
  while (BY_HASH[slot] !== -1) slot = (slot + 1) & TABLE_MASK;
  BY_HASH[slot] = id;
}
const SINGLE = new Int8Array(128);
for (const [k, id] of Object.entries(COMPACT)) {
  SINGLE[k.charCodeAt(0)] = id;
  SINGLE[k.toUpperCase().charCodeAt(0)] = id;
}

/** Id of the header whose name is s[start,end), given its foldHash; 0 when unknown. */
export function idFromSpan(s: string, start: number, end: number, hash: number): number {
  // Imported tables copied to locals: module bindings cost a context load and hole check per access.
  const SINGLE_ = SINGLE; const BY_HASH_ = BY_HASH; const LOWER_ = LOWER;
  const len = end - start;
  if (len === 1) {
    const c = s.charCodeAt(start);
    return c < 128 ? SINGLE_[c]! : 0;
  }
  let slot = hash & TABLE_MASK;
  for (;;) {
    const id = BY_HASH_[slot]!;
    if (id === -1) return 0;
    if (matches(s, start, len, LOWER_[id]!)) return id;
    slot = (slot + 1) & TABLE_MASK;
  }
}

/** Case-insensitive compare of s[start, start+len) with a lower-case name. */
function matches(s: string, start: number, len: number, lower: string): boolean {
  if (lower.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(start + i);
    const l = lower.charCodeAt(i);
    if (c !== l && !(c >= 0x41 && c <= 0x5a && c + 0x20 === l)) return false;
  }
  return true;
}

/**
 * Header-name automaton for the parser: reads a name byte by byte and knows
 * at its end which header it named, so the scan needs no colon search, no
 * compare and no separate token check.
 *
 * NAME_CLASS maps a byte to its class: 0 for a byte that cannot be in a
 * token (the name ends there), 1..26 for a letter (either case, §7.3.1
 * names are case-insensitive), 27 for '-', 28 for any other token char.
 * NAME_NEXT is the transition table of a trie over the lower-case names,
 * NAME_CLASSES entries per state, states pre-multiplied by NAME_CLASSES so a
 * step is one load: `st = NAME_NEXT[st + cls]`. Column 0 of each state holds
 * the id of the name that ends there (0: none). State 0 is the start; the
 * "unknown token" state loops on every token char, with id 0.
 */
export const NAME_CLASSES = 29;
export const NAME_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (TOKEN[c] === 0) continue;
  const isLetter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  NAME_CLASS[c] = isLetter ? (c | 0x20) - 0x60 : c === 0x2d ? 27 : 28;
}
export const NAME_NEXT: Uint16Array = (() => {
  const W = NAME_CLASSES;
  const rows: number[][] = [new Array(W).fill(-1), new Array(W).fill(-1)];
  const UNKNOWN = 1;
  const add = (name: string, id: number): void => {
    let st = 0;
    for (let i = 0; i < name.length; i++) {
      const cls = NAME_CLASS[name.charCodeAt(i)]!;
      let next = rows[st]![cls]!;
      if (next < 0) {
        next = rows.length;
        rows.push(new Array(W).fill(-1));
        rows[st]![cls] = next;
      }
      st = next;
    }
    rows[st]![0] = id;
  };
  for (let id = 1; id < LOWER.length; id++) add(LOWER[id]!, id);
  for (const [k, id] of Object.entries(COMPACT)) add(k, id);
  if (rows.length * W > 0xffff) throw new Error('header-name automaton too large');
  const t = new Uint16Array(rows.length * W);
  for (let st = 0; st < rows.length; st++) {
    const r = rows[st]!;
    t[st * W] = r[0]! < 0 ? 0 : r[0]!;
    // A token char without a trie edge leads to the unknown-token state.
    for (let cls = 1; cls < W; cls++) t[st * W + cls] = (r[cls]! < 0 ? UNKNOWN : r[cls]!) * W;
  }
  return t;
})();

/** Id of a header name given as a string (any case, long or compact form); 0 when unknown. */
export function headerId(name: string): number {
  return idFromSpan(name, 0, name.length, foldHash(name, 0, name.length));
}

/** The lookup key for a header name: canonical lower-case name for known headers (compact forms expanded). */
export function headerKey(name: string): string {
  const id = headerId(name);
  return id ? LOWER[id]! : name.toLowerCase();
}

/** Canonical spelling for known headers (compact forms expanded), else the name as given. */
export function canonicalName(name: string): string {
  const id = headerId(name);
  return id ? CANONICAL[id]! : name;
}
