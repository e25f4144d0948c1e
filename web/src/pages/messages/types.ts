/**
 * Shapes of the offline message store API (`/api/messages`, msilo's silo
 * table) and of its socket.io events. Times are epoch seconds.
 */

/**
 * stored: waiting for the recipient to register (or for its reminder time);
 * delivered: the recipient's phone answered 2xx; failed: a delivery attempt
 * was refused; expired: msilo.expire_time passed before delivery.
 * msilo's own words for a waiting message (scheduled: a reminder not yet
 * due; delivering: sent, answer pending) are shown as they come.
 */
export type MessageState = 'stored' | 'delivered' | 'failed' | 'expired' | 'scheduled' | 'delivering';
/**
 * The states the list can be filtered by: what a row in the silo can be.
 * Delivered and expired messages leave the silo, so they are only seen live.
 */
export const MESSAGE_STATES = ['stored', 'scheduled', 'delivering'] as const;
/** States a message does not leave: msilo deletes it from the silo on reaching them. */
export const FINAL_STATES: ReadonlySet<MessageState> = new Set(['delivered', 'expired']);

export interface SiloMessage {
  id: number;
  /** src_addr: who sent it. */
  from: string;
  /** dst_addr: the recipient. */
  to: string;
  body: string;
  contentType: string;
  state: MessageState;
  /** inc_time. */
  storedAt: number;
  /** snd_time: when a reminder is due; null for an ordinary offline message. */
  sendTime: number | null;
  /** exp_time. */
  expiresAt: number;
  /** Delivery attempts so far (when the server counts them). */
  attempts?: number;
  /** The body's size in bytes; `body` may then be only its first line (the full text is on GET /api/messages/:id). */
  bodySize?: number;
}

export interface MessagePage {
  items: SiloMessage[];
  total: number;
}

export interface MessageFilters {
  to: string;
  from: string;
  state: (typeof MESSAGE_STATES)[number] | '';
}

export interface NewMessage {
  to: string;
  from: string;
  body: string;
  /** Epoch seconds: send then, as a reminder, instead of at the next registration. */
  sendTime?: number;
}

/** `POST /api/messages`: the stored message, or only the outcome when the recipient was reachable and took it at once. */
export type ComposeResult = Partial<SiloMessage> & { outcome?: 'stored' | 'delivered' };

/** The silo's socket.io events, and the state each one means. */
export const MESSAGE_EVENTS = {
  'message.stored': 'stored',
  'message.dumped': 'delivered',
  'message.failed': 'failed',
  'message.expired': 'expired',
  'message.deleted': null,
} as const satisfies Record<string, MessageState | null>;

export type MessageEventName = keyof typeof MESSAGE_EVENTS;

/** Payload of every message event: the message's id, parties and state, and possibly more of its fields. */
export type MessageEvent = Partial<SiloMessage> & { id: number };
