/**
 * SIP proxy core (RFC 3261 §16): stateful forwarding with parallel and
 * serial forking, best-response selection, CANCEL propagation, Timer C,
 * Record-Route and loose routing, stateless forwarding of ACK and stray
 * responses. Built on libs/sip/src/transaction. The public surface of
 * libs/sip/src/proxy.
 *
 * Usage (in the transaction core's onRequest, after the routing checks):
 *   const pt = proxy.forward(tx, { targets, recordRoute: 'sip:192.0.2.1;lr',
 *     onFailure: (best, pt) => { if (best.status === 486) pt.forward([voicemail]); } });
 */
export { ProxyCore } from './proxy-core.js';
export type { ProxyCoreOptions } from './proxy-core.js';
export { ProxyTransaction } from './proxy-transaction.js';
export type { ProxyTransactionState } from './proxy-transaction.js';
export { ProxyBranch } from './proxy-branch.js';
export type { ProxyBranchState, ProxyBranchTimer } from './proxy-branch.js';
export type { ForwardOptions, ProxyStats } from './types.js';
export { PROXY_REPLIES } from './local-replies.js';
export type { ProxyReplyCode, ProxyReplyEntry } from './local-replies.js';
export { groupByQ } from './forward-target.js';
export type { ForwardTarget } from './forward-target.js';
export { selectBestResponse, aggregateChallenges } from './best-response.js';
export { looseRoute } from './loose-route.js';
export type { LooseRouteResult } from './loose-route.js';
export { maxForwardsExhausted, decrementMaxForwards, DEFAULT_MAX_FORWARDS } from './max-forwards.js';
export { resolveLiteral, routeForNextHop, routeValue } from './next-hop.js';
export type { Resolver } from './next-hop.js';
export { copyRequest } from './copy-request.js';
export { isLooped, loopHash, statelessBranch } from './via-branch.js';
