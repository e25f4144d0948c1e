import type { SipRequest, SipResponse } from '../message/index.js';
import type { Peer, SendCallback, SendTarget, TransportError } from '../transport/index.js';
import type { Scheduler } from './scheduler.js';
import type { TransactionTimers } from './timers.js';
import type { ClientTransaction } from './client-transaction.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { WaitRecord, WaitState } from './wait-record.js';

/** What the transaction layer sends through: `SipTransportLayer` satisfies it. */
export interface MessageSender {
  send(data: Buffer, target: SendTarget, callback?: SendCallback): boolean;
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/**
 * The transaction user above the layer (RFC 3261 §17: the "TU", here the
 * request route of the server / the proxy core).
 */
export interface TransactionCore {
  /**
   * A new request. `tx` is its new server transaction, or null for an ACK
   * that matched no INVITE server transaction awaiting one (the ACK for a
   * 2xx, RFC 3261 §17.1.1.3 / §13.2.2.4), which the core handles (a proxy
   * forwards it statelessly, §16.11). Retransmissions never arrive here.
   * Without `onCancel`, CANCELs arrive here too, with their own transaction.
   */
  onRequest(req: SipRequest, source: Peer, tx: ServerTransaction | null): void;
  /**
   * A new CANCEL (RFC 3261 §9.2), with the INVITE server transaction it
   * matches (null when none) and its own non-INVITE server transaction,
   * which the core answers (200, or 481 when there is no match).
   */
  onCancel?(cancel: SipRequest, source: Peer, inviteTx: InviteServerTransaction | null, cancelTx: NonInviteServerTransaction): void;
  /**
   * A response that matches no client transaction (RFC 3261 §17.1.3 found
   * none): typically a 2xx retransmission to an INVITE after Timer M, which a
   * proxy forwards statelessly (§16.7 step 10, RFC 6026 §7.2).
   */
  onStrayResponse(res: SipResponse, source: Peer): void;
}

/** Why a client transaction produced a response itself. */
export type ClientFailure =
  | { kind: 'timeout'; timer: 'B' | 'F' }
  | { kind: 'transport'; error: TransportError }
  /** The layer stopped (shutdown) before a final response arrived. */
  | { kind: 'stopped' };

/** The owner of one client transaction (a proxy branch, a UAC). */
export interface ClientTransactionUser {
  /**
   * A response for the transaction: 1xx, the final response, and for
   * INVITE every 2xx (retransmissions and other forks too, RFC 6026 §8.4).
   * `source` is null when the layer synthesized it: 408 when Timer B/F fired,
   * the transport error's status (503, 430…) when the request could not be
   * sent (RFC 3261 §8.1.3.1, §16.9), 503 when the layer stopped first;
   * `tx.failure` says which.
   */
  onResponse(res: SipResponse, source: Peer | null, tx: ClientTransaction): void;
  /**
   * The transaction is over for its user: it reached Terminated, or (over
   * UDP) entered its last wait — Completed with Timer K or D, which only
   * absorbs response retransmissions — where nothing more is reported.
   */
  onTerminated?(tx: ClientTransaction): void;
}

/** pino-compatible warn. */
export interface TransactionLogger {
  warn(obj: object, msg: string): void;
}

/** Counters since construction, plus the live table sizes. Plain numbers. */
export interface TransactionStats {
  /** Live server transactions. */
  serverTransactions: number;
  /** Live client transactions. */
  clientTransactions: number;
  serverCreated: number;
  clientCreated: number;
  /** Request retransmissions absorbed by a server transaction (§17.2.1, §17.2.2). */
  requestRetransmissionsAbsorbed: number;
  /** Responses a server transaction re-sent: on a request retransmission or Timer G. */
  responsesResent: number;
  /** Requests a client transaction re-sent (Timers A, E). */
  requestsResent: number;
  /** Response retransmissions absorbed by a client transaction. */
  responseRetransmissionsAbsorbed: number;
  /** ACKs for non-2xx matched to their INVITE server transaction. */
  acksAbsorbed: number;
  /** ACKs handed to the core (ACK for 2xx). */
  acksPassedUp: number;
  /** 2xx retransmissions of a UAS stopped by their ACK (§13.3.1.4). */
  acksFor2xxMatched: number;
  cancelsMatched: number;
  cancelsUnmatched: number;
  strayResponses: number;
  /** Timers B and F. */
  clientTimeouts: number;
  /** Timer H: no ACK for a 300-699 to INVITE. */
  ackTimeouts: number;
  clientTransportErrors: number;
  serverTransportErrors: number;
  /** Server transactions the core never answered, ended by the abandon guard. */
  abandoned: number;
  /** Messages dropped because a header needed for matching did not parse, or the core threw. */
  dropped: number;
}

/** @internal The layer as its transactions see it. */
export interface TransactionHost {
  readonly timers: TransactionTimers;
  readonly scheduler: Scheduler;
  readonly counters: TransactionStats;
  readonly tryingDelayMs: number | null;
  send(data: Buffer, target: SendTarget, callback?: SendCallback): boolean;
  serverTerminated(tx: ServerTransaction): void;
  clientTerminated(tx: ClientTransaction): void;
  /** Replaces the transaction in the server table by a wait record. */
  serverWait(tx: ServerTransaction, state: WaitState, wire: Buffer | null, target: SendTarget, ms: number): WaitRecord;
  /** Replaces the transaction in the client table by a wait record. */
  clientWait(tx: ClientTransaction, state: WaitState, wire: Buffer | null, target: SendTarget, ms: number): WaitRecord;
  waitEnded(record: WaitRecord): void;
  awaitAck(key: string, tx: InviteServerTransaction): void;
  forgetAck(key: string): void;
  warn(err: unknown, msg: string): void;
}
