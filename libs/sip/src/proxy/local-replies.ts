/**
 * Every final response the proxy core produces itself, closed, with its
 * status, reason phrase and the rule it comes from (style: one table from
 * engine outcome to SIP status). Branch outcomes (`timeout`,
 * `unresolvable`, `noLocalAddress`) are what a branch counts as; they reach
 * the caller only as the best response, where §16.7 turns a 503 into 500.
 */
export type ProxyReplyCode =
  | 'tooManyHops'
  | 'requestTerminated'
  | 'noSuchTransaction'
  | 'noBranches'
  | 'timeout'
  | 'unresolvable'
  | 'noLocalAddress'
  | 'serviceUnavailableUpstream';

export interface ProxyReplyEntry {
  status: number;
  reason: string;
  rule: string;
}

export const PROXY_REPLIES: Readonly<Record<ProxyReplyCode, ProxyReplyEntry>> = {
  tooManyHops: { status: 483, reason: 'Too Many Hops', rule: 'RFC 3261 §16.3 step 3: Max-Forwards is 0' },
  requestTerminated: { status: 487, reason: 'Request Terminated', rule: 'RFC 3261 §16.10 / §9.2: the caller CANCELled the INVITE' },
  noSuchTransaction: { status: 481, reason: 'Call/Transaction Does Not Exist', rule: 'RFC 3261 §9.2 / §16.10: a CANCEL matching no INVITE' },
  noBranches: { status: 500, reason: 'No Destination', rule: 'forward() started no branch (every target dropped by onBranch)' },
  timeout: { status: 408, reason: 'Request Timeout', rule: 'RFC 3261 §16.8 Timer C without a provisional, §9.1 CANCEL wait, fr timeout' },
  unresolvable: { status: 503, reason: 'Unresolvable Destination', rule: 'RFC 3261 §16.6 step 7: no address for the next hop (RFC 3263 is the resolver’s)' },
  noLocalAddress: { status: 503, reason: 'No Local Address For Transport', rule: 'no listener of the next hop’s transport to put in our Via' },
  serviceUnavailableUpstream: { status: 500, reason: 'Server Internal Error', rule: 'RFC 3261 §16.7 step 6: a 503 is not forwarded upstream; the proxy sends 500 instead' },
};
