import type { SipRequest, Via } from '../message/index.js';
import type { Peer } from '../transport/index.js';

function sameHost(viaHost: string, address: string): boolean {
  if (viaHost === address) return true;
  const h = viaHost.charCodeAt(0) === 0x5b ? viaHost.slice(1, -1) : viaHost;
  return h.toLowerCase() === address.toLowerCase();
}

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4, done on receipt of a request: when the
 * top Via's sent-by host is not the packet's source address, add
 * `received=<source address>`; when the Via carries `rport` without a value,
 * fill in the source port (and add `received` in any case). Responses then
 * find their way back through NATs, and a proxy forwarding a response
 * statelessly reads the return address from the Via alone.
 *
 * Leaves the message untouched (no re-serialization cost) when nothing needs
 * adding, and keeps a received message's header index when something does.
 * Returns the top Via as it now is.
 */
export function applyReceived(req: SipRequest, source: Peer): Via | undefined {
  const via = req.topVia();
  if (via === undefined) return undefined;
  // get(): undefined when absent, null when present without a value (the request form).
  const rport = via.params.get('rport') === null;
  if (!rport && sameHost(via.host, source.address)) return via;
  const fixed = via.clone();
  fixed.params.set('received', source.address);
  if (rport) fixed.params.set('rport', source.port);
  req.replaceTopVia(fixed);
  return req.topVia();
}
