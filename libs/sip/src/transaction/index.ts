/**
 * SIP transaction layer (RFC 3261 §17, RFC 6026): the four state machines,
 * their timers, matching of requests, ACK and CANCEL to transactions, and
 * stateless replies. The public surface of libs/sip/src/transaction.
 *
 * Usage:
 *   const layer = new TransactionLayer({ timers: transactionTimers({ t1: 500, t2: 4000, t4: 5000 }),
 *     transport: sipTransportLayer, core: { onRequest, onCancel, onStrayResponse } });
 *   // from the transport handler, after parseMessage:
 *   layer.receive(message, source);
 *   // in core.onRequest(req, source, tx):
 *   tx.respond(createResponse(req, 200, undefined, { toTag }));
 *   // as a client:
 *   layer.sendRequest(req, target, { onResponse(res, source, tx) {} });
 */
export { transactionTimers } from './timers.js';
export type { TimerBase, TransactionTimers } from './timers.js';
export { systemScheduler, ManualScheduler } from './scheduler.js';
export type { Scheduler, TimerTarget, TimerHandle } from './scheduler.js';
export { TransactionLayer } from './transaction-layer.js';
export type { TransactionLayerOptions } from './transaction-layer.js';
export type {
  MessageSender,
  ServerTransaction,
  TransactionCore,
  ClientFailure,
  ClientTransactionUser,
  TransactionLogger,
  TransactionStats,
} from './types.js';
export { InviteServerTransaction } from './invite-server-transaction.js';
export type { InviteServerState, InviteServerTimer, InviteRespondOptions } from './invite-server-transaction.js';
export { NonInviteServerTransaction } from './non-invite-server-transaction.js';
export type { NonInviteServerState, NonInviteServerTimer } from './non-invite-server-transaction.js';
export { InviteClientTransaction } from './invite-client-transaction.js';
export type { InviteClientState, InviteClientTimer } from './invite-client-transaction.js';
export { NonInviteClientTransaction } from './non-invite-client-transaction.js';
export type { NonInviteClientState, NonInviteClientTimer } from './non-invite-client-transaction.js';
export type { ClientTransaction } from './client-transaction.js';
export { MAGIC_COOKIE, hasMagicBranch, serverKey, clientKey } from './keys.js';
export { newBranch } from './branch.js';
export { applyReceived } from './via-received.js';
export { responseTarget, viaTarget, viaTransport, defaultPort } from './response-target.js';
export { statelessToTag, createStatelessResponse } from './stateless-reply.js';
export { createNon2xxAck, createCancel } from './create-ack-cancel.js';
