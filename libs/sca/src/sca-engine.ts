import { randomBytes } from 'node:crypto';
import { systemClock, StatsRegistry, type Clock } from '@pbx/core';
import { SipHeaderError, type NameAddr, type SipMessage, type SipRequest, type SipResponse, type Uri } from '@pbx/sip';
import { AppearanceTable } from './appearance-table.js';
import { appearanceView, type Appearance, type AppearanceView } from './appearance.js';
import { isAppearanceState, isHeld, UPDATABLE_STATES, type AppearanceState } from './appearance-state.js';
import { callInfoValue, lineSeizeCallInfo } from './call-info-header.js';
import type { ScaConfig } from './config.js';
import { buildNotify } from './notify-request.js';
import { ScaError } from './sca-errors.js';
import type { ScaEventMap, ScaEventSink } from './sca-events.js';
import { scaCounters, type ScaCounters } from './sca-stats.js';
import { isHoldSdp } from './sdp-hold.js';
import { dialogKey, subscriptionView, type ScaEventPackage, type ScaPeer, type ScaSubscription, type ScaSubscriptionView } from './subscription.js';
import { fromRow, toRow, type ScaSubscriptionStore } from './subscription-store.js';

/**
 * Sends one NOTIFY as a new non-INVITE client transaction inside the
 * subscription's dialog (the sender adds its Via and picks the destination:
 * the route set's first hop, else the peer the SUBSCRIBE came from, else the
 * subscriber's Contact). Resolves the final status: 408 on Timer F, 503 on a
 * transport error. It should not reject.
 */
export interface NotifySender {
  send(req: SipRequest, sub: ScaSubscription): Promise<{ status: number }>;
}

export interface ScaEngineOptions {
  readonly config: ScaConfig;
  readonly sender: NotifySender;
  readonly store?: ScaSubscriptionStore;
  readonly clock?: Clock;
  readonly stats?: StatsRegistry;
  readonly events?: ScaEventSink;
  /** Our Contact URI for a subscription dialog (RFC 6665 §4.1.2 / §4.2.2: 200 and NOTIFY carry one). */
  contact(sub: { aor: string; peer?: ScaPeer }): string;
  /** sca_subscriptions.server_id of this node. */
  readonly serverId?: number;
  readonly log?: { warn(obj: object, msg: string): void };
}

/** The answer to a SUBSCRIBE; `after()` sends the NOTIFYs and must run once the response is on its way (RFC 6665 §4.2.1.2). */
export interface SubscribeOutcome {
  readonly status: number;
  readonly reason: string;
  readonly headers: Array<[string, string]>;
  /** The To tag of the response (the subscription dialog's notifier tag); absent for errors. */
  readonly toTag?: string;
  after(): Promise<void>;
}

/** Sees the responses to a request the proxy forwards (sca_call_info_update in onreply_route / failure_route). */
export type ResponseObserver = (res: SipResponse) => void;

type ChangeReason = ScaEventMap['sca.appearance.changed']['reason'];
const NOTHING = async (): Promise<void> => {};
const CALL_METHODS = new Set(['INVITE', 'BYE', 'CANCEL', 'PRACK', 'REFER']);

export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** `sip:user@host` of a SIP URI with a user part (the form AoRs are kept in), or undefined. */
export function aorOf(uri: Uri): string | undefined {
  if (uri.kind !== 'sip' || uri.user === null) return undefined;
  return `sip:${uri.user}@${uri.host.toLowerCase()}`;
}

/** An admin-supplied AoR in our form; throws bad_aor. */
export function parseAor(s: string): string {
  const m = /^sips?:([^@;?\s<>]+)@([^;?:\s<>]+)(?::\d+)?$/i.exec(s.trim());
  if (!m) throw new ScaError('bad_aor', s);
  return `sip:${m[1]}@${m[2]!.toLowerCase()}`;
}

/**
 * Shared Call Appearances (Kamailio's sca module implementing BroadWorks
 * SIP Access Side Extensions §2–4): call-info and line-seize subscriptions,
 * the appearance table of each shared AoR, call-state updates from the
 * requests and responses the proxy forwards, and the NOTIFYs that keep every
 * member's line lamps in step. Framework-free: the sender, the store, the
 * clock and the event sink are passed in. Nothing here waits on the
 * database: subscriptions are written behind, every db_update_interval.
 */
