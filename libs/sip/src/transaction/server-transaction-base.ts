import type { SipRequest, SipResponse, Via } from '../message/index.js';
import type { Peer, SendTarget } from '../transport/index.js';
import { defaultPort, responseTarget } from './response-target.js';
import type { TimerHandle, TimerTarget } from './scheduler.js';
import type { ServerTransaction, TransactionHost } from './types.js';
import type { WaitRecord, WaitState } from './wait-record.js';

/**
 * What both server transactions share: the request that created them, where
 * responses go (computed once, RFC 3261 §18.2.2), the last response as
 * bytes for re-sending on retransmissions, and two timer slots — one for a
 * retransmit timer (G, the 200 ms Trying timer, a UAS 2xx), one for a
 * timeout (H, L or the abandon guard). No state needs more than one of each.
 * The last wait over UDP (Timer J, I) runs in a WaitRecord.
 */
export abstract class ServerTransactionBase<S extends string, T extends string> implements TimerTarget<T> {
  /** @internal the state while the transaction itself runs (see `state`). */
  protected st: S | 'terminated';
  /** @internal set once the final wait was handed to a WaitRecord. */
  private waitRec: WaitRecord | null = null;
  readonly reliable: boolean;
  /**
   * The last response sent (provisional or final), while the transaction
   * runs; null again once it waits out its final timer (the WaitRecord keeps
   * the bytes to re-send).
   */
  lastResponse: SipResponse | null = null;
  /** @internal its bytes, re-sent on request retransmissions. */
  protected lastWire: Buffer | null = null;
  private target: SendTarget | null = null;
  protected retransmitTimer: TimerHandle | null = null;
  protected timeoutTimer: TimerHandle | null = null;

  constructor(
    protected readonly host: TransactionHost,
    /** The matching key (RFC 3261 §17.2.3). */
    readonly key: string,
    /** The request that created the transaction. */
    readonly request: SipRequest,
    /** Where it came from. */
    readonly source: Peer,
    /** Its top Via (with received/rport as applied on receipt). */
    readonly via: Via,
    initial: S,
  ) {
    this.reliable = source.transport !== 'udp';
    this.st = initial;
  }

  /** The RFC 3261 §17.2 state. */
  get state(): S | 'terminated' {
    const w = this.waitRec;
    return w === null ? this.st : (w.state as S | 'terminated');
  }

  get method(): string {
    return this.request.method;
  }

  get terminated(): boolean {
    return this.state === 'terminated';
  }

  abstract onTimer(name: T): void;

  /** Where responses go (RFC 3261 §18.2.2, RFC 3581 §4). */
  get responseTarget(): SendTarget {
    return (this.target ??= responseTarget(this.via, this.source));
  }

  /**
   * Sends response bytes. When the connection the request came on has gone
   * (RFC 3261 §18.2.2: "If the connection is no longer open ... open a
   * connection to the IP address in the received parameter, using the port in
   * sent-by"), one retry goes to that address over a new TCP/TLS connection.
   */
  protected sendWire(wire: Buffer): boolean {
    const target = this.responseTarget;
    if (this.host.send(wire, target)) return true;
    const t = target.transport;
    if (target.connectionId && (t === 'tcp' || t === 'tls')) {
      const retry: SendTarget = { transport: t, address: this.source.address, port: this.via.port ?? defaultPort(t) };
      this.target = retry;
      if (this.host.send(wire, retry)) return true;
    }
    this.host.counters.serverTransportErrors++;
    return false;
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

  /** @internal timer fired: its slot is free again. */
  protected fired(slot: 'retransmit' | 'timeout'): void {
    if (slot === 'retransmit') this.retransmitTimer = null;
    else this.timeoutTimer = null;
  }

  /**
   * Hands the rest of the transaction's life — a wait that only absorbs
   * retransmissions — to a small record in the layer's table (see WaitRecord).
   */
  protected enterWait(state: S & WaitState, wire: Buffer | null, ms: number): void {
    this.disarm('retransmit');
    this.disarm('timeout');
    this.st = state;
    this.lastWire = null;
    this.waitRec = this.host.serverWait(this as unknown as ServerTransaction, state, wire, this.responseTarget, ms);
    // The response object is not needed to absorb retransmissions; held here it would follow
    // the transaction into the old generation whenever promoted garbage still points at it.
    this.lastResponse = null;
  }

  /** Ends the transaction at once, silently (the TU gave up on it, or the layer stops). */
  terminate(): void {
    if (this.waitRec !== null) {
      this.waitRec.end();
      return;
    }
    if (this.st === 'terminated') return;
    this.st = 'terminated';
    this.disarm('retransmit');
    this.disarm('timeout');
    this.onTerminate();
    this.host.serverTerminated(this as unknown as ServerTransaction);
  }

  /** Hook for subclass clean-up at termination. */
  protected onTerminate(): void {}

  /** @internal a retransmission of the creating request arrived. */
  abstract requestRetransmitted(): void;

  protected resendLast(): void {
    this.host.counters.requestRetransmissionsAbsorbed++;
    if (this.lastWire !== null) {
      this.host.counters.responsesResent++;
      this.sendWire(this.lastWire);
    }
  }
}

/** RFC 3261 §7.2: 1xx provisional, 2xx success, 3xx-6xx failure classes. */
export function checkStatus(res: SipResponse): void {
  const s = res.status;
  if (!(s >= 100 && s <= 699)) throw new RangeError(`status ${s} is not 100..699`);
}
