import { createResponse, parseSipUri, type CreateResponseOptions, type SipRequest, type SipResponse } from '../message/index.js';
import {
  createCancel,
  createStatelessResponse,
  statelessToTag,
  type ClientTransaction,
  type ClientTransactionUser,
  type ServerTransaction,
} from '../transaction/index.js';
import type { Peer, SendTarget } from '../transport/index.js';
import { aggregateChallenges, selectBestResponse } from './best-response.js';
import { copyRequest } from './copy-request.js';
import { groupByQ, type ForwardTarget } from './forward-target.js';
import { PROXY_REPLIES, type ProxyReplyCode } from './local-replies.js';
import { decrementMaxForwards } from './max-forwards.js';
import { routeForNextHop, routeValue } from './next-hop.js';
import { ProxyBranch, type ProxyBranchTimer } from './proxy-branch.js';
import type { ForwardOptions, ProxyHost } from './types.js';
import { loopHash, statefulBranch, transactionPart } from './via-branch.js';

/** Responses to our CANCELs need nothing from us (§9.1: the INVITE's response is what matters). */
const IGNORE_RESPONSES: ClientTransactionUser = { onResponse() {} };

/** RFC 3326 Reason for the CANCELs sent when another branch answered 2xx. */
const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

const MAX_FAILURE_HOOK_RUNS = 8;

/** The options of a released non-INVITE context: no hooks left to hold anything. */
const RELEASED: ForwardOptions = Object.freeze({});

/** Where a proxy transaction is: forwarding (no final response upstream yet) or completed. */
export type ProxyTransactionState = 'forwarding' | 'completed';

/**
 * The response context of one request forwarded statefully (RFC 3261
 * §16.6-16.10; Kamailio's tm cell): its branches, serial groups still to
 * try, the choice of the best response and the CANCEL logic.
 */
export class ProxyTransaction {
  state: ProxyTransactionState = 'forwarding';
  /** The caller CANCELled (§16.10): no new branches, the answer is 487. */
  cancelled = false;
  readonly branches: ProxyBranch[] = [];
  /** The final response sent upstream (the first 2xx for INVITE), once sent. */
  finalResponse: SipResponse | null = null;
  /** Serial groups (lower q) not tried yet. */
  private groups: ForwardTarget[][] = [];
  private readonly invite: boolean;
  private readonly txPart: string;
  private readonly loop: string;
  private readonly rr: string | null;
  private hookRunning = false;
  /** Set while a group's branches are being started, so an early failure does not end the context. */
  private starting = false;
  private hookRuns = 0;
  /** A 6xx arrived: no further groups (§16.7 step 5 applied to serial forking). */
  private global = false;
  /** The core has let go of it: final response sent and every branch ended. */
  private released = false;
  /** Set by stop(): the proxy is shutting down, so branch outcomes are no longer acted on. */
  private stopped = false;

  /** The hooks and timers it was forwarded with; emptied once a non-INVITE context is released (see `dropReferences`). */
  private opts: ForwardOptions;

  constructor(
    private readonly host: ProxyHost,
    readonly serverTx: ServerTransaction,
    options: ForwardOptions,
  ) {
    this.opts = options;
    const req = serverTx.request;
    this.invite = req.method === 'INVITE';
    this.txPart = transactionPart();
    // §16.6 step 8: the loop hash covers the request as received (before retargeting).
    this.loop = loopHash(req, serverTx.via);
    this.rr = options.recordRoute === undefined ? null : recordRouteValue(options.recordRoute);
  }

  /** The request as received (the server transaction's). */
  get request(): SipRequest {
    return this.serverTx.request;
  }

  /** Branches still waiting for a final response. */
  get pending(): number {
    let n = 0;
    for (const b of this.branches) if (b.state !== 'completed') n++;
    return n;
  }

  /** The best final response so far (§16.7 step 6). */
  bestResponse(): SipResponse | undefined {
    return selectBestResponse(this.branches.map((b) => b.response));
  }

  // ------------------------------------------------------------- branches

