import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import type { Peer, SendTarget, TransportError } from '../transport/index.js';
import type { TimerHandle, TimerTarget } from './scheduler.js';
import { statelessToTag } from './stateless-reply.js';
import type { InviteClientTransaction } from './invite-client-transaction.js';
import type { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import type { ClientFailure, ClientTransactionUser, TransactionHost } from './types.js';
import type { WaitRecord, WaitState } from './wait-record.js';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;

/** The user of a transaction that has told its user everything. */
const DONE: ClientTransactionUser = { onResponse() {} };

/**
 * What both client transactions share: the request bytes (serialized once,
 * re-sent as they are), the owner to report to, the path the first send
 * took, and two timer slots (a retransmit timer A/E, a timeout B/F/M). The
 * last wait over UDP (Timer D, K) runs in a WaitRecord.
 */
export abstract class ClientTransactionBase<S extends string, T extends string> implements TimerTarget<T> {
  /** @internal the state while the transaction itself runs (see `state`). */
  protected st: S | 'terminated';
  /** @internal set once the final wait was handed to a WaitRecord. */
  private waitRec: WaitRecord | null = null;
  private userDone = false;
  readonly reliable: boolean;
  /** Set when the layer produced the final response itself (timeout or transport error). */
  failure: ClientFailure | null = null;
  /** The path the request took (for streams: the connection), once the transport reported it. */
  flow: Peer | null = null;
  /** The last response received (or synthesized); null again once the final wait began. */
  lastResponse: SipResponse | null = null;
  /** @internal the request as sent. */
  protected readonly wire: Buffer;
  protected interval = 0;
  protected retransmitTimer: TimerHandle | null = null;
  protected timeoutTimer: TimerHandle | null = null;

  constructor(
    protected readonly host: TransactionHost,
    /** The matching key (RFC 3261 §17.1.3). */
    readonly key: string,
    /** The request as sent (top Via is ours). */
    readonly request: SipRequest,
    /** Where it was sent. */
    readonly target: SendTarget,
    private user: ClientTransactionUser,
    initial: S,
  ) {
    this.reliable = target.transport !== 'udp';
    this.wire = request.serialize();
    this.st = initial;
  }

  /** The RFC 3261 §17.1 state. */
  get state(): S | 'terminated' {
    const w = this.waitRec;
    return w === null ? this.st : (w.state as S | 'terminated');
  }

  get method(): string {
    return this.request.method;
  }

  get branch(): string {
    return this.request.topVia()!.branch!;
  }

  get terminated(): boolean {
    return this.state === 'terminated';
  }

  /**
   * Where requests belonging to this transaction go (ACK for non-2xx, and a
   * CANCEL, RFC 3261 §9.1/§17.1.1.3: "the same address, port, and transport
   * to which the original request was sent"): the path the request took
   * when known (the same connection), else the target.
   */
  get nextHop(): SendTarget {
    return this.flow ?? this.target;
  }

  /** @internal sends the request for the first time; transport errors come back in `sent`. */
  protected sendFirst(): void {
    this.host.send(this.wire, this.target, (err, via) => this.sent(err, via));
  }

  private sent(err: TransportError | null, via: Peer | null): void {
    if (via !== null && this.flow === null) this.flow = via;
    if (err === null || this.st === 'terminated' || this.waitRec !== null || this.lastResponse !== null) return;
    // RFC 3261 §8.1.3.1 / §16.9 / §17.1.4: a transport failure is reported as a response
    // (503 in general; 430 when a named flow has gone, RFC 5626 §5.3).
    this.host.counters.clientTransportErrors++;
    this.failure = { kind: 'transport', error: err };
    this.failWith(err.sipStatus, err.sipReason);
  }

  protected resend(): void {
    this.host.counters.requestsResent++;
    this.host.send(this.wire, this.nextHop);
  }

  /** Timer B or F: the request timed out (§17.1.1.2, §17.1.2.2): a 408 to the TU. */
  protected timedOut(timer: 'B' | 'F'): void {
    this.host.counters.clientTimeouts++;
    this.failure = { kind: 'timeout', timer };
    this.failWith(408, 'Request Timeout');
  }

  private failWith(status: number, reason: string): void {
    // The To tag is the stable stateless one: a proxy forwarding this 408/503 upstream
    // sends a well-formed final response (§8.2.6.2) that is the same every time.
    const res = createResponse(this.request, status, reason, { toTag: statelessToTag(this.request) });
    this.lastResponse = res;
    this.disarm('retransmit');
    this.disarm('timeout');
    this.deliver(res, null);
    this.terminate();
  }

  protected deliver(res: SipResponse, source: Peer | null): void {
    this.lastResponse = res;
    try {
      this.user.onResponse(res, source, this as unknown as ClientTransaction);
    } catch (err) {
      this.host.warn(err, 'client transaction user threw in onResponse');
    }
  }

  protected arm(slot: 'retransmit' | 'timeout', ms: number, name: T): void {
    const s = this.host.scheduler;
    if (slot === 'retransmit') {
      if (this.retransmitTimer !== null) s.cancel(this.retransmitTimer);
      this.retransmitTimer = s.schedule(ms, this, name);
    } else {
      if (this.timeoutTimer !== null) s.cancel(this.timeoutTimer);
      this.timeoutTimer = s.schedule(ms, this, name);
    }
  }

  protected disarm(slot: 'retransmit' | 'timeout'): void {
    const s = this.host.scheduler;
    if (slot === 'retransmit') {
      if (this.retransmitTimer !== null) s.cancel(this.retransmitTimer);
      this.retransmitTimer = null;
    } else {
      if (this.timeoutTimer !== null) s.cancel(this.timeoutTimer);
      this.timeoutTimer = null;
    }
  }

  protected fired(slot: 'retransmit' | 'timeout'): void {
    if (slot === 'retransmit') this.retransmitTimer = null;
    else this.timeoutTimer = null;
  }

  /**
   * Hands the rest of the transaction's life — a wait that only absorbs
   * response retransmissions (re-sending `wire`, the ACK, for each) — to a
   * small record in the layer's table, and tells the user it is over.
   */
  protected enterWait(state: S & WaitState, wire: Buffer | null, ms: number): void {
    if (this.st === 'terminated') return;
    this.disarm('retransmit');
    this.disarm('timeout');
    this.st = state;
    this.waitRec = this.host.clientWait(this as unknown as ClientTransaction, state, wire, this.nextHop, ms);
    this.userTerminated();
    // Nothing reaches the user any more (the WaitRecord absorbs what comes): let go of the
    // response and the user, which may hold a whole proxy context. A transaction still
    // referenced from promoted garbage would otherwise carry them into the old generation.
    this.lastResponse = null;
    this.user = DONE;
  }

  /** Ends the transaction at once: no further responses reach the user; `onTerminated` is called. */
  terminate(): void {
    if (this.waitRec !== null) {
      this.waitRec.end();
      return;
    }
    if (this.st === 'terminated') return;
    this.st = 'terminated';
    this.disarm('retransmit');
    this.disarm('timeout');
    this.host.clientTerminated(this as unknown as ClientTransaction);
    this.userTerminated();
  }

  private userTerminated(): void {
    if (this.userDone) return;
    this.userDone = true;
    const cb = this.user.onTerminated;
    if (cb) {
      try {
        cb.call(this.user, this as unknown as ClientTransaction);
      } catch (err) {
        this.host.warn(err, 'client transaction user threw in onTerminated');
      }
    }
  }

  /**
   * @internal The layer stops. A user still waiting for a final response is
   * given a 503 first, so whatever awaits the request (a delivery, a NOTIFY)
   * settles instead of waiting for a response that can no longer arrive.
   */
  abandon(): void {
    if (this.st === 'terminated' || this.waitRec !== null) return;
    if (this.lastResponse === null || this.lastResponse.status < 200) {
      this.failure = { kind: 'stopped' };
      this.failWith(503, 'Service Unavailable');
      return;
    }
    this.drop();
  }

  /** @internal Ends the transaction without telling the user (its final response was already delivered). */
  drop(): void {
    this.st = 'terminated';
    this.userDone = true;
    this.disarm('retransmit');
    this.disarm('timeout');
  }

  /** @internal sends the request and arms the first timers. */
  abstract start(): void;
  /** @internal a response matched this transaction. */
  abstract receive(res: SipResponse, source: Peer): void;
  abstract onTimer(name: T): void;
}
