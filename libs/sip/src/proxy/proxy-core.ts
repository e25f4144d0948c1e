import type { SipRequest, SipResponse, SipUri, Via } from '../message/index.js';
import {
  createStatelessResponse,
  viaTarget,
  viaTransport,
  defaultPort,
  type InviteServerTransaction,
  type NonInviteServerTransaction,
  type ServerTransaction,
  type TransactionLayer,
  type TransactionLogger,
} from '../transaction/index.js';
import type { HostPort, SendTarget, TransportName } from '../transport/index.js';
import { PROXY_REPLIES } from './local-replies.js';
import { looseRoute, type LooseRouteResult } from './loose-route.js';
import { decrementMaxForwards, maxForwardsExhausted } from './max-forwards.js';
import { resolveLiteral, routeForNextHop, type Resolver } from './next-hop.js';
import { ProxyTransaction } from './proxy-transaction.js';
import type { ForwardOptions, ProxyHost, ProxyStats } from './types.js';
import { isLooped, statelessBranch } from './via-branch.js';

export interface ProxyCoreOptions {
  layer: TransactionLayer;
  /**
   * The address this element puts in its Via sent-by (and recognises as its
   * own in Vias and Route URIs) per transport: the advertised address, never
   * a wildcard. undefined: no listener of that transport (branches to it fail).
   */
  localAddress(transport: TransportName): HostPort | undefined;
  /** URI → destination (RFC 3263 is the caller's). Default: `resolveLiteral` (IP literals, localhost). */
  resolve?: Resolver;
  /**
   * Whether a URI names this element (its Record-Route URIs, its listen
   * addresses, its host names): used by `looseRoute`. Default: host is one of
   * the local addresses and the port (or the transport default) matches.
   */
  isOwnUri?(uri: SipUri): boolean;
  logger?: TransactionLogger;
}