  /**
   * Adds targets: q groups, the highest started at once and the others in
   * turn (serial forking). Used by `ProxyCore.forward` and by failure hooks.
   * Returns the number of branches started now (0 after the final response
   * a CANCEL or a 6xx: such a context creates no new branches, §16.7 step 5, §16.10).
   */
  forward(targets: readonly ForwardTarget[]): number {
    if (this.state !== 'forwarding' || this.cancelled || this.global) return 0;
    const groups = targets.length === 0 ? [[{}]] : groupByQ(targets);
    const first = groups.shift()!;
    this.groups = groups.concat(this.groups);
    return this.startGroup(first);
  }

  private startGroup(group: readonly ForwardTarget[]): number {
    let started = 0;
    this.starting = true;
    try {
      for (const t of group) if (this.startBranch(t)) started++;
    } finally {
      this.starting = false;
    }
    // Branches that failed on the spot are already completed: see whether that ends it.
    this.checkDone();
    return started;
  }

  /** RFC 3261 §16.6 steps 1-10 for one target. */
  private startBranch(target: ForwardTarget): boolean {
    const host = this.host;
    const copy = copyRequest(this.serverTx.request);
    try {
      // Step 2: Request-URI.
      if (target.uri !== undefined) copy.setRequestUri(target.uri);
      // Step 3: Max-Forwards.
      decrementMaxForwards(copy);
      // Step 4: Record-Route.
      if (this.rr !== null) copy.addRecordRoute(this.rr);
      // Step 5: additional headers — the route set of the target (a stored Path) goes in front.
      if (target.route !== undefined && target.route.length > 0) {
        copy.addHeader('Route', target.route.map(routeValue).join(', '), { position: 'first' });
      }
    } catch (err) {
      // A malformed target URI or route value: this target is skipped, the others go on.
      host.warn(err, 'proxy target skipped');
      return false;
    }
    const branch = new ProxyBranch(this, this.branches.length, target, copy);
    const hook = this.opts.onBranch;
    if (hook) {
      let keep: boolean | void = true;
      try {
        keep = hook(copy, branch);
      } catch (err) {
        host.warn(err, 'proxy onBranch hook threw; branch dropped');
        keep = false;
      }
      if (keep === false) return false;
    }
    this.branches.push(branch);
    host.counters.branches++;
    // Steps 6-7: strict-route rewrite and the destination.
    let dest: SendTarget | undefined;
    try {
      const hopUri = routeForNextHop(copy);
      dest = target.destination ?? host.resolve(hopUri);
    } catch (err) {
      // A Route header that does not parse: no next hop can be named.
      host.warn(err, 'proxy branch without a usable Route');
      dest = undefined;
    }
    const prefix = dest === undefined ? undefined : host.viaPrefix(dest.transport);
    // Step 8: our Via, with a branch unique to this branch and carrying the loop hash.
    copy.prependVia(`${prefix ?? 'SIP/2.0/UDP invalid'};branch=${statefulBranch(this.loop, this.txPart, branch.index)};rport`);
    if (dest === undefined || prefix === undefined) {
      host.counters.unroutable++;
      this.completeLocally(branch, dest === undefined ? 'unresolvable' : 'noLocalAddress', false);
      return true;
    }
    branch.destination = dest;
    // Step 10: forward (the client transaction sends it; §16.9 transport errors come back as 503).
    branch.tx = host.layer.sendRequest(copy, dest, branch);
    // Step 11: Timer C for INVITE; an optional final-response timeout otherwise.
    if (this.invite) this.armBranch(branch, this.opts.timerC ?? host.defaultTimerC, 'C');
    else if (this.opts.finalResponseTimeout !== undefined) this.armBranch(branch, this.opts.finalResponseTimeout, 'fr');
    return true;
  }

  private armBranch(branch: ProxyBranch, ms: number, name: ProxyBranchTimer): void {
    const s = this.host.scheduler;
    if (branch.timer !== null) s.cancel(branch.timer);
    branch.timer = s.schedule(ms, branch, name);
  }

