import { headerId, parseUri, type SipRequest, type SipUri } from '@pbx/sip';
import type { MsiloConfig } from './config.js';
import { formatHeaderBlock, isHeaderName, type HeaderLine } from './header-block.js';
import { SILO_COLUMN_WIDTH, type NewSiloMessage } from './silo-message.js';
import type { SiloErrorCode } from './silo-errors.js';
import { parseSendTime } from './silo-time.js';
import { wireToText } from './wire-text.js';

/** How the routing policy calls m_store / m_store_addrs. */
export interface StoreOptions {
  /**
   * m_store(owner): the inbox, a SIP URI with a user part. Default: the
   * R-URI when it is a full AoR (user@host), else the To URI (seed §1). In
   * failure_route the R-URI is a contact: pass the AoR (`m_store("$ou")`).
   */
  readonly owner?: string;
  /** m_store_addrs srcaddr: stored as the sender instead of the From URI. */
  readonly srcAddr?: string;
  /** m_store_addrs dstaddr: stored as the recipient instead of the To URI. */
  readonly dstAddr?: string;
  /** The request's message flags (Kamailio setflag bits): skip_notification_flag is tested in them. */
  readonly flags?: number;
  /** No offline notification for this message (the direct form of skip_notification_flag). */
  readonly skipNotification?: boolean;
  /** Reminder send time, ms since the epoch; takes precedence over send_time_header. */
  readonly sendTime?: number;
}

export interface Owner {
  readonly username: string;
  readonly domain: string;
}

export type Extracted = { ok: true; message: NewSiloMessage } | { ok: false; code: SiloErrorCode; detail?: string };

export interface ExtractContext {
  readonly config: MsiloConfig;
  /** Unix seconds. */
  readonly now: number;
  readonly maxBodySize: number;
  readonly maxStoredHeaders: number;
  /** Header ids/names to keep (extra_hdrs_avp), null = none. */
  readonly keep: KeepHeaders | null;
}

/** Parses an owner URI: a SIP/SIPS URI with a user part. */
export function ownerOf(uri: string): Owner | null {
  const r = parseUri(uri);
  if (!r.ok || r.uri.kind !== 'sip' || !r.uri.user) return null;
  return ownerOfSipUri(r.uri);
}

/** The owner of a SIP URI: user unescaped, domain lower-cased; null without a user part. */
export function ownerOfSipUri(u: SipUri): Owner | null {
  if (!u.user) return null;
  return { username: wireToText(u.user), domain: wireToText(u.host).toLowerCase() };
}

/** The headers extra_hdrs_avp says to keep: a comma-separated list of names. */
export class KeepHeaders {
  private readonly ids = new Set<number>();
  private readonly names = new Set<string>();
  /** Entries that are not header names (e.g. a Kamailio `$avp(...)` carried over). */
  readonly invalid: string[] = [];

  constructor(list: string) {
    for (const raw of list.split(',')) {
      const n = raw.trim();
      if (n === '') continue;
      if (!isHeaderName(n)) {
        this.invalid.push(n);
        continue;
      }
      const id = headerId(n);
      if (id) this.ids.add(id);
      else this.names.add(n.toLowerCase());
    }
  }

  has(name: string): boolean {
    const id = headerId(name);
    return id ? this.ids.has(id) : this.names.has(name.toLowerCase());
  }

  get size(): number {
    return this.ids.size + this.names.size;
  }
}

function fail(code: SiloErrorCode, detail?: string): Extracted {
  return detail === undefined ? { ok: false, code } : { ok: false, code, detail };
}

/** The owner per seed §1: R-URI when it is an AoR, else the To URI. */
function defaultOwner(req: SipRequest): Owner | null {
  if (req.uri.kind === 'sip' && req.uri.user) return ownerOfSipUri(req.uri);
  try {
    const to = req.to().uri;
    return to.kind === 'sip' ? ownerOfSipUri(to) : null;
  } catch {
    return null;
  }
}

function validAddress(uri: string): boolean {
  return parseUri(uri).ok && !/[\s<>]/.test(uri);
}

/**
 * m_store's reading of a MESSAGE: everything that goes into the silo row,
 * or the reason it cannot be stored. Pure: no I/O, no clock (ctx.now).
 */