const silent: TransactionLogger = { warn: () => {} };
const TRANSPORTS: readonly TransportName[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

function unbracket(h: string): string {
  return h.charCodeAt(0) === 0x5b ? h.slice(1, -1) : h;
}

function zero(): ProxyStats {
  return {
    forwarded: 0,
    active: 0,
    branches: 0,
    unroutable: 0,
    cancelsSent: 0,
    responsesRelayed: 0,
    localReplies: 0,
    timerC: 0,
    failureHooks: 0,
    statelessRequests: 0,
    statelessResponses: 0,
    responsesDropped: 0,
    tooManyHops: 0,
  };
}

/**
 * The proxy core (RFC 3261 §16) on top of the transaction layer: what the
 * routing script calls, Kamailio-style —
 * `forward` (t_relay), `handleCancel` (the CANCEL block of a kamailio.cfg),
 * `looseRoute` (loose_route), `forwardStateless` (forward() for ACK),
 * `forwardResponse` (stateless reply forwarding of stray 2xx).
 */
export class ProxyCore implements ProxyHost {
  readonly layer: TransactionLayer;
  /** @internal */
  readonly counters: ProxyStats = zero();
  readonly resolve: Resolver;
  readonly logger: TransactionLogger;
  private readonly local: (t: TransportName) => HostPort | undefined;
  private readonly ownUri: (uri: SipUri) => boolean;
  private readonly contexts = new Map<InviteServerTransaction, ProxyTransaction>();
  /** Contexts with something still running (a branch or the final response), for `stop()`. */
  private readonly live = new Set<ProxyTransaction>();

  constructor(options: ProxyCoreOptions) {
    this.layer = options.layer;
    this.local = options.localAddress;
    this.resolve = options.resolve ?? resolveLiteral;
    this.logger = options.logger ?? silent;
    this.ownUri = options.isOwnUri ?? ((uri) => this.isLocalAddressUri(uri));
  }

  get scheduler() {
    return this.layer.scheduler;
  }

  get defaultTimerC(): number {
    return this.layer.timers.c;
  }

  // ------------------------------------------------------------ stateful

  /**
   * Forwards the request of a server transaction statefully (RFC 3261
   * §16.6; Kamailio t_relay): one branch per target, forked by q, or one
   * branch to the request's own next hop when there are no targets. An
   * INVITE is answered 100 Trying at once (its server transaction would
   * after 200 ms, §17.2.1; sending it now stops the caller's retransmissions
   * early, as Kamailio's t_relay does). Max-Forwards 0 is answered 483
   * (§16.3 step 3). Throws when the transaction already has its final
   * response. Returns the response context.
   */
  forward(tx: ServerTransaction, options: ForwardOptions = {}): ProxyTransaction {
    const st = tx.state;
    if (st !== 'proceeding' && st !== 'trying') throw new Error(`cannot forward: the server transaction is ${st}`);
    const pt = new ProxyTransaction(this, tx, options);
    this.live.add(pt);
    const req = tx.request;
    this.counters.forwarded++;
    this.counters.active++;
    if (maxForwardsExhausted(req)) {
      this.counters.tooManyHops++;
      pt.reply(PROXY_REPLIES.tooManyHops.status, PROXY_REPLIES.tooManyHops.reason);
      return pt;
    }
    if (tx.kind === 'invite') {
      if (tx.state === 'proceeding' && tx.lastResponse === null) tx.respond(createStatelessResponse(req, 100));
      this.contexts.set(tx, pt);
    }
    pt.forward(options.targets ?? []);
    return pt;
  }

  /** The response context of a forwarded INVITE, while it has not sent its final response. */
  transactionFor(inviteTx: InviteServerTransaction): ProxyTransaction | undefined {
    return this.contexts.get(inviteTx);
  }

  /**
   * A CANCEL from upstream (RFC 3261 §9.2, §16.10), as the transaction layer
   * reports it: no matching INVITE → 481; otherwise 200 to the CANCEL, then
   * the INVITE's pending branches are cancelled (it ends with 487), or — for
   * an INVITE this element handles itself and has not answered — 487 at once.
   * Returns true when a transaction was cancelled.
   */
  handleCancel(cancel: SipRequest, inviteTx: InviteServerTransaction | null, cancelTx: NonInviteServerTransaction): boolean {
    if (inviteTx === null) {
      // §16.10 has an element forward such a CANCEL statelessly, for the case it forwarded the
      // INVITE statelessly; this element forwards every request statefully, so it answers like
      // a UAS (§9.2): 481.
      cancelTx.respond(createStatelessResponse(cancel, PROXY_REPLIES.noSuchTransaction.status, PROXY_REPLIES.noSuchTransaction.reason));
      return false;
    }
    // §9.2: the 200 to the CANCEL and the final response to the INVITE carry the same To tag.
    cancelTx.respond(createStatelessResponse(cancel, 200));
    const pt = this.contexts.get(inviteTx);
    if (pt !== undefined) return pt.cancel();
    if (inviteTx.state === 'proceeding') {
      const { status, reason } = PROXY_REPLIES.requestTerminated;
      inviteTx.respond(createStatelessResponse(inviteTx.request, status, reason));
      this.counters.localReplies++;
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------- stateless

  /**
   * Kamailio loose_route(): RFC 3261 §16.4 on a request with a route set,
   * with `isOwnUri` recognising our Record-Route entries.
   */
  looseRoute(req: SipRequest): LooseRouteResult {
    return looseRoute(req, this.ownUri);
  }

  /**
   * Forwards a request without a transaction (RFC 3261 §16.11): the ACK for
   * a 2xx, or anything the script wants relayed statelessly. Next hop: the
   * destination given, else the first Route (strict routers rewritten, §16.6
   * step 6), else the Request-URI. Our Via gets a branch that is the same for
   * every retransmission. Edits `req` in place (it is not kept). Returns
   * false when nothing was sent: Max-Forwards 0 (§16.3: a stateless proxy
   * discards an ACK it cannot forward), no route, no local address.
   */
  forwardStateless(req: SipRequest, destination?: SendTarget): boolean {
    if (maxForwardsExhausted(req)) {
      this.counters.tooManyHops++;
      return false;
    }
    let dest: SendTarget | undefined;
    let branch: string;
    try {
      branch = statelessBranch(req);
      decrementMaxForwards(req);
      dest = destination ?? this.resolve(routeForNextHop(req));
    } catch (err) {
      // A header needed for routing does not parse.
      this.warn(err, 'stateless forward: request not routable');
      dest = undefined;
      branch = '';
    }
    const prefix = dest === undefined ? undefined : this.viaPrefix(dest.transport);
    if (dest === undefined || prefix === undefined) {
      this.counters.unroutable++;
      return false;
    }
    req.prependVia(`${prefix};branch=${branch};rport`);
    this.counters.statelessRequests++;
    return this.layer.sendStateless(req, dest);
  }

  /**
   * Forwards a response that matched no client transaction (RFC 3261
   * §16.7 step 3 done statelessly, §18.2.2): typically a 2xx retransmission
   * after the client transaction ended. Our Via must be on top; it comes off
   * and the response goes where the next Via says (received/rport honoured).
   */
  forwardResponse(res: SipResponse): boolean {
    const top = res.topVia();
    if (top === undefined || !this.isOwnVia(top)) {
      this.counters.responsesDropped++;
      return false;
    }
    res.removeTopVia();
    const next = res.topVia();
    const target = next === undefined ? undefined : viaTarget(next);
    if (target === undefined) {
      this.counters.responsesDropped++;
      return false;
    }
    this.counters.statelessResponses++;
    return this.layer.sendStateless(res, target);
  }

  /** RFC 3261 §16.3 step 4: the request has looped through this element (answer 482). */
  isLooped(req: SipRequest): boolean {
    return isLooped(req, (v) => this.isOwnVia(v));
  }

  // ------------------------------------------------------------ identity

  /** A Via whose sent-by is our address for its transport. */
  isOwnVia(via: Via): boolean {
    const t = viaTransport(via);
    if (t === undefined) return false;
    const l = this.local(t);
    if (l === undefined) return false;
    return unbracket(via.host).toLowerCase() === unbracket(l.address).toLowerCase() && (via.port ?? defaultPort(t)) === l.port;
  }

  /** Whether `uri` names this element (the configured `isOwnUri`, or the local-address default). */
  isOwnUri(uri: SipUri): boolean {
    return this.ownUri(uri);
  }

  private isLocalAddressUri(uri: SipUri): boolean {
    const host = uri.hostname;
    const want = uri.transport;
    for (const t of TRANSPORTS) {
      if (want !== undefined && want !== t) continue;
      const l = this.local(t);
      if (l === undefined) continue;
      if (unbracket(l.address).toLowerCase() === host && (uri.port ?? defaultPort(t)) === l.port) return true;
    }
    return false;
  }

  // --------------------------------------------------------------- stats

  stats(): ProxyStats {
    return { ...this.counters };
  }

  /** Proxy transactions that have not sent their final response. */
  size(): number {
    return this.counters.active;
  }

  // ---------------------------------------------------------- ProxyHost

  /** @internal */
  viaPrefix(transport: TransportName): string | undefined {
    // Not cached: listen ports may be known only once the transport has started.
    const l = this.local(transport);
    if (l === undefined) return undefined;
    const host = l.address.includes(':') && l.address.charCodeAt(0) !== 0x5b ? `[${l.address}]` : l.address;
    return `SIP/2.0/${transport.toUpperCase()} ${host}:${l.port}`;
  }

  /** @internal */
  finished(pt: ProxyTransaction): void {
    this.counters.active--;
    const tx = pt.serverTx;
    if (tx.kind === 'invite' && this.contexts.get(tx) === pt) this.contexts.delete(tx);
  }

  /** @internal */
  released(pt: ProxyTransaction): void {
    this.live.delete(pt);
  }

  /**
   * Disarms every proxy timer (Timer C, CANCEL waits). Stop the transaction
   * layer too (`layer.stop()`); nothing is sent or reported afterwards.
   */
  stop(): void {
    for (const pt of this.live) pt.stop();
    this.live.clear();
    this.contexts.clear();
  }

  /** @internal */
  send(data: Buffer, target: SendTarget): boolean {
    return this.layer.send(data, target);
  }

  /** @internal */
  warn(err: unknown, msg: string): void {
    this.logger.warn({ err }, msg);
  }
}
