import { randomBytes } from 'node:crypto';
import type { DigestAuthenticator } from '@pbx/sip';
import type { FrameHead } from '../frame/frame-head.js';
import { MsrpFramer, type ContinuationFlag } from '../frame/msrp-framer.js';
import { hostPort, parseMsrpUri, sessionOf, type MsrpUri } from '../frame/msrp-uri.js';
import type { MsrpConfig } from '../config.js';
import { ConnectionMap } from './connection-map.js';
import type { MsrpSession, MsrpSessionView } from './msrp-session.js';
import { RELAY_ERRORS, type RelayErrorCode } from './relay-error.js';
import type { LinkHandler, RelayLink } from './relay-link.js';
import { RelayPeer, type PendingTransaction } from './relay-peer.js';
import type { MsrpStats } from './msrp-stats.js';
import { newSessionId } from './session-id.js';

/** The relay's events (the appliance forwards them to the dashboard). */
export interface MsrpEventMap {
  'msrp.session.opened': MsrpSessionView;
  'msrp.session.closed': MsrpSessionView & { reason: string };
  'msrp.session.expired': MsrpSessionView;
}

export interface MsrpRelayOptions {
  config: MsrpConfig;
  /** Digest check of AUTH against the subscribers; undefined = open relay (no challenge, like the bench cfg). */
  auth: DigestAuthenticator | undefined;
  /** Digest realm of AUTH challenges. */
  realm: string;
  clock: { now(): number };
  stats: MsrpStats;
  events?: { emit<K extends keyof MsrpEventMap>(name: K, payload: MsrpEventMap[K]): void };
  /**
   * Opens a link to the next hop of a URI (To-Paths with more than one hop
   * left): the transport attaches it (`attach`) and returns its peer; null
   * when the scheme/transport cannot be served.
   */
  connect(uri: MsrpUri): RelayPeer | null;
  log?: { debug?(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Max header bytes of a frame (default 16 KiB). */
  maxHeadSize?: number;
}

/** RFC 4975 §7.1.1: a hop that has not answered a request within 30 s has failed it (408). */
export const TRANSACTION_TIMEOUT_MS = 30_000;
/** Forwarded transactions tracked per link; beyond it failure reports are not generated (bounded memory). */
const MAX_PENDING_PER_LINK = 8_192;
const CRLF = '\r\n';

/**
 * The MSRP relay (RFC 4976), with the policy of the Kamailio msrp module's
 * connection-map example (seeds/kamailio-msrp.txt, example 1.18):
 *
 *   reply                      → relayed back to the hop the request came from
 *   AUTH, nexthops > 0         → relayed to the next hop
 *   AUTH, for us               → digest (401), Expires bounds (423), msrp_cmap_save, 200 + Use-Path
 *   SEND/REPORT, nexthops > 1  → 200 (SEND), relayed to the next hop by URI (new connection allowed)
 *   SEND/REPORT, nexthops = 1  → msrp_cmap_lookup: 200 (SEND) and relayed over the saved
 *                                connection (relay flag 1: no new connection), else 481
 *   other methods              → 501
 *
 * Bodies are streamed: the head is rewritten and written out as soon as it
 * is parsed, body slices follow as they arrive, and a congested next hop
 * pauses the sender. Nothing here waits on I/O other than the sockets.
 */
export class MsrpRelay {
  readonly cmap = new ConnectionMap();
  private readonly peers = new Set<RelayPeer>();
  private readonly outbound = new Map<string, RelayPeer>();
  private dirty: RelayPeer[] = [];
  private readonly maxHead: number;

  constructor(private readonly o: MsrpRelayOptions) {
    this.maxHead = o.maxHeadSize ?? 16 * 1024;
  }

  get connections(): number {
    return this.peers.size;
  }

  /** A new connection (accepted or opened by us): returns where its bytes and close go. */
  attach(link: RelayLink): LinkHandler & { peer: RelayPeer } {
    const peer = new RelayPeer(link, (p) => new MsrpFramer(this.sink(p), { maxHeadSize: this.maxHead }));
    this.peers.add(peer);
    this.o.stats.connections.inc();
    return {
      peer,
      data: (chunk) => {
        peer.bytesIn += chunk.length;
        peer.framer.push(chunk);
        this.flush();
      },
      closed: (reason) => this.detach(peer, reason),
    };
  }

  /** Sessions for the admin API. */
  sessions(): MsrpSessionView[] {
    return [...this.cmap.values()].map((s) => this.view(s));
  }

  session(id: string): MsrpSessionView | undefined {
    const s = this.cmap.lookup(id);
    return s ? this.view(s) : undefined;
  }

  /** Admin close: drops the session and its client's connection. */
  closeSession(id: string, reason = 'closed by admin'): boolean {
    const s = this.cmap.lookup(id);
    if (!s) return false;
    this.removeSession(s, reason);
    s.peer.link.close(reason);
    return true;
  }

  /**
   * The timer_interval task: expired sessions and those whose connection
   * died leave the map; forwarded transactions older than 30 s fail (408).
   */
  sweep(): void {
    const now = this.o.clock.now();
    for (const s of this.cmap.expired(now)) {
      if (s.peer.link.closed) this.removeSession(s, 'connection closed');
      else {
        this.cmap.delete(s.id);
        s.peer.sessions.delete(s);
        this.o.stats.expired.inc();
        this.o.events?.emit('msrp.session.expired', this.view(s));
      }
    }
    this.sweepTransactions(now);
  }

  /** Transactions only: cheap enough to run every second. */
  sweepTransactions(now = this.o.clock.now()): void {
    for (const p of this.peers) {
      if (p.pending.size === 0) continue;
      for (const [tid, t] of p.pending) {
        if (now - t.at < TRANSACTION_TIMEOUT_MS) break;
        p.pending.delete(tid);
        this.failed(tid, t, 'timeout');
      }
    }
    this.flush();
  }

  /** Closes every connection (shutdown). */
  closeAll(reason: string): void {
    for (const p of [...this.peers]) p.link.close(reason);
  }

  view(s: MsrpSession): MsrpSessionView {
    const l = s.peer.link;
    return {
      id: s.id,
      user: s.user,
      uri: s.uri,
      peer: hostPort(l.remoteAddress, l.remotePort),
      transport: l.transport,
      connectionId: l.id,
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
      framesIn: s.peer.framesIn,
      bytesIn: s.peer.bytesIn,
      framesOut: s.peer.framesOut,
      bytesOut: s.peer.bytesOut,
    };
  }

  // ---- frames ------------------------------------------------------------

  private sink(peer: RelayPeer) {
    return {
      head: (h: FrameHead) => this.onHead(peer, h),
      body: (chunk: Buffer) => {
        const a = peer.action;
        if (a.kind === 'forward') {
          if (a.dest.link.closed) {
            this.destinationLost(peer);
            return;
          }
          a.dest.link.write(chunk);
          a.dest.bytesOut += chunk.length;
          this.o.stats.bytes.inc(chunk.length);
          this.markDirty(a.dest);
          // One huge chunk must not pile up either: the sender waits mid-body for the next hop.
          if (a.dest.link.congested) this.backpressure(peer, a.dest);
        }
      },
      end: (flag: ContinuationFlag) => this.onEnd(peer, flag),
      lost: (reason: string, h: FrameHead | null) => {
        this.o.stats.badFrames.inc();
        this.o.log?.debug?.({ connectionId: peer.link.id, reason }, 'MSRP framing lost');
        // RFC 4975 §7.3: answer 400 where a response can be built; the stream is unusable after that.
        if (h !== null && h.isRequest && h.fromPath.length > 0 && h.toPath.length > 0) {
          this.reply(peer, h, 400, `Bad Request (${reason})`, '');
        }
        this.abortForward(peer);
        this.flush();
        peer.link.close(`framing error: ${reason}`);
      },
    };
  }

  private onHead(peer: RelayPeer, h: FrameHead): void {
    peer.framesIn++;
    if (h.invalid !== null) {
      this.o.stats.badFrames.inc();
      peer.action = h.isRequest ? { kind: 'reply', head: h, status: 400, comment: `Bad Request (${h.invalid})`, extra: '' } : { kind: 'drop' };
      return;
    }
    if (!h.isRequest) {
      this.onResponse(peer, h);
      return;
    }
    const nexthops = h.toPath.length - 1;
    switch (h.method) {
      case 'AUTH':
        if (nexthops === 0) {
          peer.action = { kind: 'auth', head: h };
          return;
        }
        // RFC 4976 §5.2: an AUTH for a further relay goes through the client's session with us,
        // so no one but our own clients can make this relay open connections.
        if (this.ownSession(peer, h) === undefined) return;
        this.forwardByUri(peer, h, 'auth');
        return;
      case 'SEND':
      case 'REPORT': {
        if (nexthops < 1) {
          this.refuse(peer, h, 'bad_request');
          return;
        }
        if (nexthops > 1) {
          if (this.ownSession(peer, h) !== undefined) this.forwardByUri(peer, h, 'send');
          return;
        }
        // msrp_cmap_lookup: the session of our URI in To-Path names the connection to deliver on.
        const session = this.session0(h);
        if (session === undefined) {
          this.refuse(peer, h, 'session_not_found');
          return;
        }
        this.forward(peer, h, session.peer, 'send');
        return;
      }
      default:
        this.refuse(peer, h, 'method_not_understood');
    }
  }

  /** The live session named by the first To-Path URI (this relay's), if any. */
  private session0(h: FrameHead): MsrpSession | undefined {
    const sid = sessionOf(h.toPath[0]!);
    const s = sid === null ? undefined : this.cmap.lookup(sid);
    return s === undefined || s.peer.link.closed ? undefined : s;
  }

  /**
   * For requests going on to a further hop: the session in To-Path must be
   * one this relay gave to the client on this very connection (RFC 4976
   * §7.1), else 481 (unknown) or 403 (someone else's). Refuses and returns
   * undefined when not.
   */
  private ownSession(peer: RelayPeer, h: FrameHead): MsrpSession | undefined {
    const s = this.session0(h);
    if (s === undefined) this.refuse(peer, h, 'session_not_found');
    else if (s.peer !== peer) this.refuse(peer, h, 'forbidden');
    else return s;
    return undefined;
  }

  /** Answer at the end of the frame (REPORTs never get responses: RFC 4975 §7.1.2). */
  private refuse(peer: RelayPeer, h: FrameHead, code: RelayErrorCode): void {
    if (code === 'session_not_found') this.o.stats.noSession.inc();
    // RFC 4975 §7.1.2: REPORTs are never answered, and Failure-Report "no" asks for no response at all.
    if (h.method === 'REPORT' || (code !== 'bad_request' && h.get('Failure-Report')?.toLowerCase() === 'no')) {
      peer.action = { kind: 'drop' };
      return;
    }
    const e = RELAY_ERRORS[code];
    peer.action = { kind: 'reply', head: h, status: e.status, comment: e.comment, extra: '' };
  }

  /** Next hop by the second To-Path URI: an existing link we opened to it, else a new one. */
  private forwardByUri(peer: RelayPeer, h: FrameHead, kind: 'send' | 'auth'): void {
    const uri = parseMsrpUri(h.toPath[1]!);
    if (uri === null) {
      this.refuse(peer, h, 'bad_request');
      return;
    }
    const key = `${uri.scheme}://${hostPort(uri.host, uri.port || 2855)};${uri.transport}`;
    let dest = this.outbound.get(key);
    if (dest === undefined || dest.link.closed) {
      dest = this.o.connect(uri) ?? undefined;
      if (dest === undefined) {
        peer.action = { kind: 'reply', head: h, status: 408, comment: RELAY_ERRORS.timeout.comment, extra: '' };
        return;
      }
      dest.outboundKey = key;
      this.outbound.set(key, dest);
    }
    this.forward(peer, h, dest, kind);
  }

  /**
   * RFC 4976 §7.1: remove this relay's URI from the top of To-Path and put
   * it at the top of From-Path; everything else passes unchanged, the body
   * streams behind the head.
   */
  private forward(peer: RelayPeer, h: FrameHead, dest: RelayPeer, kind: 'send' | 'auth'): void {
    const self = h.toPath[0]!;
    const fr = kind === 'send' ? (h.get('Failure-Report')?.toLowerCase() ?? 'yes') : 'yes';
    if (h.method === 'SEND' && fr === 'yes') {
      // Hop-by-hop transaction: our 200 now (seed example: msrp_reply("200", "OK") before msrp_relay()).
      this.reply(peer, h, 200, 'OK', '');
    }
    if (fr !== 'no' && h.method !== 'REPORT' && dest.pending.size < MAX_PENDING_PER_LINK) {
      dest.pending.set(h.tid, {
        source: peer,
        kind,
        fromPath: h.fromPath,
        self,
        messageId: h.get('Message-ID'),
        byteRange: h.get('Byte-Range'),
        failureReport: fr,
        at: this.o.clock.now(),
      });
    }
    let s = `MSRP ${h.tid} ${h.method}${CRLF}To-Path: ${h.toPath.slice(1).join(' ')}${CRLF}From-Path: ${self} ${h.fromPath.join(' ')}${CRLF}`;
    for (const l of h.lines) s += l + CRLF;
    if (h.hasBody) s += CRLF;
    dest.link.write(Buffer.from(s, 'latin1'));
    dest.framesOut++;
    this.o.stats.frames.inc();
    this.markDirty(dest);
    peer.action = { kind: 'forward', dest, head: h };
  }

  private onEnd(peer: RelayPeer, flag: ContinuationFlag): void {
    const a = peer.action;
    peer.action = DROP;
    switch (a.kind) {
      case 'forward': {
        if (a.dest.link.closed) {
          peer.action = a;
          this.destinationLost(peer);
          peer.action = DROP;
          return;
        }
        a.dest.link.write(Buffer.from(`${a.head.hasBody ? CRLF : ''}-------${a.head.tid}${flag}${CRLF}`, 'latin1'));
        a.dest.link.endFrame();
        this.markDirty(a.dest);
        if (a.dest.link.congested) this.backpressure(peer, a.dest);
        return;
      }
      case 'reply':
        this.reply(peer, a.head, a.status, a.comment, a.extra);
        return;
      case 'auth':
        this.auth(peer, a.head);
        return;
      case 'drop':
        return;
    }
  }

  /** The next hop went away in the middle of a frame: the rest is dropped and the sender told. */
  private destinationLost(peer: RelayPeer): void {
    const a = peer.action;
    if (a.kind !== 'forward') return;
    peer.action = DROP;
    const t = a.dest.pending.get(a.head.tid);
    if (t !== undefined) {
      a.dest.pending.delete(a.head.tid);
      this.failed(a.head.tid, t, 'session_not_found');
    }
  }

  private abortForward(peer: RelayPeer): void {
    const a = peer.action;
    if (a.kind === 'forward' && !a.dest.link.closed) {
      // The next hop has half a frame: end it as aborted (RFC 4975 §7.1: "#" = chunk aborted).
      a.dest.link.write(Buffer.from(`${a.head.hasBody ? CRLF : ''}-------${a.head.tid}#${CRLF}`, 'latin1'));
      a.dest.link.endFrame();
      this.markDirty(a.dest);
    }
    peer.action = DROP;
  }

  /** A sender whose next hop is congested stops being read until that buffer drains. */
  private backpressure(src: RelayPeer, dest: RelayPeer): void {
    if (dest.waiting.has(src)) return;
    dest.waiting.add(src);
    src.link.pause();
    if (dest.waiting.size === 1) {
      dest.link.onDrain(() => {
        for (const w of dest.waiting) w.link.resume();
        dest.waiting.clear();
      });
    }
  }

  // ---- responses ----------------------------------------------------------

  /**
   * A response from a next hop. To a SEND we answered ourselves (hop by
   * hop), a 200 ends the transaction and a failure becomes a REPORT to the
   * sender (RFC 4975 §7.1.2, RFC 4976 §7.2); a response to a relayed AUTH
   * goes back to the client with the paths turned round.
   */
  private onResponse(peer: RelayPeer, h: FrameHead): void {
    peer.action = DROP;
    const t = peer.pending.get(h.tid);
    if (t === undefined) {
      this.o.stats.strayResponses.inc();
      return;
    }
    peer.pending.delete(h.tid);
    if (t.kind === 'send') {
      if (h.status !== 200) this.failureReport(t, h.status, h.comment);
      return;
    }
    if (t.source.link.closed) return;
    let s = `MSRP ${h.tid} ${h.status}${h.comment ? ' ' + h.comment : ''}${CRLF}To-Path: ${t.fromPath[0]}${CRLF}From-Path: ${t.self}${CRLF}`;
    for (const l of h.lines) s += l + CRLF;
    s += `-------${h.tid}$${CRLF}`;
    this.send(t.source, s);
  }

  /** A forwarded transaction failed without a response: AUTH gets the status as its response, SEND a failure REPORT. */
  private failed(tid: string, t: PendingTransaction, code: RelayErrorCode): void {
    const e = RELAY_ERRORS[code];
    if (t.kind === 'send') {
      this.failureReport(t, e.status, e.comment);
      return;
    }
    if (t.source.link.closed) return;
    this.send(t.source, `MSRP ${tid} ${e.status} ${e.comment}${CRLF}To-Path: ${t.fromPath[0]}${CRLF}From-Path: ${t.self}${CRLF}-------${tid}$${CRLF}`);
  }

  /**
   * RFC 4975 §7.1.2: a failure REPORT to the sender, To-Path its From-Path,
   * with the Message-ID and Byte-Range of the failed chunk and
   * `Status: 000 <code> <comment>`. Sent only if Failure-Report asked for one.
   */
  private failureReport(t: PendingTransaction, status: number, comment: string): void {
    if (t.failureReport === 'no' || t.source.link.closed) return;
    const tid = newTid();
    let s = `MSRP ${tid} REPORT${CRLF}To-Path: ${t.fromPath.join(' ')}${CRLF}From-Path: ${t.self}${CRLF}`;
    if (t.messageId !== undefined) s += `Message-ID: ${t.messageId}${CRLF}`;
    if (t.byteRange !== undefined) s += `Byte-Range: ${t.byteRange}${CRLF}`;
    s += `Status: 000 ${status} ${comment}${CRLF}-------${tid}$${CRLF}`;
    this.o.stats.failureReports.inc();
    this.send(t.source, s);
  }

  // ---- AUTH ---------------------------------------------------------------

  /**
   * RFC 4976 §5: AUTH for this relay. Digest first (401 with
   * WWW-Authenticate), then Expires within auth_min_expires..auth_max_expires
   * (423 with Min-Expires / Max-Expires), then msrp_cmap_save and 200 with
   * Use-Path (this relay's URI for the client's own connection, plus a new
   * session-id) and Expires.
   */
  private auth(peer: RelayPeer, h: FrameHead): void {
    const cfg = this.o.config;
    let user: string | null = null;
    if (this.o.auth !== undefined) {
      const r = this.o.auth.authenticate({
        method: 'AUTH',
        requestUri: h.toPath[0]!,
        realm: this.o.realm,
        authorization: h.getAll('Authorization'),
        proxy: false,
      });
      if (!r.ok) {
        this.o.stats.authChallenges.inc();
        const extra = r.challenges.map((c) => `WWW-Authenticate: ${c}${CRLF}`).join('');
        const status = r.status === 407 ? 401 : r.status;
        this.reply(peer, h, status, status === 401 ? 'Unauthorized' : r.reason, extra);
        return;
      }
      user = r.username;
    }
    const exp = h.get('Expires');
    let expires = cfg.auth_max_expires;
    if (exp !== undefined) {
      if (!/^\d{1,10}$/.test(exp)) {
        this.reply(peer, h, 400, 'Bad Request (Expires)', '');
        return;
      }
      expires = Number(exp);
      const e = RELAY_ERRORS.interval_out_of_bounds;
      if (expires < cfg.auth_min_expires) {
        this.reply(peer, h, e.status, e.comment, `Min-Expires: ${cfg.auth_min_expires}${CRLF}`);
        return;
      }
      if (expires > cfg.auth_max_expires) {
        this.reply(peer, h, e.status, e.comment, `Max-Expires: ${cfg.auth_max_expires}${CRLF}`);
        return;
      }
    }
    const id = newSessionId();
    const now = this.o.clock.now();
    const session: MsrpSession = { id, user, uri: this.useUri(peer, id), peer, createdAt: now, expiresAt: now + expires * 1000 };
    this.cmap.save(session);
    peer.sessions.add(session);
    this.o.stats.sessions.inc();
    this.reply(peer, h, 200, 'OK', `Use-Path: ${session.uri}${CRLF}Expires: ${expires}${CRLF}`);
    this.o.events?.emit('msrp.session.opened', this.view(session));
  }

  /**
   * This relay's URI for a client (RFC 4976 §5.1): use_path_addr or the
   * address the client reached us on, the scheme and transport of the
   * client's own connection (a plain-TCP client is never told msrps).
   */
  private useUri(peer: RelayPeer, session: string): string {
    const addr = this.o.config.use_path_addr?.replace(/^msrps?:\/\//i, '');
    const local = addr ?? hostPort(unmapV4(peer.link.localAddress), peer.link.localPort);
    return `${peer.scheme}://${local}/${session};${peer.uriTransport}`;
  }

  // ---- output -------------------------------------------------------------

  /** RFC 4975 §7.2: a response goes to the previous hop, To-Path its From-Path's first URI, From-Path the URI it was sent to. */
  private reply(peer: RelayPeer, h: FrameHead, status: number, comment: string, extra: string): void {
    if (peer.link.closed) return;
    this.o.stats.replies.inc();
    const to = h.fromPath[0] ?? '';
    const from = h.toPath[0] ?? '';
    this.send(peer, `MSRP ${h.tid} ${status} ${comment}${CRLF}To-Path: ${to}${CRLF}From-Path: ${from}${CRLF}${extra}-------${h.tid}$${CRLF}`);
  }

  private send(peer: RelayPeer, text: string): void {
    peer.link.write(Buffer.from(text, 'latin1'));
    peer.link.endFrame();
    this.markDirty(peer);
  }

  private markDirty(p: RelayPeer): void {
    if (p.dirty) return;
    p.dirty = true;
    this.dirty.push(p);
  }

  /** Sends what the frames of one read produced, one batch per link. */
  flush(): void {
    if (this.dirty.length === 0) return;
    const list = this.dirty;
    this.dirty = [];
    for (const p of list) {
      p.dirty = false;
      if (!p.link.closed) p.link.flush();
    }
  }

  // ---- connection end -----------------------------------------------------

  private detach(peer: RelayPeer, reason: string): void {
    if (!this.peers.delete(peer)) return;
    this.o.stats.connections.dec();
    if (peer.outboundKey !== null && this.outbound.get(peer.outboundKey) === peer) this.outbound.delete(peer.outboundKey);
    this.abortForward(peer);
    for (const s of [...peer.sessions]) this.removeSession(s, reason);
    // Requests we forwarded over this link will get no response: fail them now.
    for (const [tid, t] of peer.pending) this.failed(tid, t, 'timeout');
    peer.pending.clear();
    for (const w of peer.waiting) w.link.resume();
    peer.waiting.clear();
    // Senders streaming into this link stop at the next slice (destinationLost).
    this.flush();
  }

  private removeSession(s: MsrpSession, reason: string): void {
    if (this.cmap.lookup(s.id) !== s) return;
    this.cmap.delete(s.id);
    s.peer.sessions.delete(s);
    this.o.stats.closed.inc();
    this.o.events?.emit('msrp.session.closed', { ...this.view(s), reason });
  }
}

const DROP = { kind: 'drop' } as const;

/** A transaction id for frames the relay originates (RFC 4975 §9: 4..32 ident chars). */
function newTid(): string {
  return randomBytes(9).toString('base64url').replace(/[_-]/g, 'x');
}

/** An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d: give it back as IPv4. */
function unmapV4(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
