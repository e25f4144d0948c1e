import type { SipRequest, SipResponse } from '../message/index.js';
import type { Peer, SendTarget } from '../transport/index.js';
import { ClientTransactionBase } from './client-transaction.js';
import { createNon2xxAck } from './create-ack-cancel.js';
import type { ClientTransactionUser, TransactionHost } from './types.js';

/** INVITE client transaction states (RFC 3261 §17.1.1 Figure 5, RFC 6026 §7.2: Accepted). */
export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

/** A (retransmit, UDP), B (timeout), M (Accepted lifetime). Timer D runs in the WaitRecord left in Completed. */
export type InviteClientTimer = 'A' | 'B' | 'M';

export class InviteClientTransaction extends ClientTransactionBase<InviteClientState, InviteClientTimer> {
  readonly kind = 'invite' as const;

  constructor(host: TransactionHost, key: string, request: SipRequest, target: SendTarget, user: ClientTransactionUser) {
    super(host, key, request, target, user, 'calling');
  }

  start(): void {
    const t = this.host.timers;
    this.sendFirst();
    // §17.1.1.2: "If an unreliable transport is being used, the client transaction MUST start timer A with a value of T1".
    if (!this.reliable) {
      this.interval = t.a;
      this.arm('retransmit', this.interval, 'A');
    }
    // "For any transport, the client transaction MUST start timer B with a value of 64*T1".
    this.arm('timeout', t.b, 'B');
  }

  receive(res: SipResponse, source: Peer): void {
    const status = res.status;
    switch (this.st) {
      case 'calling':
      case 'proceeding':
        this.disarm('retransmit');
        if (status < 200) {
          // §17.1.1.2: Calling → Proceeding, no more retransmissions; Timer B only matters in Calling.
          this.st = 'proceeding';
          this.disarm('timeout');
          this.deliver(res, source);
        } else if (status < 300) {
          // RFC 6026 §8.4: a 2xx moves the transaction to Accepted (Timer M) instead of Terminated.
          this.st = 'accepted';
          this.arm('timeout', this.host.timers.m, 'M');
          this.deliver(res, source);
        } else {
          // §17.1.1.2: 300-699 → Completed: ACK it, pass it up, Timer D (32 s UDP, 0 reliable).
          this.st = 'completed';
          this.disarm('timeout');
          const ack = this.sendAck(res);
          this.deliver(res, source);
          if (this.reliable) this.terminate();
          // "Any retransmissions of the final response that are received while in the Completed
          // state MUST cause the ACK to be re-passed to the transport layer for retransmission,
          // but the newly received response MUST NOT be passed up to the TU" — the wait record does that.
          else if (this.st === 'completed') this.enterWait('completed', ack, this.host.timers.dUnreliable);
        }
        return;
      case 'accepted':
        // RFC 6026 §8.4: every 2xx (retransmissions, other forks) goes up; anything else is dropped.
        if (status >= 200 && status < 300) this.deliver(res, source);
        else this.host.counters.responseRetransmissionsAbsorbed++;
        return;
      default:
        return;
    }
  }

  private sendAck(res: SipResponse): Buffer | null {
    try {
      const wire = createNon2xxAck(this.request, res).serialize();
      this.host.send(wire, this.nextHop);
      return wire;
    } catch (err) {
      this.host.warn(err, 'could not build the ACK for a non-2xx response');
      return null;
    }
  }

  onTimer(name: InviteClientTimer): void {
    switch (name) {
      case 'A':
        this.fired('retransmit');
        if (this.st !== 'calling') return;
        // §17.1.1.2: retransmit and double the interval (no T2 cap for INVITE requests).
        this.resend();
        this.interval *= 2;
        this.arm('retransmit', this.interval, 'A');
        return;
      case 'B':
        this.fired('timeout');
        if (this.st === 'calling') this.timedOut('B');
        return;
      case 'M':
        this.fired('timeout');
        this.terminate();
        return;
    }
  }
}
