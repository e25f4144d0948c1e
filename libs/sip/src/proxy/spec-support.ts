/**
 * A proxy on the transaction layer with the transport double and a manual
 * scheduler, for the proxy specs (not part of the package surface).
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { ServerTransaction } from '../transaction/index.js';
import { harness, responseTo, sentRequest, type Sent } from '../transaction/spec-support.js';
import type { Peer, SendTarget, TransportName } from '../transport/index.js';
import { ProxyCore } from './proxy-core.js';
import type { ProxyTransaction } from './proxy-transaction.js';
import type { ForwardOptions } from './types.js';

export const PROXY = { address: '192.0.2.1', port: 5060 };
export const CALLER: Peer = { transport: 'udp', address: '192.0.2.10', port: 5060, connectionId: 0, localAddress: '192.0.2.1', localPort: 5060 };

export function uas(n: number): SendTarget {
  return { transport: 'udp', address: `192.0.2.${20 + n}`, port: 5060 };
}

export function peerOf(t: SendTarget): Peer {
  return { transport: t.transport, address: t.address, port: t.port, connectionId: 0, localAddress: PROXY.address, localPort: PROXY.port };
}

export function proxyHarness(options: (req: SipRequest) => ForwardOptions = () => ({})) {
  const h = harness();
  const proxy = new ProxyCore({
    layer: h.layer,
    localAddress: (t: TransportName) => (t === 'udp' || t === 'tcp' ? PROXY : undefined),
  });
  const pts: ProxyTransaction[] = [];
  h.core.onEach = (req, tx: ServerTransaction | null) => {
    if (tx === null) proxy.forwardStateless(req);
    else pts.push(proxy.forward(tx, options(req)));
  };
  const onCancel = h.core.onCancel.bind(h.core);
  h.core.onCancel = (cancel, source, inviteTx, cancelTx) => {
    onCancel(cancel, source, inviteTx, cancelTx);
    proxy.handleCancel(cancel, inviteTx, cancelTx);
  };
  h.core.onStrayResponse = (res: SipResponse) => {
    h.core.strays.push(res);
    proxy.forwardResponse(res);
  };

  /** Requests the proxy sent to a destination, in order. */
  const sentTo = (t: SendTarget, method?: string): Sent[] =>
    h.transport.sent.filter((s) => s.target.address === t.address && s.target.port === t.port && (method === undefined || s.text.startsWith(method + ' ')));

  /** Answers the first (or given) request sent to `t` with `status`, as `t`. */
  const answer = (t: SendTarget, status: number, opts: { method?: string; toTag?: string; headers?: Array<[string, string]> } = {}): SipResponse => {
    const s = sentTo(t, opts.method ?? 'INVITE')[0];
    if (!s) throw new Error(`nothing was sent to ${t.address}`);
    const res = responseTo(sentRequest(s), status, { toTag: opts.toTag ?? `tag-${t.address}`, headers: opts.headers });
    h.layer.receive(res, peerOf(t));
    return res;
  };

  /** Responses sent upstream (to the caller), as status lines. */
  const upstream = (): string[] =>
    h.transport.sent.filter((s) => s.target.address === CALLER.address && s.text.startsWith('SIP/2.0 ')).map((s) => s.text.slice(8, s.text.indexOf('\r\n')));

  return { ...h, proxy, pts, sentTo, answer, upstream };
}