export class ScaEngine {
  readonly table: AppearanceTable;
  private readonly subs = new Map<string, ScaSubscription>();
  private readonly byAor = new Map<string, Set<ScaSubscription>>();
  private readonly clock: Clock;
  private readonly counters: ScaCounters;
  private readonly serverId: number;
  private purgeTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly o: ScaEngineOptions) {
    this.table = new AppearanceTable(o.config.max_appearances);
    this.clock = o.clock ?? systemClock;
    this.serverId = o.serverId ?? 0;
    this.counters = scaCounters(o.stats ?? new StatsRegistry(), {
      subscriptions: () => this.subs.size,
      appearances: () => this.table.size,
    });
  }

  // ─── lifecycle ────────────────────────────────────────────────────────────

  /**
   * Restores the stored call-info subscriptions (still unexpired) and starts
   * the purge and write-behind timers. The store is the truth for call-info
   * subscriptions here: any held in memory are replaced by its rows, so a
   * restart after an admin restore (with `replace`) keeps none of the old ones.
   */
  async start(): Promise<number> {
    let restored = 0;
    if (this.o.store) {
      const rows = await this.o.store.load(this.serverId);
      for (const s of [...this.subs.values()]) if (s.event === 'call-info') this.removeSub(s);
      const now = this.clock.now();
      for (const row of rows) {
        const s = fromRow(row);
        if (!s || s.expires <= now || s.event !== 'call-info') continue;
        this.addSub(s);
        restored++;
      }
    }
    const c = this.o.config;
    this.purgeTimer = setInterval(() => void this.purge(), c.purge_expired_interval * 1000);
    this.purgeTimer.unref();
    if (this.o.store) {
      this.flushTimer = setInterval(() => void this.flush().catch((err: unknown) => this.o.log?.warn({ err }, 'sca: subscription write failed')), c.db_update_interval * 1000);
      this.flushTimer.unref();
    }
    return restored;
  }

  /** Stops the timers and writes the subscriptions one last time (seed §1: flushed when the service stops). */
  async stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    clearInterval(this.flushTimer);
    this.purgeTimer = this.flushTimer = undefined;
    await this.flush();
  }

  /** Writes every live call-info subscription to the store (db_update_interval, seed §3.7). */
  flush(): Promise<void> {
    const store = this.o.store;
    if (!store) return Promise.resolve();
    const run = async () => {
      const rows = [...this.subs.values()].filter((s) => s.event === 'call-info').map((s) => toRow(s, this.serverId));
      await store.save(this.serverId, rows);
    };
    // One write at a time; a flush asked for during a write runs after it with the newer state.
    const next = (this.flushing ?? Promise.resolve()).catch(() => {}).then(run);
    this.flushing = next;
    return next;
  }

  // ─── sca_handle_subscribe ────────────────────────────────────────────────

  /** Whether the request is a SUBSCRIBE this engine serves (Event: call-info or line-seize). */
  handles(req: SipRequest): boolean {
    if (req.method !== 'SUBSCRIBE') return false;
    try {
      const p = req.event()?.package.toLowerCase();
      return p === 'call-info' || p === 'line-seize';
    } catch {
      return false;
    }
  }

  /** Whether an in-dialog SUBSCRIBE belongs to one of our subscription dialogs. */
  ownsDialog(req: SipRequest): boolean {
    const tag = req.to().tag;
    return tag !== undefined && this.subs.has(dialogKey(req.callId(), req.from().tag ?? '', tag));
  }

  handleSubscribe(req: SipRequest, peer?: ScaPeer): SubscribeOutcome {
    try {
      return this.subscribe(req, peer);
    } catch (e) {
      this.counters.sca_subscribes_refused.inc();
      const err = e instanceof ScaError ? e : e instanceof SipHeaderError ? new ScaError('bad_request', e.message) : undefined;
      if (!err) throw e;
      const headers: Array<[string, string]> = [];
      if (err.code === 'bad_event') headers.push(['Allow-Events', 'call-info, line-seize']);
      // BroadWorks §3.2: no appearance free → 480 with Retry-After; a seizure lasts at most line_seize_max_expires.
      if (err.code === 'no_appearance' || err.code === 'appearance_in_use') headers.push(['Retry-After', String(this.o.config.line_seize_max_expires)]);
      return { status: err.sipStatus, reason: err.sipReason, headers, after: NOTHING };
    }
  }

  private subscribe(req: SipRequest, peer: ScaPeer | undefined): SubscribeOutcome {
    const event = req.event();
    const pkg = event?.package.toLowerCase();
    if (pkg !== 'call-info' && pkg !== 'line-seize') throw new ScaError('bad_event', pkg);
    const c = this.o.config;
    const max = pkg === 'call-info' ? c.call_info_max_expires : c.line_seize_max_expires;
    const asked = req.expires();
    const expires = Math.min(asked ?? max, max);
    const now = this.clock.now();
    const cseq = req.cseq().seq;
    const toTag = req.to().tag;
    const contact = firstContact(req);

    if (toTag !== undefined) {
      // RFC 6665 §4.1.2.2 refresh / §4.1.2.3 unsubscribe, inside the dialog.
      const sub = this.subs.get(dialogKey(req.callId(), req.from().tag ?? '', toTag));
      if (!sub || sub.event !== pkg) throw new ScaError('no_subscription');
      sub.subscribeCseq = cseq;
      if (contact) sub.subscriber = contact; // SUBSCRIBE is a target refresh request (RFC 6665 §4.1.2.1)
      if (peer) sub.peer = peer;
      this.counters.sca_subscribes.inc();
      if (expires === 0) return this.ok(sub, 0, () => this.unsubscribe(sub));
      sub.expires = now + expires * 1000;
      this.emitSub(sub, 'refreshed');
      return this.ok(sub, expires, () => this.sendState(sub));
    }

    const aor = aorOf(req.to().uri);
    if (!aor) throw new ScaError('bad_aor', req.to().uri.toString());
    if (!contact) throw new ScaError('bad_contact');
    const from = req.from();
    const sub: ScaSubscription = {
      subscriber: contact,
      aor,
      event: pkg,
      eventId: event!.id,
      expires: now + expires * 1000,
      index: 0,
      callId: req.callId(),
      fromTag: from.tag ?? '',
      toTag: newTag(),
      fromUri: nameAddrText(from),
      routeSet: req.getAll('Record-Route').flatMap(splitHeaderList),
      notifyCseq: 0,
      subscribeCseq: cseq,
      peer,
      failures: 0,
    };
    // A new dialog from the same contact for the same AoR and package replaces the old one (Kamailio keys by subscriber + event).
    const old = this.find(aor, pkg, contact);
    if (old) {
      this.removeSub(old);
      if (pkg === 'line-seize') sub.index = old.index;
    }
    let seized: Appearance | undefined;
    if (pkg === 'line-seize' && expires > 0) seized = this.seizeFor(sub, requestedIndex(req, aor));
    this.counters.sca_subscribes.inc();
    if (expires === 0) {
      // An initial SUBSCRIBE with Expires 0 is a fetch: one terminal NOTIFY with the state (RFC 6665 §4.4.3).
      return this.ok(sub, 0, () => this.unsubscribe(sub));
    }
    this.addSub(sub);
    this.emitSub(sub, 'added');
    return this.ok(sub, expires, async () => {
      await this.sendState(sub);
      if (seized) await this.notifyGroup(aor);
    });
  }

  private ok(sub: ScaSubscription, expires: number, after: () => Promise<void>): SubscribeOutcome {
    return {
      status: 200,
      reason: 'OK',
      toTag: sub.toTag,
      headers: [
        ['Expires', String(expires)],
        ['Contact', `<${this.o.contact(sub)}>`],
      ],
      after,
    };
  }

  /**
   * Reserves an appearance for a line-seize: the asked index (BroadWorks §3:
   * Call-Info appearance-index in the SUBSCRIBE) when it is idle, held (a
   * member retrieving a held call) or already this subscriber's seizure;
   * otherwise the lowest idle index. Returns the appearance when it is newly
   * seized (the group must hear of it).
   */
  private seizeFor(sub: ScaSubscription, asked: number | undefined): Appearance | undefined {
    const now = this.clock.now();
    if (asked !== undefined) {
      if (!Number.isInteger(asked) || asked < 1 || asked > this.o.config.max_appearances) throw new ScaError('bad_index', String(asked));
      const a = this.table.get(sub.aor, asked);
      sub.index = asked;
      if (!a) return this.changed(this.table.add(sub.aor, asked, sub.subscriber, 'seized', now), 'seize');
      if (a.owner === sub.subscriber && a.state === 'seized' && !a.dialog) return undefined;
      if (isHeld(a.state)) return undefined;
      // In a call (or its seizure expired while the call goes on): not seizable.
      throw new ScaError('appearance_in_use', `index ${asked} is ${a.state}`);
    }
    const mine = sub.index > 0 ? this.table.get(sub.aor, sub.index) : this.table.seizedBy(sub.aor, sub.subscriber);
    if (mine && mine.owner === sub.subscriber && mine.state === 'seized' && !mine.dialog) {
      sub.index = mine.index;
      return undefined;
    }
    const free = this.table.nextFree(sub.aor);
    if (free === 0) throw new ScaError('no_appearance', sub.aor);
    sub.index = free;
    return this.changed(this.table.add(sub.aor, free, sub.subscriber, 'seized', now), 'seize');
  }

  private async unsubscribe(sub: ScaSubscription): Promise<void> {
    this.removeSub(sub);
    this.emitSub(sub, 'removed');
    const released = sub.event === 'line-seize' ? this.releaseSeizure(sub, 'release') : undefined;
    await this.sendState(sub, 'terminated');
    if (released) await this.notifyGroup(sub.aor, [released.index]);
  }

  /** A line-seize that ends before its call started frees its appearance (seed §3.4). */
  private releaseSeizure(sub: ScaSubscription, reason: ChangeReason): Appearance | undefined {
    const a = sub.index > 0 ? this.table.get(sub.aor, sub.index) : undefined;
    if (!a || a.owner !== sub.subscriber || a.state !== 'seized' || a.dialog) return undefined;
    this.table.remove(a);
    a.state = 'idle';
    this.changed(a, reason);
    return a;
  }

  // ─── NOTIFY ──────────────────────────────────────────────────────────────

  /** The NOTIFY a subscription gets after its SUBSCRIBE: the AoR's state (call-info) or its reserved index (line-seize). */
  private sendState(sub: ScaSubscription, terminal?: 'terminated', reason?: string): Promise<void> {
    const state = terminal
      ? reason
        ? `terminated;reason=${reason}`
        : 'terminated'
      : `active;expires=${Math.max(0, Math.round((sub.expires - this.clock.now()) / 1000))}`;
    const callInfo = sub.event === 'call-info' ? callInfoValue(sub.aor, this.table.list(sub.aor)) : sub.index > 0 ? lineSeizeCallInfo(sub.aor, sub.index) : undefined;
    return this.notify(sub, state, callInfo);
  }

  /**
   * call-info NOTIFYs to every call-info subscriber of the AoR, with the
   * AoR's full state (Kamailio sca_notify_call_info_subscribers). The
   * Call-Info value is built once for the whole group. Resolves when every
   * NOTIFY has its final response.
   */
  notifyGroup(aor: string, released: readonly number[] = []): Promise<void> {
    const group = this.byAor.get(aor);
    if (!group || group.size === 0) return Promise.resolve();
    const value = callInfoValue(aor, this.table.list(aor), released);
    const now = this.clock.now();
    const sent: Array<Promise<void>> = [];
    for (const sub of group) {
      if (sub.event !== 'call-info') continue;
      sent.push(this.notify(sub, `active;expires=${Math.max(0, Math.round((sub.expires - now) / 1000))}`, value));
    }
    return Promise.all(sent).then(() => undefined);
  }

  private notify(sub: ScaSubscription, state: string, callInfo: string | undefined): Promise<void> {
    let req: SipRequest;
    try {
      req = buildNotify(sub, { subscriptionState: state, callInfo, contact: this.o.contact(sub), cseq: ++sub.notifyCseq });
    } catch (err) {
      this.o.log?.warn({ err, subscriber: sub.subscriber }, 'sca: NOTIFY could not be built');
      return Promise.resolve();
    }
    this.counters.sca_notifies_sent.inc();
    return this.o.sender.send(req, sub).then(
      (r) => this.notified(sub, r.status),
      () => this.notified(sub, 503),
    );
  }

  /**
   * A NOTIFY's outcome. 481: the subscriber has no such subscription, it ends
   * (RFC 6665 §4.2.2). 408, a timeout or a transport error: the phone may
   * just have dropped one, so the subscription stays until
   * notify_max_failures NOTIFYs in a row have failed (RFC 6665 lets the
   * notifier remove it at once; BroadWorks phones resubscribe slowly, so we
   * keep their lamps).
   */
  private notified(sub: ScaSubscription, status: number): void {
    if (status >= 200 && status < 300) {
      sub.failures = 0;
      return;
    }
    this.counters.sca_notify_failures.inc();
    if (this.subs.get(keyOf(sub)) !== sub) return; // already gone (terminal NOTIFY, replaced)
    if (status !== 481 && ++sub.failures < this.o.config.notify_max_failures) return;
    this.counters.sca_subscriptions_dropped.inc();
    this.removeSub(sub);
    this.emitSub(sub, 'dropped');
    if (sub.event === 'line-seize') {
      const a = this.releaseSeizure(sub, 'release');
      if (a) void this.notifyGroup(sub.aor, [a.index]);
    }
  }

  // ─── purge (purge_expired_interval) ──────────────────────────────────────

  /**
   * Removes expired subscriptions, each with a terminal NOTIFY (RFC 6665
   * §4.1.3 reason `timeout`; the seed's "terminated;expired" names this
   * case), and tells the group when an expired line-seize freed its
   * appearance. A line-seize whose call is up keeps the appearance: the
   * call goes on, only the seizure ended.
   */
  async purge(): Promise<number> {
    const now = this.clock.now();
    const expired = [...this.subs.values()].filter((s) => s.expires <= now);
    const sends: Array<Promise<void>> = [];
    const freed = new Map<string, number[]>();
    for (const sub of expired) {
      this.removeSub(sub);
      this.counters.sca_subscriptions_expired.inc();
      this.emitSub(sub, 'expired');
      sends.push(this.sendState(sub, 'terminated', 'timeout'));
      if (sub.event === 'line-seize') {
        const a = this.releaseSeizure(sub, 'expired');
        if (a) (freed.get(sub.aor) ?? freed.set(sub.aor, []).get(sub.aor)!).push(a.index);
      }
    }
    for (const [aor, idx] of freed) sends.push(this.notifyGroup(aor, idx));
    await Promise.all(sends);
    return expired.length;
  }

  // ─── sca_call_info_update ────────────────────────────────────────────────

  /** Whether an AoR is shared: someone subscribes to it or one of its lines is in use (sca_uri_is_shared_appearance). */
  isShared(aor: string): boolean {
    return (this.byAor.get(aor)?.size ?? 0) > 0 || this.table.list(aor).length > 0;
  }

  /**
   * sca_call_info_update for a request the proxy is about to forward
   * (INVITE, CANCEL, BYE, PRACK, REFER). Updates the appearance the request
   * concerns, consumes the SCA Call-Info header (the remote party has no use
   * for our appearance numbers; the module removes it), and returns what
   * must see the request's responses, or undefined.
   */
  requestForwarded(req: SipRequest): ResponseObserver | undefined {
    if (!CALL_METHODS.has(req.method) || (this.byAor.size === 0 && this.table.size === 0)) return undefined;
    try {
      const fromAor = aorOf(req.from().uri);
      const toAor = aorOf(req.to().uri);
      const callId = req.callId();
      if (req.to().tag !== undefined) {
        for (const aor of [fromAor, toAor]) {
          const a = aor && this.table.byDialog(callId, aor);
          if (a) this.inDialog(req, a);
        }
        if (fromAor && this.isShared(fromAor)) stripScaCallInfo(req);
        return undefined;
      }
      if (req.method !== 'INVITE') return undefined;
      const observers: ResponseObserver[] = [];
      if (fromAor && this.isShared(fromAor)) {
        const o = this.outgoing(req, fromAor);
        if (o) observers.push(o);
        stripScaCallInfo(req);
      }
      if (toAor && toAor !== fromAor && this.isShared(toAor)) observers.push(this.incoming(req, toAor));
      if (observers.length === 0) return undefined;
      if (observers.length === 1) return observers[0];
      return (res) => {
        for (const o of observers) o(res);
      };
    } catch (err) {
      // A malformed header in someone's call is not a reason to stop the call.
      if (!(err instanceof SipHeaderError)) throw err;
      return undefined;
    }
  }

  /** An in-dialog request of a call on an appearance: BYE ends it (from either side), a re-INVITE from the member holds or resumes it. */
  private inDialog(req: SipRequest, a: Appearance): void {
    if (req.method === 'BYE') {
      void this.endCall(a, 'release');
      return;
    }
    if (req.method !== 'INVITE' || !a.dialog || req.from().tag !== a.dialog.ownerTag) return;
    // BroadWorks §2: the member's re-INVITE putting the call on hold; Call-Info may say held-private.
    const asked = scaCallInfo(req, a.aor)?.params.get('appearance-state')?.toLowerCase();
    if (isHoldSdp(req.body) || asked === 'held' || asked === 'held-private') {
      const next: AppearanceState = asked === 'held-private' ? 'held-private' : 'held';
      if (a.state !== next) this.setState(a, next, 'hold');
    } else if (isHeld(a.state)) {
      this.setState(a, 'active', 'retrieve');
    }
  }

  /**
   * An INVITE from a member of a shared AoR: the appearance it names
   * (Call-Info appearance-index), else the one it seized, else the lowest
   * idle one. Naming a held appearance of another member is the spec's
   * retrieval: the appearance moves to the new call and becomes active on
   * its 2xx (or goes back on hold if it fails).
   */
  private outgoing(req: SipRequest, aor: string): ResponseObserver | undefined {
    const contact = firstContact(req);
    if (!contact) return undefined;
    const now = this.clock.now();
    const asked = scaCallInfo(req, aor)?.appearanceIndex;
    const dialog = { callId: req.callId(), ownerTag: req.from().tag ?? '' };
    let a: Appearance | undefined;
    let retrieval = false;
    if (typeof asked === 'number' && Number.isInteger(asked) && asked >= 1 && asked <= this.o.config.max_appearances) {
      a = this.table.get(aor, asked);
      if (!a) a = this.changed(this.table.add(aor, asked, contact, 'seized', now), 'seize');
      else if (isHeld(a.state) && (a.owner !== contact || a.dialog?.callId !== dialog.callId)) {
        a.previous = { owner: a.owner, dialog: a.dialog, state: a.state };
        a.owner = contact;
        retrieval = true;
      } else if (!(a.owner === contact && !a.dialog)) return undefined; // someone else's call
    } else {
      a = this.table.seizedBy(aor, contact);
      if (!a) {
        const free = this.table.nextFree(aor);
        if (free === 0) return undefined;
        a = this.changed(this.table.add(aor, free, contact, 'seized', now), 'seize');
      }
    }
    this.table.bind(a, dialog);
    const to = req.to();
    a.remote = to.uri.toString();
    a.display = to.displayName ?? undefined;
    if (!retrieval) void this.notifyGroup(aor);
    const app = a;
    return (res) => {
      if (this.table.get(app.aor, app.index) !== app || app.dialog?.callId !== dialog.callId) return;
      if (res.status < 200) {
        if (app.previous) return; // a retrieval shows held until it is answered
        if (res.status === 180 && app.state !== 'ringing' && app.state !== 'active') this.setState(app, 'ringing', 'call');
        else if (res.status === 183 && app.state === 'seized') this.setState(app, 'progressing', 'call');
        return;
      }
      if (res.status < 300) {
        if (app.dialog) app.dialog.remoteTag = res.to().tag;
        const wasRetrieval = app.previous !== undefined;
        app.previous = undefined;
        if (app.state !== 'active') this.setState(app, 'active', wasRetrieval ? 'retrieve' : 'call');
        return;
      }
      if (app.previous) {
        // The retrieval failed: the call stays held by its former holder.
        const p = app.previous;
        app.previous = undefined;
        app.owner = p.owner;
        this.table.bind(app, p.dialog);
        this.setState(app, p.state, 'hold');
        return;
      }
      void this.endCall(app, 'release');
    };
  }

  /** An INVITE to a shared AoR: the member that answers (2xx) takes the appearance its Call-Info names, or the lowest idle one. */
  private incoming(req: SipRequest, aor: string): ResponseObserver {
    const callId = req.callId();
    const from = req.from();
    return (res) => {
      if (res.status < 200 || res.status >= 300 || this.table.byDialog(callId, aor)) return;
      const contact = firstContact(res);
      if (!contact) return;
      const asked = scaCallInfo(res, aor)?.appearanceIndex;
      let index = typeof asked === 'number' && asked >= 1 && asked <= this.o.config.max_appearances && !this.table.get(aor, asked) ? asked : 0;
      const mine = this.table.seizedBy(aor, contact);
      if (!index && mine) this.table.remove(mine);
      if (!index) index = mine?.index ?? this.table.nextFree(aor);
      if (!index) return;
      const a = this.table.add(aor, index, contact, 'active', this.clock.now());
      this.table.bind(a, { callId, ownerTag: res.to().tag ?? '', remoteTag: from.tag });
      a.remote = from.uri.toString();
      a.display = from.displayName ?? undefined;
      this.changed(a, 'call');
      void this.notifyGroup(aor);
    };
  }

  /**
   * The call on an appearance ended (BYE from either side, CANCEL, a final
   * failure): the appearance goes idle and the line-seize that reserved it
   * ends too (reason noresource), so the phone's next call seizes afresh.
   */
  private async endCall(a: Appearance, reason: ChangeReason): Promise<void> {
    this.table.remove(a);
    a.state = 'idle';
    a.previous = undefined;
    this.changed(a, reason);
    const ends: Array<Promise<void>> = [];
    for (const sub of [...(this.byAor.get(a.aor) ?? [])]) {
      if (sub.event !== 'line-seize' || sub.index !== a.index) continue;
      this.removeSub(sub);
      this.emitSub(sub, 'removed');
      ends.push(this.sendState(sub, 'terminated', 'noresource'));
    }
    ends.push(this.notifyGroup(a.aor, [a.index]));
    await Promise.all(ends);
  }

  private setState(a: Appearance, state: AppearanceState, reason: ChangeReason): void {
    a.state = state;
    a.since = this.clock.now();
    this.changed(a, reason);
    void this.notifyGroup(a.aor);
  }

  // ─── admin (the RPC commands, seed §5) ───────────────────────────────────

  /** sca.all_subscriptions */
  allSubscriptions(): ScaSubscriptionView[] {
    const now = this.clock.now();
    return [...this.subs.values()].map((s) => subscriptionView(s, now)).sort((x, y) => x.aor.localeCompare(y.aor) || x.event.localeCompare(y.event) || x.subscriber.localeCompare(y.subscriber));
  }

  /** sca.all_appearances: every appearance not idle. */
  allAppearances(): AppearanceView[] {
    return this.table.all().map(appearanceView);
  }

  /** The AoRs with subscribers or lines in use. */
  sharedAors(): string[] {
    const s = new Set<string>(this.byAor.keys());
    for (const a of this.table.all()) s.add(a.aor);
    return [...s].sort();
  }

  /** sca.seize_appearance: the next idle index for `contact`, and the group NOTIFYed. */
  async seizeAppearance(aorText: string, contact: string): Promise<AppearanceView> {
    const aor = parseAor(aorText);
    if (!contact || /[\s<>]/.test(contact)) throw new ScaError('bad_contact', contact);
    const free = this.table.nextFree(aor);
    if (free === 0) throw new ScaError('no_appearance', aor);
    const a = this.changed(this.table.add(aor, free, contact, 'seized', this.clock.now()), 'admin');
    // The NOTIFYs go out now; the answer does not wait for slow phones (Timer F is 32 s).
    void this.notifyGroup(aor);
    return appearanceView(a);
  }

  /** sca.update_appearance: a new state (and display info) for an appearance in use. */
  async updateAppearance(aorText: string, index: number, state: string, display?: string): Promise<AppearanceView> {
    const aor = parseAor(aorText);
    if (!Number.isInteger(index) || index < 1) throw new ScaError('bad_index', String(index));
    if (!isAppearanceState(state) || !UPDATABLE_STATES.includes(state)) throw new ScaError('bad_state', state);
    const a = this.table.get(aor, index);
    if (!a) throw new ScaError('appearance_not_found', `${aor} index ${index}`);
    a.state = state;
    a.since = this.clock.now();
    if (display !== undefined) a.display = display;
    this.changed(a, 'admin');
    // The NOTIFYs go out now; the answer does not wait for slow phones (Timer F is 32 s).
    void this.notifyGroup(aor);
    return appearanceView(a);
  }

  /** sca.release_appearance: the appearance goes idle and the group is NOTIFYed. */
  async releaseAppearance(aorText: string, index: number): Promise<AppearanceView> {
    const aor = parseAor(aorText);
    if (!Number.isInteger(index) || index < 1) throw new ScaError('bad_index', String(index));
    const a = this.table.get(aor, index);
    if (!a) throw new ScaError('appearance_not_found', `${aor} index ${index}`);
    void this.endCall(a, 'admin');
    return appearanceView(a);
  }

  // ─── bookkeeping ─────────────────────────────────────────────────────────

  private find(aor: string, event: ScaEventPackage, subscriber: string): ScaSubscription | undefined {
    for (const s of this.byAor.get(aor) ?? []) if (s.event === event && s.subscriber === subscriber) return s;
    return undefined;
  }

  private addSub(s: ScaSubscription): void {
    this.subs.set(keyOf(s), s);
    let g = this.byAor.get(s.aor);
    if (!g) this.byAor.set(s.aor, (g = new Set()));
    g.add(s);
  }

  private removeSub(s: ScaSubscription): void {
    if (this.subs.get(keyOf(s)) === s) this.subs.delete(keyOf(s));
    const g = this.byAor.get(s.aor);
    if (g) {
      g.delete(s);
      if (g.size === 0) this.byAor.delete(s.aor);
    }
  }

  private changed(a: Appearance, reason: ChangeReason): Appearance {
    this.counters.sca_appearance_changes.inc();
    this.o.events?.emit('sca.appearance.changed', { ...appearanceView(a), reason });
    return a;
  }

  private emitSub(s: ScaSubscription, action: ScaEventMap['sca.subscription.changed']['action']): void {
    this.o.events?.emit('sca.subscription.changed', { ...subscriptionView(s, this.clock.now()), action });
  }
}

