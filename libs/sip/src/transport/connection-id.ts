/**
 * Connection ids: small increasing integers, unique in the process across
 * every transport layer instance (and anything else that draws from here),
 * because engines key flows (RFC 5626) and MSRP sessions on them. 0 is never
 * issued: it means "no connection" (UDP).
 */
let last = 0;

export function nextConnectionId(): number {
  return ++last;
}