  private disarmBranch(branch: ProxyBranch): void {
    if (branch.timer !== null) {
      this.host.scheduler.cancel(branch.timer);
      branch.timer = null;
    }
  }

  // ------------------------------------------------------------ responses

  /** @internal §16.7: a response arrived on a branch (or was synthesized for it). */
  branchResponse(branch: ProxyBranch, res: SipResponse, _source: Peer | null, tx: ClientTransaction | null): void {
    if (this.stopped) return;
    const status = res.status;
    const hook = this.opts.onReply;
    if (status < 200) {
      if (branch.state === 'completed') return;
      branch.state = 'proceeding';
      branch.provisional = status;
      if (branch.cancelWanted !== undefined && !branch.cancelSent) this.sendCancel(branch, branch.cancelWanted ?? undefined);
      // §16.7 step 2: "If the response is a provisional response with status codes 101 to 199
      // (i.e., anything but 100), the proxy MUST reset timer C for that client transaction."
      if (status === 100) return;
      if (this.invite && !branch.cancelSent) this.armBranch(branch, this.opts.timerC ?? this.host.defaultTimerC, 'C');
      if (hook) this.callReplyHook(hook, res, branch);
      // §16.7 step 5: provisional responses other than 100 are forwarded at once.
      if (this.state === 'forwarding') this.relay(res);
      return;
    }
    const first = branch.state !== 'completed';
    if (first) {
      branch.state = 'completed';
      branch.response = res;
      branch.local = tx === null || tx.failure !== null;
      this.disarmBranch(branch);
      this.maybeRelease();
    }
    if (hook) this.callReplyHook(hook, res, branch);
    if (status < 300) {
      if (this.invite) {
        // §16.7 step 10: every 2xx to INVITE is forwarded (other forks, retransmissions).
        this.relay(res);
        if (this.state === 'forwarding') {
          this.finalSent(res);
          // §16.7 step 10 / §16.10: cancel all pending branches.
          this.cancelPending(COMPLETED_ELSEWHERE);
        }
      } else if (this.state === 'forwarding') {
        this.relay(res);
        this.finalSent(res);
      }
      return;
    }
    if (!first) return;
    if (status >= 600) {
      // §16.7 step 5: a 6xx "is not immediately forwarded, but the stateful proxy SHOULD cancel
      // all client pending transactions", and no new branches are created in this context.
      this.global = true;
      this.groups = [];
      if (this.invite) this.cancelPending();
    }
    this.checkDone();
  }

  private callReplyHook(hook: NonNullable<ForwardOptions['onReply']>, res: SipResponse, branch: ProxyBranch): void {
    try {
      hook(res, branch, this);
    } catch (err) {
      this.host.warn(err, 'proxy onReply hook threw');
    }
  }

  /** @internal the branch's client transaction ended without a final response. */
  branchLost(branch: ProxyBranch): void {
    if (this.stopped) return;
    this.completeLocally(branch, 'timeout', false);
  }

  /** @internal Timer C, the CANCEL wait, or the final-response timeout fired. */
  branchTimer(branch: ProxyBranch, name: ProxyBranchTimer): void {
    if (branch.state === 'completed') return;
    if (name === 'C') {
      this.host.counters.timerC++;
      // §16.8: "If the client transaction has received a provisional response, the proxy MUST
      // generate a CANCEL request matching that transaction. If the client transaction has not
      // received a provisional response, the proxy MUST behave as if the transaction received a
      // 408 (Request Timeout) response."
      if (branch.state === 'proceeding') this.sendCancel(branch);
      else this.completeLocally(branch, 'timeout', true);
      return;
    }
    // `cancel`: §9.1 "If there is no final response for the original request in 64*T1 seconds
    // ... the client SHOULD then consider the original transaction cancelled and SHOULD destroy
    // the client transaction". `fr`: the configured final-response timeout.
    this.completeLocally(branch, 'timeout', true);
  }

