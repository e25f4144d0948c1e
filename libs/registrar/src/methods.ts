/**
 * SIP methods as the bit mask Kamailio stores in location.methods
 * (core/parser/msg_parser.h `METHOD_*`), so a table carried over from
 * Kamailio keeps its meaning. A method outside the list is METHOD_OTHER.
 * NULL in the table (or -1, Kamailio's ALL_METHODS as a signed integer)
 * means the REGISTER had no Allow header: every method is accepted.
 */
const BITS: Readonly<Record<string, number>> = {
  INVITE: 1,
  CANCEL: 2,
  ACK: 4,
  BYE: 8,
  INFO: 16,
  REGISTER: 32,
  SUBSCRIBE: 64,
  NOTIFY: 128,
  MESSAGE: 256,
  OPTIONS: 512,
  PRACK: 1024,
  UPDATE: 2048,
  REFER: 4096,
  PUBLISH: 8192,
  KDMQ: 16384,
  GET: 32768,
  POST: 65536,
  PUT: 131072,
  DELETE: 262144,
};
export const METHOD_OTHER = 524288;

/** The bit of one method (method names are case-sensitive, RFC 3261 §7.1). */
export function methodBit(method: string): number {
  return BITS[method] ?? METHOD_OTHER;
}

/** The mask of a method list (an Allow header or a `methods` Contact parameter). */
export function methodMask(methods: readonly string[]): number {
  let m = 0;
  for (const x of methods) m |= methodBit(x);
  return m;
}

/** True when a binding's methods accept `method`; null (no Allow) accepts all. */
export function allowsMethod(mask: number | null, method: string): boolean {
  return mask === null || mask === -1 || (mask & methodBit(method)) !== 0;
}

/** Method names of a mask, for display; null = every method. */
export function methodNames(mask: number | null): string[] | null {
  if (mask === null || mask === -1) return null;
  const out: string[] = [];
  for (const [name, bit] of Object.entries(BITS)) if (mask & bit) out.push(name);
  if (mask & METHOD_OTHER) out.push('OTHER');
  return out;
}
