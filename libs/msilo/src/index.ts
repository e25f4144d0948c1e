/**
 * @pbx/msilo: offline MESSAGE storage (Kamailio msilo). Framework-free: the
 * server passes in a store, a sender, a locator, a clock/scheduler, the
 * statistics registry and the event bus.
 */
export * from './config.js';
export { MessageSilo } from './message-silo.js';
export { DEFAULT_SILO_LIMITS } from './silo-api.js';
export type {
  MessageSiloDeps,
  SiloLimits,
  SiloLogger,
  StoreResult,
  DumpOptions,
  DumpReport,
  MessageState,
  SiloMessageView,
  SiloMessageDetail,
  MessageListQuery,
  MessageListPage,
  ComposeInput,
  ComposeResult,
} from './silo-api.js';
export type { StoreOptions, Owner } from './store-request.js';
export { ownerOf } from './store-request.js';
export { messageSupported } from './message-support.js';
export type { SiloSender, SiloLocator, SiloDestination, SendOptions, SendPurpose } from './silo-sender.js';
export type { SiloStore, SiloListQuery, SiloListPage } from './silo-store.js';
export { MemorySiloStore } from './memory-silo-store.js';
export { PostgresSiloStore } from './postgres-silo-store.js';
export type { SqlQuery, PostgresSiloStoreOptions } from './postgres-silo-store.js';
export { GroupCommit, QueueFullError } from './group-commit.js';
export { SiloIndex, ownerKey } from './silo-index.js';
export type { OwnerCount } from './silo-index.js';
export type { GroupCommitOptions, Settled } from './group-commit.js';
export type { NewSiloMessage, SiloRow, SiloSummaryRow } from './silo-message.js';
export { SILO_STATUS_STORED, SILO_COLUMN_WIDTH, BODY_HEAD_BYTES } from './silo-message.js';
export { SILO_ERRORS, SiloError } from './silo-errors.js';
export type { SiloErrorCode } from './silo-errors.js';
export { SILO_STATISTICS, siloCounters } from './silo-stats.js';
export type { SiloStatName, SiloCounters } from './silo-stats.js';
export type { MsiloEventMap, MsiloEventName, SiloEventSink, SiloMessageInfo } from './silo-events.js';
export { messageInfo, bodyPreview } from './silo-events.js';
export { intervalScheduler, ManualScheduler } from './scheduler.js';
export type { Scheduler } from './scheduler.js';
export { buildMessageRequest, MessageBuildError } from './build-message-request.js';
export type { MessageRequestSpec } from './build-message-request.js';
export { AUTO_SUBMITTED_HEADER, AUTO_SUBMITTED_VALUE, isAutoSubmitted } from './notification.js';
export { SUPPORTED_PVS, expandPv } from './pseudo-variables.js';
export type { PvContext } from './pseudo-variables.js';
export { parseSendTime, formatSendTime, sipDate, ctimeText } from './silo-time.js';
export type { HeaderLine } from './header-block.js';