  /** Gives a branch a final response produced here and ends its client transaction. */
  private completeLocally(branch: ProxyBranch, code: ProxyReplyCode, endTx: boolean): void {
    if (branch.state === 'completed') return;
    const { status, reason } = PROXY_REPLIES[code];
    const res = createResponse(branch.request, status, reason, { toTag: statelessToTag(branch.request) });
    this.branchResponse(branch, res, null, null);
    if (endTx) branch.tx?.terminate();
  }

  // -------------------------------------------------------------- CANCEL

  /**
   * The caller CANCELled (§16.10): cancel every pending branch, start no
   * new ones; the INVITE is answered 487 when the branches have ended
   * (unless a 2xx wins the race). Returns false when the final response was
   * already sent.
   */
  cancel(reason?: string): boolean {
    if (this.state !== 'forwarding') return false;
    this.cancelled = true;
    this.groups = [];
    this.cancelPending(reason);
    this.checkDone();
    return true;
  }

  private cancelPending(reason?: string): void {
    if (!this.invite) return;
    for (const b of this.branches) if (b.state !== 'completed') this.sendCancel(b, reason);
  }

  /**
   * §9.1: CANCEL a branch — at once when it has had a provisional response,
   * else as soon as one arrives ("If no provisional response has been
   * received, the CANCEL request MUST NOT be sent").
   */
  private sendCancel(branch: ProxyBranch, reason?: string): void {
    if (!this.invite || branch.cancelSent || branch.state === 'completed' || branch.tx === null) return;
    if (branch.state === 'trying') {
      branch.cancelWanted = reason ?? null;
      return;
    }
    branch.cancelSent = true;
    branch.cancelWanted = undefined;
    const host = this.host;
    try {
      const cancel = createCancel(branch.request, reason);
      host.layer.sendRequest(cancel, branch.tx.nextHop, IGNORE_RESPONSES);
      host.counters.cancelsSent++;
    } catch (err) {
      host.warn(err, 'could not send CANCEL');
    }
    this.armBranch(branch, host.layer.timers.b, 'cancel');
  }

  // ------------------------------------------------------- final response

  /** Every branch is done: next serial group, failure hook, or the best response upstream. */
  private checkDone(): void {
    if (this.state !== 'forwarding' || this.hookRunning || this.starting) return;
    for (const b of this.branches) if (b.state !== 'completed') return;
    if (!this.cancelled && !this.global && this.groups.length > 0) {
      this.startGroup(this.groups.shift()!);
      return;
    }
    this.finish();
  }

  private finish(): void {
    if (this.cancelled) {
      // §16.10 / §9.2: the cancelled INVITE ends with 487 (Request Terminated).
      this.replyCode('requestTerminated');
      return;
    }
    const best = this.bestResponse();
    if (best === undefined) {
      this.replyCode('noBranches');
      return;
    }
    const hook = this.opts.onFailure;
    if (hook !== undefined && this.hookRuns < MAX_FAILURE_HOOK_RUNS) {
      this.runFailureHook(hook, best);
      return;
    }
    this.sendBest(best);
  }

  private runFailureHook(hook: NonNullable<ForwardOptions['onFailure']>, best: SipResponse): void {
    this.hookRunning = true;
    this.hookRuns++;
    this.host.counters.failureHooks++;
    const before = this.branches.length;
    const after = (): void => {
      this.hookRunning = false;
      if (this.state !== 'forwarding') return;
      if (this.cancelled) return this.replyCode('requestTerminated');
      if (this.branches.length > before || this.groups.length > 0) return this.checkDone();
      this.sendBest(best);
    };
    let r: void | Promise<void>;
    try {
      r = hook(best, this);
    } catch (err) {
      this.host.warn(err, 'proxy onFailure hook threw');
      return after();
    }
    if (r !== undefined && typeof (r as Promise<void>).then === 'function') {
      (r as Promise<void>).then(after, (err: unknown) => {
        this.host.warn(err, 'proxy onFailure hook rejected');
        after();
      });
    } else after();
  }

