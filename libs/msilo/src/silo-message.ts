/**
 * One row of Kamailio's `silo` table (msilo, table version 8), as the engine
 * sees it. Times are Unix seconds, as in the table; the admin views convert
 * them to milliseconds.
 *
 * Column          field        meaning
 * id              id           message id, ascending in storage order
 * src_addr        srcAddr      From URI of the stored MESSAGE (or m_store_addrs' srcaddr)
 * dst_addr        dstAddr      To URI of the stored MESSAGE (or m_store_addrs' dstaddr)
 * username        username     owner (inbox) user
 * domain          domain       owner (inbox) host, lower case
 * inc_time        incTime      when it was stored
 * exp_time        expTime      when it is discarded unless delivered (expire_time)
 * snd_time        sndTime      reminder send time, 0 = an ordinary offline message
 * ctype           contentType  Content-Type value (media type, parameters kept when they fit)
 * body            body         the body, bytes as received
 * extra_hdrs      extraHdrs    stored headers, each `Name: value\r\n` (extra_hdrs_avp)
 * callid          callId       Call-ID to reuse on delivery (use_mode=1), '' = none
 * status          status       SILO_STATUS_STORED, or a node's claim (see below)
 */
export interface NewSiloMessage {
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly username: string;
  readonly domain: string;
  readonly incTime: number;
  readonly expTime: number;
  readonly sndTime: number;
  readonly contentType: string;
  readonly body: Buffer;
  readonly extraHdrs: string;
  readonly callId: string;
}

export interface SiloRow extends NewSiloMessage {
  readonly id: number;
  readonly status: number;
}

/**
 * A row without its full body (lists, sweeps): `bodyHead` holds the first
 * BODY_HEAD_BYTES bytes, `bodySize` the full length.
 */
export interface SiloSummaryRow extends Omit<SiloRow, 'body' | 'extraHdrs'> {
  readonly bodyHead: Buffer;
  readonly bodySize: number;
}

/** Bytes of the body read for previews. */
export const BODY_HEAD_BYTES = 256;

/**
 * The `status` column. Kamailio 5.6 declares it (sc_status) but never writes
 * it. A row in the table is a message not yet delivered; on one node
 * whether a delivery is in progress is kept in memory (it does not survive a
 * restart, and must not: after a restart the message is simply sent again)
 * and status stays SILO_STATUS_STORED. With several nodes on one table
 * (MessageSilo `shared`), a node delivering a row writes the end of its
 * claim there (Unix seconds, SiloStore.claim): other nodes skip the row
 * until then; it is set back to SILO_STATUS_STORED when the delivery fails.
 */
export const SILO_STATUS_STORED = 0;

/** Widths of the silo table's varchar columns (migrations, initial schema). */
export const SILO_COLUMN_WIDTH = {
  src_addr: 255,
  dst_addr: 255,
  username: 64,
  domain: 64,
  ctype: 32,
  callid: 128,
} as const;

export function summarize(row: SiloRow): SiloSummaryRow {
  const { body, extraHdrs: _extra, ...rest } = row;
  return { ...rest, bodyHead: body.subarray(0, BODY_HEAD_BYTES), bodySize: body.length };
}

/** `sip:user@domain`, the owner's AoR. */
export function ownerAor(row: Pick<NewSiloMessage, 'username' | 'domain'>): string {
  return `sip:${row.username}@${row.domain}`;
}
