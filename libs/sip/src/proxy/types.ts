import type { SipRequest, SipResponse } from '../message/index.js';
import type { Scheduler, TransactionLayer, TransactionLogger } from '../transaction/index.js';
import type { SendTarget, TransportName } from '../transport/index.js';
import type { ForwardTarget } from './forward-target.js';
import type { Resolver } from './next-hop.js';
import type { ProxyBranch } from './proxy-branch.js';
import type { ProxyTransaction } from './proxy-transaction.js';

/** Per-forward behaviour (Kamailio: the t_relay call with its t_on_* routes and t_set_* timers). */
export interface ForwardOptions {
  /**
   * The targets (RFC 3261 §16.5 target set), forked by q (see `groupByQ`).
   * Absent or empty: one branch to the next hop the request names itself —
   * its first Route value, else its Request-URI (in-dialog requests after
   * `looseRoute`, requests to a domain we do not serve).
   */
  targets?: readonly ForwardTarget[];
  /**
   * Insert a Record-Route with this URI (§16.6 step 4); `;lr` is added when
   * missing. Absent: no Record-Route (Kamailio: record_route() not called).
   */
  recordRoute?: string;
  /** Timer C for INVITE branches, ms (§16.6 step 11: > 3 min); default the layer's timers.c. */
  timerC?: number;
  /**
   * Final-response timeout of non-INVITE branches, ms (Kamailio fr_timer):
   * past it the branch counts as a 408 although its transaction may still
   * run. Default: none (Timer F, 64*T1, ends it).
   */
  finalResponseTimeout?: number;
  /**
   * Kamailio branch_route: sees each copy before it is sent (after Request-URI,
   * Max-Forwards, Record-Route and route set, before our Via). Return false to
   * drop the branch.
   */
  onBranch?(req: SipRequest, branch: ProxyBranch): boolean | void;
  /**
   * Kamailio onreply_route: sees every response received on a branch
   * (provisional and final, our Via still on top) before the proxy acts on it.
   */
  onReply?(res: SipResponse, branch: ProxyBranch, pt: ProxyTransaction): void;
  /**
   * Kamailio failure_route: runs when every branch ended without a 2xx (and
   * the caller did not CANCEL), with the best response (§16.7 step 6) before
   * it is sent. It may start new branches (`pt.forward`), answer itself
   * (`pt.reply`), change `best`, or do nothing (then `best` goes upstream).
   * May return a Promise; the transaction waits for it. Runs again when the
   * branches it started fail in turn (at most 8 times). After a 6xx no new
   * branches can start (§16.7 step 5).
   */
  onFailure?(best: SipResponse, pt: ProxyTransaction): void | Promise<void>;
}

/** Counters since construction (plain numbers). */
export interface ProxyStats {
  /** Requests forwarded statefully (one per `forward`). */
  forwarded: number;
  /** Proxy transactions that have not sent their final response yet. */
  active: number;
  branches: number;
  /** Branches that could not be sent: no route to the target, no local address for its transport. */
  unroutable: number;
  cancelsSent: number;
  /** Responses relayed upstream by proxy transactions (1xx, 2xx, the best final). */
  responsesRelayed: number;
  /** Final responses generated here (487, 500, failure-hook replies, 483). */
  localReplies: number;
  /** Timer C expiries (§16.8). */
  timerC: number;
  failureHooks: number;
  /** Requests forwarded statelessly (ACK for 2xx, §16.11). */
  statelessRequests: number;
  /** Responses forwarded statelessly (stray 2xx retransmissions). */
  statelessResponses: number;
  /** Stray responses not forwarded (top Via not ours, no Via left, no address). */
  responsesDropped: number;
  /** 483 answers and stateless requests dropped for Max-Forwards 0. */
  tooManyHops: number;
}

/** @internal The proxy core as its transactions see it. */
export interface ProxyHost {
  readonly layer: TransactionLayer;
  readonly scheduler: Scheduler;
  readonly counters: ProxyStats;
  readonly resolve: Resolver;
  readonly defaultTimerC: number;
  /** `SIP/2.0/UDP host:port` for a transport, or undefined when we have no address for it. */
  viaPrefix(transport: TransportName): string | undefined;
  /** The final response went upstream. */
  finished(pt: ProxyTransaction): void;
  /** Final response sent and every branch ended: no timer of this context is left. */
  released(pt: ProxyTransaction): void;
  warn(err: unknown, msg: string): void;
  readonly logger: TransactionLogger;
  send(data: Buffer, target: SendTarget): boolean;
}
