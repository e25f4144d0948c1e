import type { SipRequest } from '@pbx/sip';
import { buildMessageRequest } from './build-message-request.js';
import type { MsiloConfig } from './config.js';
import { parseHeaderBlock, type HeaderLine } from './header-block.js';
import { ownerAor, type SiloRow } from './silo-message.js';
import { ctimeText, sipDate } from './silo-time.js';

/** Where one delivery goes: the Request-URI and the route set of the binding. */
export interface DeliveryTarget {
  readonly requestUri: string;
  readonly route?: readonly string[];
}

function isTextPlain(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === 'text/plain';
}

/**
 * add_date's body prefix: `[Offline message - Wed Jun  3 21:49:08 1993] `
 * (or `[Reminder message - …] `), only on text/plain bodies: prefixing
 * anything else would corrupt it (Kamailio prefixes reminders of any type;
 * we do not).
 */
export function prefixedBody(kind: 'dump' | 'reminder', time: number, contentType: string, body: Buffer): Buffer {
  if (!isTextPlain(contentType)) return body;
  const label = kind === 'dump' ? 'Offline message' : 'Reminder message';
  return Buffer.concat([Buffer.from(`[${label} - ${ctimeText(time)}] `, 'latin1'), body]);
}

/**
 * The MESSAGE m_dump sends for a stored row:
 *
 *   MESSAGE <contact, or dst_addr when a proxy routes it>
 *   From: <src_addr>;tag=…     To: <dst_addr>
 *   Call-ID: stored one when use_mode=1, else new
 *   Date: inc_time (add_date=1)
 *   Contact: <src_addr>;msilo=yes (add_contact=1)
 *   extra_hdrs (expanded by the caller), then the stored extra headers
 *   Content-Type: ctype
 *   body, prefixed with the stored date (add_date=1, date_in_header=false, text/plain)
 *
 * add_date=0 delivers the message unchanged: no prefix and no Date header
 * (Kamailio adds the Date header even then; "unchanged" is what the
 * parameter promises). Throws MessageBuildError for an unusable row.
 */
export function buildDumpRequest(row: SiloRow, target: DeliveryTarget, cfg: MsiloConfig, extraHdrs: readonly HeaderLine[]): SipRequest {
  const headers: HeaderLine[] = [];
  if (cfg.add_date === 1) headers.push(['Date', sipDate(row.incTime)]);
  if (cfg.add_contact === 1) headers.push(['Contact', `<${row.srcAddr}>;msilo=yes`]);
  for (const h of extraHdrs) headers.push(h);
  if (row.extraHdrs !== '') for (const h of parseHeaderBlock(row.extraHdrs).lines) headers.push(h);
  const body = cfg.add_date === 1 && !cfg.date_in_header ? prefixedBody('dump', row.incTime, row.contentType, row.body) : row.body;
  // One object shape, no conditional spreads: this runs once per delivered message.
  return buildMessageRequest({
    requestUri: target.requestUri,
    from: row.srcAddr,
    to: row.dstAddr,
    callId: cfg.use_mode === 1 && row.callId !== '' ? row.callId : undefined,
    route: target.route,
    headers,
    contentType: row.contentType,
    body,
  });
}

/**
 * The MESSAGE the reminder timer sends (m_send_ontimer): From `reminder`,
 * To the owner's AoR, no Date and no stored headers (as Kamailio), the body
 * prefixed with the send time when add_date=1 (text/plain only).
 */
export function buildReminderRequest(row: SiloRow, target: DeliveryTarget, cfg: MsiloConfig): SipRequest {
  const reminder = cfg.reminder!;
  const headers: HeaderLine[] = [];
  if (cfg.add_contact === 1) headers.push(['Contact', `<${reminder}>;msilo=yes`]);
  const body = cfg.add_date === 1 ? prefixedBody('reminder', row.sndTime, row.contentType, row.body) : row.body;
  return buildMessageRequest({
    requestUri: target.requestUri,
    from: reminder,
    to: ownerAor(row),
    ...(target.route ? { route: target.route } : {}),
    headers,
    contentType: row.contentType,
    body,
  });
}

/**
 * What a delivered MESSAGE carries besides its stored body and headers:
 * request line, Via, Max-Forwards, From, To, Call-ID, CSeq, Content-Type,
 * Content-Length and, with add_date, the date (~320–400 bytes for typical
 * URIs), rounded up.
 */
const MESSAGE_HEAD_BYTES = 400;

/** About the bytes a stored message takes on the wire when delivered: what the delivery window counts. */
export function wireSizeOf(row: SiloRow): number {
  return MESSAGE_HEAD_BYTES + row.body.length + row.extraHdrs.length;
}
