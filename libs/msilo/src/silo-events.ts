import { ownerAor, type SiloRow, type SiloSummaryRow } from './silo-message.js';

/**
 * A stored message as events and admin lists show it: plain JSON, times in
 * milliseconds since the epoch, the body as a short preview.
 */
export interface SiloMessageInfo {
  readonly id: number;
  /** The inbox: `sip:user@domain`. */
  readonly owner: string;
  /** src_addr: who sent it. */
  readonly from: string;
  /** dst_addr: the To URI it was sent to. */
  readonly to: string;
  readonly contentType: string;
  /** When it was stored (inc_time). */
  readonly time: number;
  /** When it expires (exp_time). */
  readonly expires: number;
  /** Reminder send time (snd_time), null for an ordinary offline message. */
  readonly sendTime: number | null;
  readonly bodySize: number;
  readonly bodyPreview: string;
}

/** Events msilo publishes (socket.io forwards them under these names). */
export interface MsiloEventMap {
  /** Committed to the store; the 202 goes out now. */
  'message.stored': SiloMessageInfo;
  /** Delivered (2xx) and deleted from the store; `reminder` for a reminder sent from `reminder`. */
  'message.dumped': SiloMessageInfo & { readonly status: number; readonly reminder: boolean; readonly target: string };
  /** A delivery that did not get a 2xx; the message stays stored (a reminder becomes an offline message). */
  'message.failed': SiloMessageInfo & { readonly status: number; readonly reminder: boolean; readonly target: string };
  /** Discarded by the expiry sweep (expire_time passed). */
  'message.expired': SiloMessageInfo;
  /** Deleted through the admin API. */
  'message.deleted': SiloMessageInfo;
}

export type MsiloEventName = keyof MsiloEventMap;

/**
 * Where events go: an EventBus whose map includes MsiloEventMap fits (the
 * server's bus over PbxEventMap & MsiloEventMap).
 */
export interface SiloEventSink {
  emit<K extends MsiloEventName>(name: K, payload: MsiloEventMap[K]): void;
  /** When present and false, the payload is not built at all. */
  hasListeners?(name: MsiloEventName): boolean;
}

const PREVIEW_CHARS = 120;

/** Bodies shown as text: text/*, CPIM, XML and JSON types. */
export function isTextual(contentType: string): boolean {
  const t = contentType.toLowerCase();
  return t.startsWith('text/') || t.startsWith('message/cpim') || t.includes('+xml') || t.includes('json');
}

/** A one-line preview: the start of a textual body, or `[type, N bytes]`. */
export function bodyPreview(contentType: string, head: Buffer, size: number): string {
  if (!isTextual(contentType)) return `[${contentType}, ${size} bytes]`;
  let text = head.toString('utf8').replace(/\uFFFD+$/, '').replace(/\s+/g, ' ').trim();
  if (text.length > PREVIEW_CHARS) text = text.slice(0, PREVIEW_CHARS - 1) + '…';
  else if (size > head.length) text += '…';
  return text;
}

export function messageInfo(row: SiloRow | SiloSummaryRow): SiloMessageInfo {
  const head = 'body' in row ? row.body.subarray(0, 256) : row.bodyHead;
  const size = 'body' in row ? row.body.length : row.bodySize;
  return {
    id: row.id,
    owner: ownerAor(row),
    from: row.srcAddr,
    to: row.dstAddr,
    contentType: row.contentType,
    time: row.incTime * 1000,
    expires: row.expTime * 1000,
    sendTime: row.sndTime === 0 ? null : row.sndTime * 1000,
    bodySize: size,
    bodyPreview: bodyPreview(row.contentType, head, size),
  };
}
