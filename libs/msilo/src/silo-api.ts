import type { Clock, StatsRegistry } from '@pbx/core';
import type { SipRequest } from '@pbx/sip';
import type { MsiloConfig } from './config.js';
import type { HeaderLine } from './header-block.js';
import type { Scheduler } from './scheduler.js';
import type { SiloErrorCode } from './silo-errors.js';
import type { SiloEventSink, SiloMessageInfo } from './silo-events.js';
import type { SiloDestination, SiloLocator, SiloSender } from './silo-sender.js';
import type { SiloStore } from './silo-store.js';

/*
 * The types of MessageSilo's public operations: what the routing policy
 * (store, dump) and the admin API (list, get, delete, dumpNow, compose) pass
 * in and get back.
 */

/** Limits that are not Kamailio parameters; the defaults suit the appliance. */
export interface SiloLimits {
  /** Largest body stored, bytes (default 65535, the largest UDP datagram). */
  readonly maxBodySize: number;
  /** Largest block of stored extra headers, characters (default 4096). */
  readonly maxStoredHeaders: number;
  /** Rows read per query while dumping (default 500). */
  readonly dumpPageSize: number;
  /**
   * Deliveries of one dump or reminder run awaiting an answer at once
   * (default 128), and the bytes of those messages between them (default
   * 64 KiB, see `wireSizeOf`): a backlog of short texts goes out in one
   * burst, as Kamailio's m_dump sends it, while a backlog of large ones
   * does not pile up in the phone's socket faster than it reads.
   */
  readonly maxInFlight: number;
  readonly maxInFlightBytes: number;
  /** Reminders read per send_time run (default 500). */
  readonly reminderBatch: number;
  /**
   * A delivery without a final answer after this long is counted failed and
   * released at the next check_time sweep (default 180 s, beyond Timer F's
   * 32 s: only a sender that broke its contract gets here).
   */
  readonly staleDeliveryMs: number;
  /**
   * Memory for the rows of inboxes stored since the start (InboxCache),
   * bytes (default 32 MiB; 0 turns it off). A dump of such an inbox sends
   * without a query; beyond the budget inboxes are read from the table.
   */
  readonly maxCachedBytes: number;
}

export const DEFAULT_SILO_LIMITS: Readonly<SiloLimits> = {
  maxBodySize: 65_535,
  maxStoredHeaders: 4_096,
  dumpPageSize: 500,
  maxInFlight: 128,
  maxInFlightBytes: 64 * 1024,
  reminderBatch: 500,
  staleDeliveryMs: 180_000,
  maxCachedBytes: 32 * 1024 * 1024,
};

/** pino's logger fits. */
export interface SiloLogger {
  warn(msg: string): void;
}

export interface MessageSiloDeps {
  readonly config: MsiloConfig;
  readonly store: SiloStore;
  readonly sender: SiloSender;
  /** Current bindings of an AoR: reminders, compose, dump_to_all_bindings, dumpNow. */
  readonly locator?: SiloLocator;
  readonly clock?: Clock;
  /** Runs the check_time and send_time timers once start() is called. */
  readonly scheduler?: Scheduler;
  /** Registers stored_messages, dumped_messages, failed_messages, dumped_reminders, failed_reminders (module msilo). */
  readonly stats?: StatsRegistry;
  readonly events?: SiloEventSink;
  readonly log?: SiloLogger;
  readonly limits?: Partial<SiloLimits>;
  /**
   * Several nodes share the silo table (usrloc.db_mode 3 scale-out). Then
   * the in-memory SiloIndex is not kept (other nodes store behind this
   * one's back: every dump asks the database) and a dump claims its rows
   * (SiloStore.claim) so that a message goes out from one node only.
   * Default false: this process is the table's only writer.
   */
  readonly shared?: boolean;
}

/** m_store's answer: 202 once committed, or the refusal to send instead. */
export type StoreResult =
  | { readonly ok: true; readonly status: 202; readonly reason: 'Accepted'; readonly id: number }
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly code: SiloErrorCode; readonly detail?: string };

export interface DumpOptions {
  /**
   * The binding(s) that just registered: each stored message goes to each.
   * Absent: dump_to_all_bindings / the locator decide, else the message is
   * sent to its dst_addr for the proxy to route (Kamailio's m_dump).
   */
  readonly destinations?: readonly SiloDestination[];
  /** The REGISTER that triggered the dump: extra_hdrs' pseudo-variables are read from it. */
  readonly register?: SipRequest;
}

export interface DumpReport {
  /** The owner's AoR. */
  readonly owner: string;
  /** Bindings (or routed AoR) each message was sent to. */
  readonly targets: number;
  /** Messages sent. */
  readonly sent: number;
  /** Answered 2xx and deleted. */
  readonly delivered: number;
  /** No 2xx: still stored. */
  readonly failed: number;
  /** Already being delivered by an earlier dump: not sent twice. */
  readonly skipped: number;
}

export type MessageState = 'stored' | 'scheduled' | 'delivering';

/** A message in the admin API's list. */
export interface SiloMessageView extends SiloMessageInfo {
  readonly state: MessageState;
}

/** One message in full (GET /api/messages/:id). */
export interface SiloMessageDetail extends SiloMessageView {
  readonly callId: string;
  readonly body: Buffer;
  /** The body as UTF-8 text for textual types, else null. */
  readonly bodyText: string | null;
  readonly extraHeaders: HeaderLine[];
}

/** Admin list filters (GET /api/messages). */
export interface MessageListQuery {
  /** `sip:user@domain`, `user@domain` or a bare user name. */
  readonly owner?: string;
  /** Sender: a case-insensitive substring of the From URI. */
  readonly from?: string;
  readonly state?: MessageState;
  readonly limit?: number;
  readonly offset?: number;
}

export interface MessageListPage {
  readonly total: number;
  readonly items: SiloMessageView[];
}

/** POST /api/messages. */
export interface ComposeInput {
  /** From URI. */
  readonly from: string;
  /** To: the recipient's AoR (a SIP URI with a user part); also the inbox. */
  readonly to: string;
  readonly body: string | Buffer;
  /** Default text/plain. */
  readonly contentType?: string;
  /** Reminder send time, ms since the epoch (needs send_time > 0 and reminder). */
  readonly sendTime?: number;
}

export type ComposeResult =
  | { readonly outcome: 'delivered'; readonly status: number }
  | { readonly outcome: 'stored' | 'scheduled'; readonly id: number };
