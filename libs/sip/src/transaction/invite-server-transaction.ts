import { createResponse, type SipRequest, type SipResponse, type Via } from '../message/index.js';
import type { Peer } from '../transport/index.js';
import { checkStatus, ServerTransactionBase } from './server-transaction-base.js';
import type { TransactionHost } from './types.js';

/**
 * INVITE server transaction states (RFC 3261 §17.2.1 Figure 7 as amended by
 * RFC 6026 §7.1 and §8.5-8.7: a 2xx moves it to Accepted instead of ending it).
 */
export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/**
 * Timer names: G (response retransmit, UDP), H (ACK wait), L (Accepted
 * lifetime), `trying` (the 200 ms rule of §17.2.1), `guard` (the core never
 * answered), `2xx` (UAS core 2xx retransmission, §13.3.1.4). Timer I runs in
 * the WaitRecord the transaction leaves in Confirmed.
 */
export type InviteServerTimer = 'trying' | 'G' | 'H' | 'L' | 'guard' | '2xx';

export interface InviteRespondOptions {
  /**
   * For a 2xx sent by a UAS core (not a proxy): re-send it every T1, doubling
   * up to T2, until the ACK arrives or Timer L ends the transaction
   * (RFC 3261 §13.3.1.4 puts this on the UAS core; it lives here so a core
   * need not keep its own timers). A proxy never sets it: the downstream UAS
   * retransmits and the proxy forwards each copy.
   */
  retransmitUntilAck?: boolean;
}

export class InviteServerTransaction extends ServerTransactionBase<InviteServerState, InviteServerTimer> {
  readonly kind = 'invite' as const;
  /** Current Timer G / 2xx retransmit interval. */
  private interval = 0;
  /** The 2xx being retransmitted until ACK, and its ACK key. */
  private okWire: Buffer | null = null;
  private ackKey: string | null = null;
  /** True once the TU sent anything: the abandon guard is off. */
  private answered = false;

  constructor(host: TransactionHost, key: string, request: SipRequest, source: Peer, via: Via) {
    super(host, key, request, source, via, 'proceeding');
    const trying = host.tryingDelayMs;
    if (trying !== null) this.arm('retransmit', trying, 'trying');
    // The abandon guard: a core that never answers must not leak the transaction.
    this.arm('timeout', host.timers.b + host.timers.t2, 'guard');
  }

  /**
   * Sends a response from the TU (RFC 3261 §17.2.1, RFC 6026 §7.1). Returns
   * false when the response was not sent because the state does not allow it
   * (a second final response, anything after termination, a non-2xx in
   * Accepted) or the transport refused it.
   */
  respond(res: SipResponse, opts?: InviteRespondOptions): boolean {
    checkStatus(res);
    const status = res.status;
    const host = this.host;
    if (this.st === 'proceeding') {
      if (!this.answered) {
        this.answered = true;
        this.disarm('timeout');
      }
      const wire = res.serialize();
      if (status < 200) {
        // "the TU passes any number of provisional responses to the server transaction"
        this.disarm('retransmit');
        this.lastResponse = res;
        this.lastWire = wire;
        return this.sendWire(wire);
      }
      this.disarm('retransmit');
      this.lastResponse = res;
      this.lastWire = wire;
      if (status < 300) {
        // RFC 6026 §7.1: "If, while in the 'Proceeding' state, the TU passes a 2xx response
        // to the server transaction, the server transaction MUST pass this response to the
        // transport layer for transmission ... and the server transaction MUST enter the
        // 'Accepted' state" and start Timer L.
        this.st = 'accepted';
        this.arm('timeout', host.timers.l, 'L');
        if (opts?.retransmitUntilAck) this.retransmitUntilAck(res, wire);
        return this.sendWire(wire);
      }
      // §17.2.1: 300-699 → Completed; Timer G for unreliable transports, Timer H always.
      this.st = 'completed';
      if (!this.reliable) {
        this.interval = host.timers.g;
        this.arm('retransmit', this.interval, 'G');
      }
      this.arm('timeout', host.timers.h, 'H');
      return this.sendWire(wire);
    }
    if (this.st === 'accepted' && status >= 200 && status < 300) {
      // RFC 6026 §8.6: further 2xx (other forks, retransmissions a proxy forwards) go straight to the transport.
      return this.sendWire(res.serialize());
    }
    return false;
  }