function keyOf(s: ScaSubscription): string {
  return dialogKey(s.callId, s.fromTag, s.toTag);
}

function firstContact(m: SipMessage): string | undefined {
  if (!m.has('Contact')) return undefined;
  const c = m.contacts()[0];
  return c ? c.uri.toString() : undefined;
}

/** A From/To as a name-addr without its tag (the To of our NOTIFYs gets the tag appended). */
function nameAddrText(n: NameAddr): string {
  const d = n.displayName;
  return `${d ? `"${d.replace(/[\\"]/g, (c) => `\\${c}`)}" ` : ''}<${n.uri.toString()}>`;
}

/** The Call-Info value about appearances of `aor` (it carries appearance-index or appearance-state), if any. */
function scaCallInfo(m: SipMessage, aor: string) {
  if (!m.has('Call-Info')) return undefined;
  return m.callInfo().find((ci) => ci.params.has('appearance-index') || ci.params.has('appearance-state')) ?? undefined;
}

function requestedIndex(req: SipRequest, aor: string): number | undefined {
  const i = scaCallInfo(req, aor)?.appearanceIndex;
  return typeof i === 'number' ? i : undefined;
}

/** Removes the Call-Info values that carry appearance parameters (sca_call_info_update consumes them). */
function stripScaCallInfo(req: SipRequest): void {
  if (!req.has('Call-Info')) return;
  const keep = req.getAll('Call-Info').flatMap(splitHeaderList).filter((v) => !/;\s*appearance-(?:index|state)\s*=/i.test(v));
  req.removeHeader('Call-Info');
  for (const v of keep) req.addHeader('Call-Info', v);
}

/** Splits a comma-separated header value on the commas outside `<…>` and quotes. */
function splitHeaderList(v: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '"' && v[i - 1] !== '\\') quote = !quote;
    else if (!quote && c === '<') depth++;
    else if (!quote && c === '>') depth--;
    else if (!quote && depth === 0 && c === ',') {
      out.push(v.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = v.slice(start).trim();
  if (last) out.push(last);
  return out;
}
