import type { SipResponse } from '../message/index.js';
import type { SendTarget } from '../transport/index.js';
import type { TimerHandle, TimerTarget } from './scheduler.js';
import type { TransactionHost } from './types.js';

/** The states a transaction spends waiting out a retransmission-absorbing timer. */
export type WaitState = 'completed' | 'confirmed';

/**
 * What a transaction leaves in the layer's table for its last wait over
 * UDP — Timer J (non-INVITE server, Completed), I (INVITE server,
 * Confirmed), K (non-INVITE client, Completed), D (INVITE client,
 * Completed). All it must still do is absorb retransmissions, re-sending one
 * stored message where the RFC says so (the final response for J, the ACK for
 * D). So the table keeps this small record for those 64*T1 or T4, not the
 * transaction with its request and responses: at thousands of transactions
 * per second that is the difference between kilobytes and hundreds of bytes
 * per transaction held for 32 s.
 *
 * The transaction object reads its state from here; nothing here points back
 * to it, so it is garbage as soon as its owner lets go.
 */
export class WaitRecord implements TimerTarget<'end'> {
  readonly kind = 'wait' as const;
  state: WaitState | 'terminated';
  private timer: TimerHandle | null;

  constructor(
    private readonly host: TransactionHost,
    readonly side: 'server' | 'client',
    readonly key: string,
    state: WaitState,
    /** Re-sent on each retransmission (final response for J, ACK for D), or null: absorb only. */
    private readonly wire: Buffer | null,
    private readonly target: SendTarget | null,
    ms: number,
  ) {
    this.state = state;
    this.timer = host.scheduler.schedule(ms, this, 'end');
  }

  /** A request retransmission (server side) or an ACK matched: absorb it, re-sending the stored response. */
  requestRetransmitted(): void {
    this.host.counters.requestRetransmissionsAbsorbed++;
    if (this.wire !== null && this.target !== null) {
      this.host.counters.responsesResent++;
      this.host.send(this.wire, this.target);
    }
  }

  /** An ACK matched (INVITE server, Confirmed): absorbed. */
  ackReceived(): boolean {
    return true;
  }

  /** A response retransmission matched (client side): absorbed; a 300-699 gets the ACK again (§17.1.1.2). */
  receive(res: SipResponse): void {
    this.host.counters.responseRetransmissionsAbsorbed++;
    if (this.wire !== null && this.target !== null && res.status >= 300) this.host.send(this.wire, this.target);
  }

  onTimer(): void {
    this.timer = null;
    this.finish();
  }

  /** Ends the wait now (the transaction was terminated by its owner, or the layer stops). */
  end(): void {
    if (this.timer !== null) {
      this.host.scheduler.cancel(this.timer);
      this.timer = null;
    }
    this.finish();
  }

  private finish(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.host.waitEnded(this);
  }
}
