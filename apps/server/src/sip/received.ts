import type { Peer, SipRequest } from '@pbx/sip';

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: record where a request really came
 * from in its top Via, so responses (ours, or ones we relay) go back to the
 * source address and port, which is what gets through a NAT. `received` is
 * added when the sent-by host is not the source address, or whenever the
 * client asked for `rport`; `rport` gets the source port.
 */
export function stampReceived(req: SipRequest, source: Peer): void {
  const via = req.topVia();
  if (via === undefined) return;
  const host = via.host.startsWith('[') ? via.host.slice(1, -1) : via.host;
  const wantsRport = via.rport === null;
  if (!wantsRport && host === source.address) return; // the common case costs one comparison
  const stamped = via.clone();
  stamped.params.set('received', source.address);
  if (wantsRport) stamped.params.set('rport', source.port);
  req.removeTopVia();
  req.prependVia(stamped);
}
