import type { SipRequest, SipResponse, Via } from '../message/index.js';
import type { Peer } from '../transport/index.js';
import { checkStatus, ServerTransactionBase } from './server-transaction-base.js';
import type { TransactionHost } from './types.js';

/** Non-INVITE server transaction states (RFC 3261 §17.2.2, Figure 8). */
export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** Timer names: J (request retransmit absorption), `guard` (the core never answered). */
export type NonInviteServerTimer = 'J' | 'guard';

export class NonInviteServerTransaction extends ServerTransactionBase<NonInviteServerState, NonInviteServerTimer> {
  readonly kind = 'non-invite' as const;

  constructor(host: TransactionHost, key: string, request: SipRequest, source: Peer, via: Via) {
    super(host, key, request, source, via, 'trying');
  }

  /**
   * The abandon guard, armed by the layer once the core has seen the request
   * and only if it left it unanswered: past Timer F the client has given up,
   * and a transaction nobody answered by then is dropped instead of leaking.
   * A REGISTER in usrloc db_mode 0 or 2, and any request the route refuses
   * at once, is answered before the layer gets here: no timer is armed for
   * it only to be cleared again.
   */
  guardUnanswered(): void {
    if (this.st === 'trying' || this.st === 'proceeding') this.arm('timeout', this.host.timers.f + this.host.timers.t2, 'guard');
  }

  /**
   * Sends a response from the TU (§17.2.2). Returns false when not sent: a
   * response after the final one ("any other final responses passed by the
   * TU to the server transaction MUST be discarded"), after termination, or
   * refused by the transport.
   */
  respond(res: SipResponse): boolean {
    return this.send(res, false);
  }

  /**
   * As respond(), but a final response ends the transaction at once instead
   * of waiting out Timer J (64*T1, 32 s on UDP): the TU answers a later
   * retransmission of the request itself, by processing it again, as a
   * stateless UAS does (§8.2.7). Kamailio answers REGISTER so (registrar
   * and auth reply with sl_send_reply): at 20,000 REGISTER/s, holding each
   * answered one for 32 s would keep 640,000 records and their responses.
   * Retransmissions that arrive while the TU still works are absorbed.
   */
  respondAndEnd(res: SipResponse): boolean {
    return this.send(res, true);
  }

  private send(res: SipResponse, endAtFinal: boolean): boolean {
    checkStatus(res);
    const st = this.st;
    if (st !== 'trying' && st !== 'proceeding') return false;
    const wire = res.serialize();
    this.lastResponse = res;
    this.lastWire = wire;
    if (res.status < 200) {
      this.st = 'proceeding';
      return this.sendWire(wire);
    }
    // §17.2.2: final → Completed; Timer J = 64*T1 for unreliable transports, 0 for reliable.
    this.st = 'completed';
    const sent = this.sendWire(wire);
    if (this.reliable || endAtFinal) this.terminate();
    else this.enterWait('completed', wire, this.host.timers.jUnreliable);
    return sent;
  }

  requestRetransmitted(): void {
    if (this.st === 'trying') {
      // §17.2.2: "in the Trying state, any further request retransmissions are discarded".
      this.host.counters.requestRetransmissionsAbsorbed++;
      return;
    }
    // Proceeding: the last provisional; Completed: the final response.
    this.resendLast();
  }

  onTimer(name: NonInviteServerTimer): void {
    this.fired('timeout');
    if (name === 'guard') this.host.counters.abandoned++;
    this.terminate();
  }
}