export function extractMessage(req: SipRequest, opts: StoreOptions, ctx: ExtractContext): Extracted {
  const cfg = ctx.config;
  const body = req.body;
  if (body.length === 0) return fail('empty_body');
  if (body.length > ctx.maxBodySize) return fail('body_too_large', `${body.length} bytes, at most ${ctx.maxBodySize}`);

  let owner: Owner | null;
  if (opts.owner !== undefined) {
    owner = ownerOf(opts.owner);
    if (!owner) return fail('bad_owner', opts.owner);
  } else {
    owner = defaultOwner(req);
    if (!owner) return fail('no_owner');
  }

  let srcAddr: string;
  let dstAddr: string;
  try {
    srcAddr = opts.srcAddr ?? wireToText(req.from().uri.toString());
    dstAddr = opts.dstAddr ?? wireToText(req.to().uri.toString());
  } catch (e) {
    return fail('bad_address', e instanceof Error ? e.message : String(e));
  }
  // Addresses given by the caller are checked; those printed from the parsed From/To are valid SIP URIs already.
  if (opts.srcAddr !== undefined && !validAddress(srcAddr)) return fail('bad_address', srcAddr);
  if (opts.dstAddr !== undefined && !validAddress(dstAddr)) return fail('bad_address', dstAddr);
  if (srcAddr.length > SILO_COLUMN_WIDTH.src_addr || dstAddr.length > SILO_COLUMN_WIDTH.dst_addr) return fail('address_too_long');
  if (owner.username.length > SILO_COLUMN_WIDTH.username || owner.domain.length > SILO_COLUMN_WIDTH.domain) return fail('address_too_long');

  let contentType: string;
  try {
    const ct = req.contentType();
    if (!ct) return fail('missing_content_type');
    // The full value keeps the charset; the bare media type when that does not fit the column.
    const full = wireToText(ct.toString());
    contentType = full.length <= SILO_COLUMN_WIDTH.ctype ? full : ct.mediaType;
    if (contentType.length > SILO_COLUMN_WIDTH.ctype) return fail('content_type_too_long', ct.mediaType);
  } catch {
    return fail('missing_content_type', 'unreadable Content-Type');
  }

  // expire_time, shortened by the MESSAGE's own Expires (m_store: the smaller wins).
  let lifetime = cfg.expire_time;
  try {
    const e = req.expires();
    if (e !== undefined && e > 0) lifetime = Math.min(lifetime, e);
  } catch {
    // An unreadable Expires is ignored, as Kamailio's atoi would.
  }

  // snd_time_avp, read from send_time_header (or given by the API). Only when
  // reminders are on: otherwise a reminder would never be sent, nor dumped.
  let sndTime = 0;
  if (cfg.send_time > 0 && cfg.reminder !== undefined) {
    if (opts.sendTime !== undefined) {
      if (!Number.isFinite(opts.sendTime) || opts.sendTime <= 0) return fail('bad_send_time', String(opts.sendTime));
      sndTime = Math.max(1, Math.floor(opts.sendTime / 1000));
    } else {
      const h = req.get(cfg.send_time_header);
      if (h !== undefined) {
        const t = parseSendTime(h);
        if (t === null) return fail('bad_send_time', `${cfg.send_time_header}: ${h}`);
        sndTime = t;
      }
    }
  }

  const extra: HeaderLine[] = [];
  if (ctx.keep && ctx.keep.size > 0) {
    for (const h of req.headers()) {
      if (ctx.keep.has(h.name) && h.name.toLowerCase() !== cfg.send_time_header.toLowerCase()) extra.push([h.name, wireToText(h.value)]);
    }
  }
  const extraHdrs = formatHeaderBlock(extra);
  if (extraHdrs.length > ctx.maxStoredHeaders) return fail('headers_too_large', `${extraHdrs.length} characters`);

  let callId = '';
  if (cfg.use_mode === 1) {
    try {
      const c = wireToText(req.callId());
      // A Call-ID too long for the column is not reused: delivery then gets a fresh one.
      if (c.length <= SILO_COLUMN_WIDTH.callid) callId = c;
    } catch {
      callId = '';
    }
  }

  // A reminder's lifetime starts when it is due, or it could expire unsent.
  const start = sndTime > ctx.now ? sndTime : ctx.now;
  return {
    ok: true,
    message: {
      srcAddr,
      dstAddr,
      username: owner.username,
      domain: owner.domain,
      incTime: ctx.now,
      expTime: start + lifetime,
      sndTime,
      contentType,
      body: Buffer.from(body),
      extraHdrs,
      callId,
    },
  };
}
