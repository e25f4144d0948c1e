import type { SipRequest, SipResponse } from '../message/index.js';
import type { ClientTransaction, ClientTransactionUser, TimerHandle, TimerTarget } from '../transaction/index.js';
import type { Peer, SendTarget } from '../transport/index.js';
import type { ForwardTarget } from './forward-target.js';
import type { ProxyTransaction } from './proxy-transaction.js';

/**
 * Branch states as the response context sees them (§16.7): sent and
 * unanswered, answered provisionally (a CANCEL may now be sent, §9.1), or
 * final.
 */
export type ProxyBranchState = 'trying' | 'proceeding' | 'completed';

/** Branch timers: C (INVITE, §16.8), `cancel` (64*T1 after our CANCEL, §9.1), `fr` (non-INVITE final-response timeout). */
export type ProxyBranchTimer = 'C' | 'cancel' | 'fr';

/**
 * One branch of a forwarded request: the copy sent, its client
 * transaction, and what came back. It is the transaction's user, so no
 * closure is made per branch.
 */
export class ProxyBranch implements ClientTransactionUser, TimerTarget<ProxyBranchTimer> {
  state: ProxyBranchState = 'trying';
  /** The client transaction, null when the branch failed before sending (no route to the target). */
  tx: ClientTransaction | null = null;
  /** Where the copy went. */
  destination: SendTarget | null = null;
  /** The final response (received or synthesized), once completed. */
  response: SipResponse | null = null;
  /** True when the final response was produced here (timeout, transport error, Timer C, no route). */
  local = false;
  /** Status of the last provisional response (0: none yet). */
  provisional = 0;
  /** @internal a CANCEL is due as soon as a provisional response arrives (§9.1). */
  cancelWanted: string | null | undefined = undefined;
  /** True once a CANCEL was sent for this branch. */
  cancelSent = false;
  /** @internal the one timer slot (C, cancel or fr). */
  timer: TimerHandle | null = null;

  constructor(
    readonly owner: ProxyTransaction,
    /** Index within the transaction (0-based, also the last part of the Via branch). */
    readonly index: number,
    readonly target: ForwardTarget,
    /** The copy of the request sent on this branch (top Via is ours). */
    readonly request: SipRequest,
  ) {}

  get completed(): boolean {
    return this.state === 'completed';
  }

  onResponse(res: SipResponse, source: Peer | null, tx: ClientTransaction): void {
    this.owner.branchResponse(this, res, source, tx);
  }

  onTerminated(): void {
    if (this.state !== 'completed') this.owner.branchLost(this);
  }

  onTimer(name: ProxyBranchTimer): void {
    this.timer = null;
    this.owner.branchTimer(this, name);
  }
}
