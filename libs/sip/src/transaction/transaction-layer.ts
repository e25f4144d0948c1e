import { detach, type CreateResponseOptions, type SipMessage, type SipRequest, type SipResponse } from '../message/index.js';
import type { Peer, SendCallback, SendTarget } from '../transport/index.js';
import type { ClientTransaction } from './client-transaction.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { ackKeyOf, InviteServerTransaction } from './invite-server-transaction.js';
import { clientKey, hasMagicBranch, serverKey } from './keys.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { responseTarget } from './response-target.js';
import { systemScheduler, type Scheduler } from './scheduler.js';
import { createStatelessResponse } from './stateless-reply.js';
import type { TransactionTimers } from './timers.js';
import type {
  ClientTransactionUser,
  MessageSender,
  ServerTransaction,
  TransactionCore,
  TransactionHost,
  TransactionLogger,
  TransactionStats,
} from './types.js';
import { applyReceived } from './via-received.js';
import { WaitRecord, type WaitState } from './wait-record.js';

export interface TransactionLayerOptions {
  /** Timer values, from `transactionTimers({ t1, t2, t4 })`. */
  timers: TransactionTimers;
  /** Default: Node's timers. Tests pass a `ManualScheduler`. */
  scheduler?: Scheduler;
  /** Where bytes go: a `SipTransportLayer`. */
  transport: MessageSender;
  core: TransactionCore;
  /**
   * Add `received`/fill `rport` in the top Via of requests on receipt
   * (RFC 3261 §18.2.1, RFC 3581 §4). Default true; turn off only when the
   * layer below already does it.
   */
  applyReceived?: boolean;
  /**
   * When an INVITE server transaction sends 100 Trying by itself if the TU
   * has sent nothing (RFC 3261 §17.2.1: 200 ms). null: never.
   */
  tryingDelayMs?: number | null;
  logger?: TransactionLogger;
}

const silent: TransactionLogger = { warn: () => {} };

function zeroStats(): TransactionStats {
  return {
    serverTransactions: 0,
    clientTransactions: 0,
    serverCreated: 0,
    clientCreated: 0,
    requestRetransmissionsAbsorbed: 0,
    responsesResent: 0,
    requestsResent: 0,
    responseRetransmissionsAbsorbed: 0,
    acksAbsorbed: 0,
    acksPassedUp: 0,
    acksFor2xxMatched: 0,
    cancelsMatched: 0,
    cancelsUnmatched: 0,
    strayResponses: 0,
    clientTimeouts: 0,
    ackTimeouts: 0,
    clientTransportErrors: 0,
    serverTransportErrors: 0,
    abandoned: 0,
    dropped: 0,
  };
}

/**
 * The SIP transaction layer (RFC 3261 §17, RFC 6026): matches every
 * received message to a transaction, absorbs retransmissions, runs the
 * timers, and hands the core only what is new.
 *
 * Requests: a retransmission re-sends the last response; an ACK for a
 * 300-699 ends in its INVITE server transaction; an ACK for a 2xx and every
 * new request go to `core.onRequest` (with a new server transaction unless
 * ACK); a CANCEL goes to `core.onCancel` with the INVITE transaction it
 * matches (§9.2). Responses: to their client transaction's user, or to
 * `core.onStrayResponse` when none matches.
 */
export class TransactionLayer implements TransactionHost {
  readonly timers: TransactionTimers;
  readonly scheduler: Scheduler;
  readonly tryingDelayMs: number | null;
  /** @internal */
  readonly counters: TransactionStats = zeroStats();
  private readonly transport: MessageSender;
  private readonly core: TransactionCore;
  private readonly fixVia: boolean;
  private readonly log: TransactionLogger;
  /** Server transactions by §17.2.3 key; a WaitRecord once one waits out Timer J or I. */
  private readonly servers = new Map<string, ServerTransaction | WaitRecord>();
  /** Client transactions by §17.1.3 key; a WaitRecord once one waits out Timer K or D. */
  private readonly clients = new Map<string, ClientTransaction | WaitRecord>();
  /** INVITE server transactions re-sending a 2xx until its ACK (§13.3.1.4), by Call-ID/CSeq/To tag. */
  private readonly awaitingAck = new Map<string, InviteServerTransaction>();
  private stopped = false;

  constructor(options: TransactionLayerOptions) {
    this.timers = options.timers;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.transport = options.transport;
    this.core = options.core;
    this.fixVia = options.applyReceived ?? true;
    this.tryingDelayMs = options.tryingDelayMs === undefined ? 200 : options.tryingDelayMs;
    this.log = options.logger ?? silent;
  }

  // ------------------------------------------------------------------ receive