  private sendBest(best: SipResponse): void {
    const responses = this.branches.map((b) => b.response);
    // §16.7 step 7: gather every challenge into a chosen 401/407.
    aggregateChallenges(best, responses);
    // §16.7 step 6: a proxy "SHOULD NOT forward [a 503] upstream unless it can determine that any
    // subsequent requests it might proxy will also generate a 503" — it sends a 500 instead.
    if (best.status === 503) {
      const { status, reason } = PROXY_REPLIES.serviceUnavailableUpstream;
      best.setStatus(status, reason);
    }
    if (!this.invite && best.status === 408) {
      // RFC 4320 §4.1: "A transaction-stateful SIP element MUST NOT send a response with
      // Status-Code of 408 to a non-INVITE request." The client has timed out as well; the
      // server transaction's guard ends it.
      this.finalSent(best);
      return;
    }
    this.relay(best);
    this.finalSent(best);
  }

  /**
   * Answers the request from here (a failure hook's decision, or a script
   * replying while branches are pending — those are then cancelled). The
   * To tag is the stable stateless one. Returns false after the final response.
   */
  reply(status: number, reason?: string, opts?: CreateResponseOptions): boolean {
    if (this.state !== 'forwarding' || status < 200) return false;
    this.replyLocal(status, reason, opts);
    this.cancelPending();
    return true;
  }

  private replyCode(code: ProxyReplyCode): void {
    const { status, reason } = PROXY_REPLIES[code];
    this.replyLocal(status, reason);
  }

  private replyLocal(status: number, reason?: string, opts?: CreateResponseOptions): void {
    const res = createStatelessResponse(this.serverTx.request, status, reason, opts);
    this.host.counters.localReplies++;
    this.serverTx.respond(res);
    this.finalSent(res);
  }

  private finalSent(res: SipResponse): void {
    if (this.state !== 'forwarding') return;
    this.state = 'completed';
    this.finalResponse = res;
    this.groups = [];
    this.host.finished(this);
    this.maybeRelease();
  }

  /** Tells the core when nothing is left running here (no branch timers, no final response to send). */
  private maybeRelease(): void {
    if (this.released || this.state !== 'completed') return;
    for (const b of this.branches) if (b.state !== 'completed') return;
    this.released = true;
    this.host.released(this);
    if (!this.invite) this.dropReferences();
  }

  /**
   * A released non-INVITE context is over: no response can reach it again
   * (its client transactions wait out Timer K in WaitRecords). It lets go of
   * its branches, final response and hooks, so that it no longer holds the
   * messages, which matters to the young-generation collector: a context
   * referenced from anything that was promoted (even garbage) would drag
   * every message it held into the old generation. An INVITE context stays
   * whole, since 2xx retransmissions still pass through it.
   */
  private dropReferences(): void {
    this.branches.length = 0;
    this.finalResponse = null;
    this.opts = RELEASED;
  }

  /** @internal the proxy core stops: disarm every branch timer. */
  stop(): void {
    this.stopped = true;
    for (const b of this.branches) this.disarmBranch(b);
    this.groups = [];
  }

  /**
   * Sends a branch's response upstream: our Via comes off (§16.7 step 3),
   * then the server transaction sends it; a 2xx after the INVITE server
   * transaction ended goes statelessly to where it sent responses.
   */
  private relay(res: SipResponse): void {
    res.removeTopVia();
    if (res.topVia() === undefined) return;
    const host = this.host;
    host.counters.responsesRelayed++;
    if (this.serverTx.respond(res)) return;
    if (res.status >= 200 && res.status < 300 && this.serverTx.terminated) {
      host.send(res.serialize(), this.serverTx.responseTarget);
    }
  }
}

/** `<uri;lr>` for a Record-Route (§16.6 step 4: loose routing, §19.1.1 lr). */
function recordRouteValue(uri: string): string {
  const u = parseSipUri(uri.charCodeAt(0) === 0x3c ? uri.slice(1, -1) : uri);
  if (!u.lr) u.params.set('lr', null);
  return `<${u.toString()}>`;
}
