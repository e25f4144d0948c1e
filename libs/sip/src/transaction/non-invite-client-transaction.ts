import type { SipRequest, SipResponse } from '../message/index.js';
import type { Peer, SendTarget } from '../transport/index.js';
import { ClientTransactionBase } from './client-transaction.js';
import type { ClientTransactionUser, TransactionHost } from './types.js';

/** Non-INVITE client transaction states (RFC 3261 §17.1.2, Figure 6). */
export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** E (retransmit, UDP), F (timeout). Timer K runs in the WaitRecord left in Completed. */
export type NonInviteClientTimer = 'E' | 'F';

export class NonInviteClientTransaction extends ClientTransactionBase<NonInviteClientState, NonInviteClientTimer> {
  readonly kind = 'non-invite' as const;

  constructor(host: TransactionHost, key: string, request: SipRequest, target: SendTarget, user: ClientTransactionUser) {
    super(host, key, request, target, user, 'trying');
  }

  start(): void {
    const t = this.host.timers;
    this.sendFirst();
    // §17.1.2.2: Timer F = 64*T1 always; Timer E = T1 for unreliable transports.
    if (!this.reliable) {
      this.interval = t.e;
      this.arm('retransmit', this.interval, 'E');
    }
    this.arm('timeout', t.f, 'F');
  }

  receive(res: SipResponse, source: Peer): void {
    const st = this.st;
    if (st !== 'trying' && st !== 'proceeding') return;
    if (res.status < 200) {
      this.st = 'proceeding';
      this.deliver(res, source);
      return;
    }
    // §17.1.2.2: final → Completed, Timer K (T4 for UDP, 0 for reliable); retransmissions absorbed.
    this.st = 'completed';
    this.disarm('retransmit');
    this.disarm('timeout');
    this.deliver(res, source);
    if (this.reliable) this.terminate();
    else if (this.st === 'completed') this.enterWait('completed', null, this.host.timers.kUnreliable);
  }

  onTimer(name: NonInviteClientTimer): void {
    const t = this.host.timers;
    const st = this.st;
    switch (name) {
      case 'E':
        this.fired('retransmit');
        if (st !== 'trying' && st !== 'proceeding') return;
        this.resend();
        // §17.1.2.2: Trying doubles up to T2; "If Timer E fires while in the Proceeding state,
        // the request MUST be passed to the transport layer for retransmission, and Timer E
        // MUST be reset with a value of T2 seconds."
        this.interval = st === 'trying' ? Math.min(this.interval * 2, t.t2) : t.t2;
        this.arm('retransmit', this.interval, 'E');
        return;
      case 'F':
        this.fired('timeout');
        if (st === 'trying' || st === 'proceeding') this.timedOut('F');
        return;
    }
  }
}