  /** A parsed message from the transport. Never throws. */
  receive(msg: SipMessage, source: Peer): void {
    if (this.stopped) return;
    try {
      if (msg.kind === 'request') this.receiveRequest(msg, source);
      else this.receiveResponse(msg, source);
    } catch (err) {
      this.counters.dropped++;
      this.warn(err, 'transaction layer dropped a message');
    }
  }

  private receiveRequest(req: SipRequest, source: Peer): void {
    const via = this.fixVia ? applyReceived(req, source) : req.topVia();
    if (via === undefined) {
      this.counters.dropped++;
      return;
    }
    const method = req.method;
    const c = this.counters;
    if (method === 'ACK') {
      const tx = this.servers.get(serverKey(req, via, 'INVITE'));
      if (tx !== undefined && tx.kind === 'wait') {
        // Confirmed (Timer I): ACK retransmissions are absorbed.
        c.acksAbsorbed++;
        return;
      }
      // RFC 2543 fallback: the ACK must carry the To tag of the response the transaction sent.
      if (tx !== undefined && tx.kind === 'invite' && (hasMagicBranch(via) || sameToTag(req, tx))) {
        if (tx.ackReceived()) {
          c.acksAbsorbed++;
          return;
        }
        // Accepted (RFC 6026 §8.7): the ACK is the 2xx's; it also ends a UAS 2xx retransmission.
        tx.ackFor2xx();
      } else if (this.awaitingAck.size > 0) {
        const uas = this.awaitingAck.get(ackKeyOf(req.callId(), req.cseq().seq, req.to().tag ?? ''));
        if (uas !== undefined) {
          c.acksFor2xxMatched++;
          uas.ackFor2xx();
        }
      }
      c.acksPassedUp++;
      this.core.onRequest(req, source, null);
      return;
    }
    const lookupKey = serverKey(req, via, method);
    const existing = this.servers.get(lookupKey);
    if (existing !== undefined) {
      existing.requestRetransmitted();
      return;
    }
    // The key outlives the request by Timer J/I (32 s on UDP); built from the request's
    // branch it would keep the request's whole text alive that long.
    const key = detach(lookupKey);
    if (method === 'INVITE') {
      this.core.onRequest(req, source, this.adopt(new InviteServerTransaction(this, key, req, source, via)));
      return;
    }
    const tx = this.adopt(new NonInviteServerTransaction(this, key, req, source, via));
    try {
      if (method === 'CANCEL') {
        // §9.2: the CANCEL matches the transaction it cancels by the §17.2.3 rules, method aside.
        const inv = this.servers.get(serverKey(req, via, 'INVITE'));
        const inviteTx = inv !== undefined && inv.kind === 'invite' ? inv : null;
        if (inviteTx !== null) c.cancelsMatched++;
        else c.cancelsUnmatched++;
        const onCancel = this.core.onCancel;
        if (onCancel) onCancel.call(this.core, req, source, inviteTx, tx);
        else this.core.onRequest(req, source, tx);
      } else this.core.onRequest(req, source, tx);
    } finally {
      tx.guardUnanswered();
    }
  }

  /** A new server transaction into the table (§17.2.3 key) and the counters. */
  private adopt<T extends ServerTransaction>(tx: T): T {
    this.servers.set(tx.key, tx);
    this.counters.serverCreated++;
    this.counters.serverTransactions++;
    return tx;
  }

  private receiveResponse(res: SipResponse, source: Peer): void {
    const via = res.topVia();
    const branch = via?.branch;
    const tx = branch !== undefined ? this.clients.get(clientKey(branch, res.cseq().method)) : undefined;
    if (tx !== undefined) {
      tx.receive(res, source);
      return;
    }
    this.counters.strayResponses++;
    this.core.onStrayResponse(res, source);
  }

  // ---------------------------------------------------------------------- send

  /**
   * Starts a client transaction (RFC 3261 §17.1): sends `req` to `target`
   * and reports its responses to `user`. The request must carry its top Via
   * with a unique magic-cookie branch (the caller's: a proxy's branch, a
   * UAC's `newBranch()`); ACK is not sent through a transaction (use
   * `sendStateless`). Throws on those programming errors.
   */
  sendRequest(req: SipRequest, target: SendTarget, user: ClientTransactionUser): ClientTransaction {
    if (req.method === 'ACK') throw new Error('ACK is sent without a transaction: use sendStateless');
    const via = req.topVia();
    if (via === undefined || !hasMagicBranch(via)) throw new Error('request needs a top Via with an RFC 3261 branch');
    const key = clientKey(via.branch!, req.cseq().method);
    if (this.clients.has(key)) throw new Error(`a client transaction with branch ${via.branch} and method ${req.method} exists`);
    const tx: ClientTransaction =
      req.method === 'INVITE' ? new InviteClientTransaction(this, key, req, target, user) : new NonInviteClientTransaction(this, key, req, target, user);
    if (this.stopped) {
      // Nothing goes out any more: the user hears a 503 at once rather than never.
      tx.abandon();
      return tx;
    }
    this.clients.set(key, tx);
    this.counters.clientCreated++;
    this.counters.clientTransactions++;
    tx.start();
    return tx;
  }