  private retransmitUntilAck(res: SipResponse, wire: Buffer): void {
    const tag = res.to().tag ?? '';
    this.okWire = wire;
    this.ackKey = ackKeyOf(this.request.callId(), this.request.cseq().seq, tag);
    this.host.awaitAck(this.ackKey, this);
    this.interval = this.host.timers.t1;
    this.arm('retransmit', this.interval, '2xx');
  }

  /** @internal the ACK for our retransmitted 2xx arrived (§13.3.1.4): stop re-sending. */
  ackFor2xx(): void {
    this.okWire = null;
    this.disarm('retransmit');
    if (this.ackKey !== null) {
      this.host.forgetAck(this.ackKey);
      this.ackKey = null;
    }
  }

  requestRetransmitted(): void {
    switch (this.st) {
      case 'proceeding':
      case 'completed':
        // §17.2.1: re-send the most recent provisional (Proceeding) or the final response (Completed).
        this.resendLast();
        return;
      default:
        // Confirmed absorbs; RFC 6026 §7.1: Accepted absorbs without passing it to the TU.
        this.host.counters.requestRetransmissionsAbsorbed++;
    }
  }

  /**
   * @internal An ACK matched this transaction. Returns true when the
   * transaction absorbed it (ACK for a 300-699, §17.2.1), false when it goes
   * to the TU (RFC 6026 §8.7: an ACK in Accepted is the 2xx's).
   */
  ackReceived(): boolean {
    switch (this.st) {
      case 'completed':
        // §17.2.1: Completed → Confirmed; Timer I (T4 for UDP, 0 for reliable).
        if (this.reliable) {
          this.st = 'confirmed';
          this.terminate();
        } else this.enterWait('confirmed', null, this.host.timers.iUnreliable);
        return true;
      case 'accepted':
        return false;
      default:
        return true;
    }
  }

  onTimer(name: InviteServerTimer): void {
    const host = this.host;
    switch (name) {
      case 'trying':
        this.fired('retransmit');
        // §17.2.1: "If there is no provisional response within 200 ms, the server transaction MUST generate a 100 (Trying)".
        if (this.st === 'proceeding' && this.lastWire === null) {
          const trying = createResponse(this.request, 100);
          this.lastResponse = trying;
          this.lastWire = trying.serialize();
          this.sendWire(this.lastWire);
        }
        return;
      case 'G':
        this.fired('retransmit');
        if (this.st !== 'completed' || this.lastWire === null) return;
        host.counters.responsesResent++;
        this.sendWire(this.lastWire);
        this.interval = Math.min(this.interval * 2, host.timers.t2);
        this.arm('retransmit', this.interval, 'G');
        return;
      case '2xx':
        this.fired('retransmit');
        if (this.st !== 'accepted' || this.okWire === null) return;
        host.counters.responsesResent++;
        this.sendWire(this.okWire);
        this.interval = Math.min(this.interval * 2, host.timers.t2);
        this.arm('retransmit', this.interval, '2xx');
        return;
      case 'H':
        // §17.2.1: no ACK: Terminated, and the TU learns of a transaction failure (counted).
        this.fired('timeout');
        host.counters.ackTimeouts++;
        this.terminate();
        return;
      case 'guard':
        this.fired('timeout');
        host.counters.abandoned++;
        this.terminate();
        return;
      case 'L':
        this.fired('timeout');
        this.terminate();
        return;
    }
  }

  protected override onTerminate(): void {
    if (this.ackKey !== null) {
      this.host.forgetAck(this.ackKey);
      this.ackKey = null;
    }
    this.okWire = null;
  }
}

/** Key matching an ACK for a 2xx to the INVITE it acknowledges (§13.2.2.4: same Call-ID, CSeq number, To tag). */
export function ackKeyOf(callId: string, seq: number, toTag: string): string {
  return callId + '\x01' + seq + '\x01' + toTag;
}