  /** Sends a message outside any transaction (ACK for 2xx, stateless forwarding). */
  sendStateless(msg: SipMessage, target: SendTarget, callback?: SendCallback): boolean {
    return this.transport.send(msg.serialize(), target, callback);
  }

  /**
   * Answers a request without a transaction (Kamailio sl_send_reply): the To
   * tag is stable across retransmissions (see `statelessToTag`), the
   * response goes where §18.2.2 says. Returns the response sent.
   */
  replyStateless(req: SipRequest, source: Peer, status: number, reason?: string, opts?: CreateResponseOptions): SipResponse {
    const res = createStatelessResponse(req, status, reason, opts);
    const via = req.topVia();
    if (via !== undefined) this.transport.send(res.serialize(), responseTarget(via, source));
    return res;
  }

  // ------------------------------------------------------------------- queries

  /** The live server transaction a request belongs to (§17.2.3), if any. */
  findServerTransaction(req: SipRequest): ServerTransaction | undefined {
    const via = req.topVia();
    if (via === undefined) return undefined;
    const tx = this.servers.get(serverKey(req, via, req.method === 'ACK' ? 'INVITE' : req.method));
    return tx === undefined || tx.kind === 'wait' ? undefined : tx;
  }

  /** Counters and live table sizes (a copy). */
  stats(): TransactionStats {
    return { ...this.counters };
  }

  /** Live transactions, server and client. */
  size(): number {
    return this.servers.size + this.clients.size;
  }

  /**
   * Ends every transaction and clears every timer. Server transactions end
   * silently; a client transaction still waiting for its final response
   * reports a 503 to its user (failure `stopped`) so nothing awaits it
   * forever. Receives are ignored afterwards.
   */
  stop(): void {
    this.stopped = true;
    const servers = [...this.servers.values()];
    const clients = [...this.clients.values()];
    this.servers.clear();
    this.clients.clear();
    this.awaitingAck.clear();
    for (const tx of servers) {
      if (tx.kind === 'wait') tx.end();
      else tx.terminate();
    }
    for (const tx of clients) {
      if (tx.kind === 'wait') tx.end();
      else tx.abandon();
    }
    this.counters.serverTransactions = 0;
    this.counters.clientTransactions = 0;
  }

  // ------------------------------------------------------- TransactionHost

  /** @internal */
  send(data: Buffer, target: SendTarget, callback?: SendCallback): boolean {
    return this.transport.send(data, target, callback);
  }

  /** @internal */
  serverTerminated(tx: ServerTransaction): void {
    if (this.servers.get(tx.key) === tx) {
      this.servers.delete(tx.key);
      this.counters.serverTransactions--;
    }
  }

  /** @internal */
  clientTerminated(tx: ClientTransaction): void {
    if (this.clients.get(tx.key) === tx) {
      this.clients.delete(tx.key);
      this.counters.clientTransactions--;
    }
  }

  /** @internal */
  serverWait(tx: ServerTransaction, state: WaitState, wire: Buffer | null, target: SendTarget, ms: number): WaitRecord {
    const w = new WaitRecord(this, 'server', tx.key, state, wire, target, ms);
    if (this.servers.get(tx.key) === tx) this.servers.set(tx.key, w);
    return w;
  }

  /** @internal */
  clientWait(tx: ClientTransaction, state: WaitState, wire: Buffer | null, target: SendTarget, ms: number): WaitRecord {
    const w = new WaitRecord(this, 'client', tx.key, state, wire, target, ms);
    if (this.clients.get(tx.key) === tx) this.clients.set(tx.key, w);
    return w;
  }

  /** @internal */
  waitEnded(w: WaitRecord): void {
    if (w.side === 'server') {
      if (this.servers.get(w.key) === w) {
        this.servers.delete(w.key);
        this.counters.serverTransactions--;
      }
    } else if (this.clients.get(w.key) === w) {
      this.clients.delete(w.key);
      this.counters.clientTransactions--;
    }
  }

  /** @internal */
  awaitAck(key: string, tx: InviteServerTransaction): void {
    this.awaitingAck.set(key, tx);
  }

  /** @internal */
  forgetAck(key: string): void {
    this.awaitingAck.delete(key);
  }

  /** @internal */
  warn(err: unknown, msg: string): void {
    this.log.warn({ err }, msg);
  }
}

function sameToTag(ack: SipRequest, tx: InviteServerTransaction): boolean {
  const sent = tx.lastResponse;
  if (sent === null) return false;
  return (ack.to().tag ?? '') === (sent.to().tag ?? '');
}
