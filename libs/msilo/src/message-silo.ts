import { systemClock, type Clock } from '@pbx/core';
import { parseUri, type SipRequest, type SipUri } from '@pbx/sip';
import { buildMessageRequest } from './build-message-request.js';
import type { MsiloConfig } from './config.js';
import { buildDumpRequest, buildReminderRequest, wireSizeOf, type DeliveryTarget } from './delivery-request.js';
import { parseHeaderBlock, type HeaderLine } from './header-block.js';
import { buildNotification, isAutoSubmitted } from './notification.js';
import { expandPv, pvContextForOwner, pvContextOf } from './pseudo-variables.js';
import { intervalScheduler, type Scheduler } from './scheduler.js';
import {
  DEFAULT_SILO_LIMITS,
  type ComposeInput,
  type ComposeResult,
  type DumpOptions,
  type DumpReport,
  type MessageListPage,
  type MessageListQuery,
  type MessageSiloDeps,
  type MessageState,
  type SiloLimits,
  type SiloLogger,
  type SiloMessageDetail,
  type StoreResult,
} from './silo-api.js';
import { GroupCommit, QueueFullError } from './group-commit.js';
import { InboxCache } from './inbox-cache.js';
import { SILO_ERRORS, SiloError, type SiloErrorCode } from './silo-errors.js';
import { ownerKey, SiloIndex } from './silo-index.js';
import { isTextual, messageInfo, type MsiloEventMap, type SiloEventSink } from './silo-events.js';
import { ownerAor, SILO_COLUMN_WIDTH, type NewSiloMessage, type SiloRow } from './silo-message.js';
import type { SendPurpose, SiloDestination, SiloLocator, SiloSender } from './silo-sender.js';
import { siloCounters, type SiloCounters } from './silo-stats.js';
import type { SiloListQuery, SiloStore } from './silo-store.js';
import { extractMessage, KeepHeaders, ownerOf, ownerOfSipUri, type Owner, type StoreOptions } from './store-request.js';
import { Window } from './window.js';

type Kind = 'dump' | 'reminder';

interface Delivery {
  readonly since: number;
  readonly kind: Kind;
  readonly row: SiloRow;
}

interface Quota {
  readonly base: Promise<number>;
  committed: number;
  reserved: number;
  waiting: number;
}

/** A target of one delivery: a binding, or none (the Request-URI is routed by the proxy). */
interface Target {
  readonly destination?: SiloDestination;
}

const ROUTED: readonly Target[] = [{}];

/**
 * Offline message storage (Kamailio msilo): m_store, m_dump, the reminder
 * timer, the check_time / clean_period sweeps, and the admin operations.
 *
 * Guarantees:
 * - store() answers 202 only after the row is committed (nothing
 *   acknowledged is lost).
 * - A message is deleted only after a delivery of it got a 2xx; a failed or
 *   timed-out one stays and goes out again at the next dump.
 * - A message is never in two deliveries at once: in-flight ids are
 *   tracked, so overlapping dumps (re-registration, several bindings) do
 *   not send it twice. Across a crash between a 2xx and its delete the
 *   message would be delivered again (at least once, never lost).
 * - Messages of one dump are sent in storage order.
 * - A REGISTER of an owner with nothing stored costs no query: SiloIndex
 *   counts the rows per owner in memory (not with `shared`, where other
 *   nodes write the table too and each dump claims its rows instead).
 */
export class MessageSilo {
  private readonly cfg: MsiloConfig;
  private readonly db: SiloStore;
  private readonly sender: SiloSender;
  private readonly locator: SiloLocator | undefined;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly events: SiloEventSink | undefined;
  private readonly log: SiloLogger | undefined;
  private readonly limits: SiloLimits;
  private readonly keep: KeepHeaders | null;
  /** Owners with stored rows; null with `shared` (the database is asked every time). */
  private readonly index: SiloIndex | null;
  /** Rows of inboxes stored since the start, for dumps without a query (unused with `shared`). */
  private readonly cache: InboxCache;
  private readonly shared: boolean;
  /** The five seed statistics. */
  readonly counters: SiloCounters;

  private readonly inFlight = new Map<number, Delivery>();
  /** Delivered (2xx) but the delete has not committed yet: retried by the check_time sweep. */
  private readonly unconfirmed = new Set<number>();
  /**
   * Deletes of delivered messages, grouped: the rows whose 2xx came in while
   * a DELETE ran go out in the next one, so a dump of a backlog costs a few
   * statements instead of one per message. Resolves whether the row went.
   */
  private readonly deletes = new GroupCommit<number, boolean>(
    async (ids) => {
      const gone = new Set(await this.db.delete(ids));
      return ids.map((id) => ({ ok: true as const, value: gone.has(id) }));
    },
    { maxBatch: 500, concurrency: 1 },
  );
  private readonly quotas = new Map<string, Quota>();
  private readonly background = new Set<Promise<unknown>>();
  private cancelTimers: Array<() => void> = [];
  private checkRunning = false;
  private reminderRunning = false;
  private cycles = 0;

  constructor(deps: MessageSiloDeps) {
    const cfg = deps.config;
    // Kamailio refuses to start in these cases (msilo mod_init); so do we.
    if (cfg.offline_message !== undefined && cfg.content_type_hdr === undefined)
      throw new Error('msilo.offline_message is set but msilo.content_type_hdr is not: the notification needs its Content-Type');
    this.cfg = cfg;
    this.db = deps.store;
    this.sender = deps.sender;
    this.locator = deps.locator;
    this.clock = deps.clock ?? systemClock;
    this.scheduler = deps.scheduler ?? intervalScheduler;
    this.events = deps.events;
    this.log = deps.log;
    this.limits = { ...DEFAULT_SILO_LIMITS, ...deps.limits };
    this.counters = siloCounters(deps.stats);
    this.shared = deps.shared ?? false;
    this.index = this.shared ? null : new SiloIndex();
    this.cache = new InboxCache(this.shared ? 0 : this.limits.maxCachedBytes);
    this.keep = cfg.extra_hdrs_avp !== undefined ? new KeepHeaders(cfg.extra_hdrs_avp) : null;
    if (this.keep && this.keep.invalid.length > 0)
      this.log?.warn(`msilo.extra_hdrs_avp: not header names, ignored: ${this.keep.invalid.join(', ')}`);
  }

  /** Reminders are on when send_time > 0 and reminder is set (seed §3.21, §3.25). */
  get remindersEnabled(): boolean {
    return this.cfg.send_time > 0 && this.cfg.reminder !== undefined;
  }

  // --- timers ----------------------------------------------------------------

  /**
   * Starts the check_time sweep (and the send_time reminder timer when
   * reminders are on) at once, and resolves once the index of owners with
   * stored messages is loaded (one query). Until then every REGISTER's dump
   * asks the database, so nothing is missed meanwhile.
   */
  start(): Promise<void> {
    if (this.cancelTimers.length === 0) {
      this.cancelTimers.push(this.scheduler.every(this.cfg.check_time * 1000, () => this.track(this.runCheckCycle())));
      if (this.remindersEnabled) this.cancelTimers.push(this.scheduler.every(this.cfg.send_time * 1000, () => this.track(this.runReminders())));
    }
    return this.reloadIndex();
  }

  /**
   * Reloads the in-memory index of owners with stored messages from the
   * table: call it after rows were written to the silo table other than
   * through this MessageSilo (a backup restore). A no-op with `shared`.
   */
  async reloadIndex(): Promise<void> {
    // Rows written behind msilo's back: no cached inbox can be trusted any more.
    this.cache.clear();
    if (this.index) await this.index.reload(() => this.db.countsByOwner());
  }

  /** Rows the index counts for an owner (`user@domain`); null with `shared` (no index). Admin and tests. */
  indexedCount(username: string, domain: string): number | null {
    return this.index ? this.index.count(ownerKey(username, domain)) : null;
  }

  /** Takes deleted rows off the index and the cache (only rows the database reported gone). */
  private unindex(rows: Iterable<{ readonly id: number; readonly username: string; readonly domain: string }>): void {
    if (!this.index) return;
    for (const r of rows) {
      const key = ownerKey(r.username, r.domain);
      this.index.remove(key);
      this.cache.remove(key, r.id);
    }
  }

  /**
   * SiloStore.pending, from the cache when it holds every row the index
   * counts for the owner (then it holds exactly the table's rows), else
   * from the table.
   */
  private pending(o: Owner, now: number, afterId: number): SiloRow[] | Promise<SiloRow[]> {
    const key = ownerKey(o.username, o.domain);
    if (this.index && this.cache.count(key) === this.index.count(key)) return this.cache.pending(key, now, afterId, this.limits.dumpPageSize);
    return this.db.pending(o.username, o.domain, now, afterId, this.limits.dumpPageSize);
  }

  /** Stops the timers and waits for deliveries, notifications and sweeps under way. */
  async stop(): Promise<void> {
    for (const c of this.cancelTimers.splice(0)) c();
    await this.settled();
  }

  /** Resolves when no background work (notification, delivery, sweep) is pending. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private track<T>(p: Promise<T>): void {
    const t = p.then(
      () => undefined,
      (err: unknown) => this.warn('background task failed', err),
    );
    this.background.add(t);
    void t.finally(() => this.background.delete(t));
  }

  private warn(what: string, err?: unknown): void {
    if (!this.log) return;
    this.log.warn(err === undefined ? `msilo: ${what}` : `msilo: ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** The payload is built only when someone listens (EventBus.hasListeners), keeping dumps cheap. */
  private emit<K extends keyof MsiloEventMap>(name: K, payload: () => MsiloEventMap[K]): void {
    const sink = this.events;
    if (sink && (sink.hasListeners?.(name) ?? true)) sink.emit(name, payload());
  }

  // --- m_store -----------------------------------------------------------------

  /**
   * m_store / m_store_addrs: stores a MESSAGE for an offline user (or one
   * whose phone refused it, from the failure route). Resolves with the 202
   * to send once the row is committed, or with the refusal (SILO_ERRORS).
   * Never rejects.
   */
  async store(req: SipRequest, opts: StoreOptions = {}): Promise<StoreResult> {
    const x = extractMessage(req, opts, {
      config: this.cfg,
      now: this.nowSeconds(),
      maxBodySize: this.limits.maxBodySize,
      maxStoredHeaders: this.limits.maxStoredHeaders,
      keep: this.keep,
    });
    if (!x.ok) return refusal(x.code, x.detail);
    const r = await this.commit(x.message);
    if (!r.ok) return r;
    if (this.shouldNotify(req, opts)) this.track(this.notify(req));
    return r;
  }

  /** Inserts with the max_messages check; counts and announces the stored message. */
  private async commit(m: NewSiloMessage): Promise<StoreResult> {
    let release: ((committed: boolean) => void) | undefined;
    if (this.cfg.max_messages > 0) {
      const r = await this.reserve(m);
      if (typeof r === 'string') return refusal(r);
      release = r;
    }
    // Counted before the INSERT goes out: a REGISTER racing the commit must see it (SiloIndex).
    const key = ownerKey(m.username, m.domain);
    if (this.index?.certainlyEmpty(key)) this.cache.start(key);
    this.index?.add(key);
    let id: number;
    try {
      id = await this.db.insert(m);
    } catch (err) {
      release?.(false);
      this.index?.remove(key);
      if (err instanceof QueueFullError) return refusal('overloaded');
      this.warn(`storing a message for ${m.username}@${m.domain} failed`, err);
      return refusal('store_failed');
    }
    release?.(true);
    this.cache.add(key, id, m);
    this.counters.stored_messages.inc();
    this.emit('message.stored', () => messageInfo({ ...m, id, status: 0 }));
    return { ok: true, status: 202, reason: 'Accepted', id };
  }

  /**
   * max_messages: the inbox's count is read once per burst and then kept in
   * memory while stores for that AoR are under way, so concurrent MESSAGEs
   * cannot all pass the check before any of them is committed (the database
   * count alone would let a burst overshoot the limit).
   */
  private async reserve(m: Owner): Promise<((committed: boolean) => void) | SiloErrorCode> {
    const key = `${m.username}@${m.domain}`;
    let q = this.quotas.get(key);
    if (!q) {
      q = { base: this.db.count(m.username, m.domain), committed: 0, reserved: 0, waiting: 0 };
      this.quotas.set(key, q);
    }
    const quota = q;
    const drop = (): void => {
      if (quota.waiting === 0 && quota.reserved === 0 && this.quotas.get(key) === quota) this.quotas.delete(key);
    };
    quota.waiting++;
    let base: number;
    try {
      base = await quota.base;
    } catch (err) {
      quota.waiting--;
      drop();
      this.warn(`counting the inbox of ${key} failed`, err);
      return 'store_failed';
    }
    quota.waiting--;
    if (base + quota.committed + quota.reserved >= this.cfg.max_messages) {
      drop();
      return 'inbox_full';
    }
    quota.reserved++;
    return (committed) => {
      quota.reserved--;
      if (committed) quota.committed++;
      drop();
    };
  }

  /** skip_notification_flag, the request's own opt-out, and the loop guard. */
  private shouldNotify(req: SipRequest, opts: StoreOptions): boolean {
    if (this.cfg.from_address === undefined || this.cfg.offline_message === undefined) return false;
    if (opts.skipNotification) return false;
    const flag = this.cfg.skip_notification_flag;
    if (flag >= 0 && opts.flags !== undefined && (opts.flags & (1 << flag)) !== 0) return false;
    return !isAutoSubmitted(req);
  }

  private async notify(req: SipRequest): Promise<void> {
    let n: SipRequest | null;
    try {
      n = buildNotification(req, this.cfg);
    } catch (err) {
      this.warn('cannot build the offline notification', err);
      return;
    }
    if (!n) return;
    try {
      await this.sender.send(n, this.sendOptions('notification'));
    } catch (err) {
      this.warn('sending the offline notification failed', err);
    }
  }

  private sendOptions(purpose: SendPurpose, destination?: SiloDestination): { purpose: SendPurpose; destination?: SiloDestination; outboundProxy?: string } {
    return {
      purpose,
      ...(destination ? { destination } : {}),
      ...(this.cfg.outbound_proxy !== undefined ? { outboundProxy: this.cfg.outbound_proxy } : {}),
    };
  }

  // --- m_dump ------------------------------------------------------------------

  /**
   * False only when nothing is stored for the owner of `uri`: the REGISTER
   * hot path asks this before anything else (most users have nothing stored).
   */
  mayHaveMessages(uri: SipUri): boolean {
    if (this.index === null) return true;
    const o = ownerOfSipUri(uri);
    return o !== null && this.index.mayHave(ownerKey(o.username, o.domain));
  }

  /**
   * m_dump: sends the owner's stored messages (not reminders, not expired) in
   * storage order, each to every target, and deletes each one that gets a
   * 2xx. Call it after answering a REGISTER with expires > 0 (see
   * messageSupported). Resolves when every delivery has its answer.
   *
   * Targets: with outbound_proxy, none (each message goes to its dst_addr
   * via the proxy, which looks the AoR up); with dump_to_all_bindings and a
   * locator, every current binding; else `opts.destinations`; else none.
   */
  async dump(owner: string, opts: DumpOptions = {}): Promise<DumpReport> {
    const o = ownerOf(owner);
    if (!o) throw new SiloError('bad_owner', owner);
    // The REGISTER hot path: nothing stored for this owner, no query at all.
    if (this.index && !this.index.mayHave(ownerKey(o.username, o.domain)))
      return { owner: ownerAor(o), targets: 0, sent: 0, delivered: 0, failed: 0, skipped: 0 };
    let targets: readonly Target[];
    if (this.cfg.outbound_proxy !== undefined) targets = ROUTED;
    else if (this.cfg.dump_to_all_bindings && this.locator) targets = await this.bindings(o);
    else if (opts.destinations) targets = opts.destinations.map((destination) => ({ destination }));
    else targets = ROUTED;
    return this.dumpTo(o, targets, opts.register);
  }

  /** "Deliver now" (POST /api/registrations/:aor/dump): to every current binding, or routed when there is no locator. */
  async dumpNow(owner: string): Promise<DumpReport> {
    const o = ownerOf(owner);
    if (!o) throw new SiloError('bad_owner', owner);
    const targets = this.cfg.outbound_proxy === undefined && this.locator ? await this.bindings(o) : ROUTED;
    return this.dumpTo(o, targets);
  }

  private async bindings(o: Owner): Promise<Target[]> {
    const list = await this.locator!.lookup(ownerAor(o));
    return list.map((destination) => ({ destination }));
  }

  private async dumpTo(o: Owner, targets: readonly Target[], register?: SipRequest): Promise<DumpReport> {
    const report = { owner: ownerAor(o), targets: targets.length, sent: 0, delivered: 0, failed: 0, skipped: 0 };
    if (targets.length === 0) return report;
    let extra: HeaderLine[] = [];
    if (this.cfg.extra_hdrs !== undefined) {
      const ctx = register ? pvContextOf(register) : pvContextForOwner(o.username, o.domain);
      extra = parseHeaderBlock(expandPv(this.cfg.extra_hdrs, ctx)).lines;
    }
    const window = new Window(this.limits.maxInFlight, this.limits.maxInFlightBytes);
    const tasks: Promise<void>[] = [];
    let afterId = 0;
    for (;;) {
      const now = this.nowSeconds();
      const page = this.shared
        ? await this.db.claim(o.username, o.domain, now, afterId, this.limits.dumpPageSize, now + Math.ceil(this.limits.staleDeliveryMs / 1000))
        : await this.pending(o, now, afterId);
      for (const row of page) {
        afterId = row.id;
        const size = wireSizeOf(row);
        await window.acquire(size);
        // Checked after waiting for the window: another dump may have taken it meanwhile.
        if (this.inFlight.has(row.id)) {
          window.release(size);
          report.skipped++;
          continue;
        }
        this.inFlight.set(row.id, { since: this.clock.now(), kind: 'dump', row });
        report.sent++;
        // The window bounds MESSAGEs awaiting the phone's answer, not the deletes after it:
        // the slot is free as soon as the answer is in (the row stays in flight until deleted).
        const task = this.deliver(row, 'dump', targets, extra, () => window.release(size)).then((ok) => {
          if (ok) report.delivered++;
          else report.failed++;
        });
        this.track(task);
        tasks.push(task);
      }
      if (page.length < this.limits.dumpPageSize) break;
    }
    await Promise.all(tasks);
    return report;
  }

  /**
   * One message to its targets (in parallel, like a fork); settles on the
   * first 2xx or once every target answered. 2xx: counted, announced and
   * deleted; otherwise counted failed and kept (a reminder becomes an
   * ordinary offline message, as Kamailio's ms_reset_stime). `answered`
   * runs once the final answer is in, before the database work. Never rejects.
   */
  private async deliver(row: SiloRow, kind: Kind, targets: readonly Target[], extra: readonly HeaderLine[], answered?: () => void): Promise<boolean> {
    const entry = this.inFlight.get(row.id);
    const { status, target } = await this.sendToTargets(row, kind, targets, extra);
    answered?.();
    const current = this.inFlight.get(row.id) === entry;
    const reminder = kind === 'reminder';
    if (status >= 200 && status < 300) {
      (reminder ? this.counters.dumped_reminders : this.counters.dumped_messages).inc();
      this.emit('message.dumped', () => ({ ...messageInfo(row), status, reminder, target }));
      try {
        if (await this.deletes.submit(row.id)) this.unindex([row]);
        if (this.inFlight.get(row.id) === entry) this.inFlight.delete(row.id);
      } catch (err) {
        // Delivered but not yet deleted: keep it marked in flight so no dump sends it again; the sweep retries.
        this.unconfirmed.add(row.id);
        this.warn(`deleting delivered message ${row.id} failed; retried every check_time`, err);
      }
      return true;
    }
    if (!current) return false; // released by the stale sweep, which already counted it
    (reminder ? this.counters.failed_reminders : this.counters.failed_messages).inc();
    if (reminder) {
      try {
        await this.db.clearSendTime(row.id);
      } catch (err) {
        this.warn(`resetting the send time of reminder ${row.id} failed`, err);
      }
    } else if (this.shared) {
      // Give the claim back so the next registration, at any node, sends it again.
      try {
        await this.db.release([row.id]);
      } catch (err) {
        this.warn(`releasing message ${row.id} failed; free again when its lease ends`, err);
      }
    }
    this.inFlight.delete(row.id);
    this.emit('message.failed', () => ({ ...messageInfo(row), status, reminder, target }));
    return false;
  }

  private sendToTargets(row: SiloRow, kind: Kind, targets: readonly Target[], extra: readonly HeaderLine[]): Promise<{ status: number; target: string }> {
    return new Promise((resolve) => {
      let left = targets.length;
      let best = { status: 0, target: '' };
      for (const t of targets) {
        const p = this.sendOne(row, kind, t, extra).then((r) => {
          if (r.status >= 200 && r.status < 300) resolve(r);
          else if (best.status === 0 || r.status < best.status) best = r;
          if (--left === 0) resolve(best);
        });
        if (targets.length > 1) this.track(p);
      }
    });
  }

  private async sendOne(row: SiloRow, kind: Kind, t: Target, extra: readonly HeaderLine[]): Promise<{ status: number; target: string }> {
    const d = t.destination;
    const target: DeliveryTarget = {
      requestUri: d?.uri ?? (kind === 'dump' ? row.dstAddr : ownerAor(row)),
      ...(d?.path && d.path.length > 0 ? { route: d.path } : {}),
    };
    let req: SipRequest;
    try {
      req = kind === 'dump' ? buildDumpRequest(row, target, this.cfg, extra) : buildReminderRequest(row, target, this.cfg);
    } catch (err) {
      this.warn(`message ${row.id} cannot be sent to ${target.requestUri}`, err);
      return { status: 500, target: target.requestUri };
    }
    try {
      const r = await this.sender.send(req, this.sendOptions(kind, d));
      return { status: r.status, target: target.requestUri };
    } catch (err) {
      this.warn(`sending message ${row.id} to ${target.requestUri} failed`, err);
      return { status: 503, target: target.requestUri };
    }
  }

  // --- reminders ---------------------------------------------------------------

  /**
   * The send_time timer (m_send_ontimer): every reminder due now goes from
   * `reminder` to every current binding of its AoR (or, without a locator or
   * with outbound_proxy, to the AoR for the proxy to route). No binding, or
   * no 2xx: a failed reminder, kept as an ordinary offline message.
   */
  async runReminders(): Promise<void> {
    if (!this.remindersEnabled || this.reminderRunning) return;
    this.reminderRunning = true;
    try {
      const now = this.nowSeconds();
      const due = this.shared
        ? await this.db.claimDueReminders(now, this.limits.reminderBatch, now + Math.ceil(this.limits.staleDeliveryMs / 1000))
        : await this.db.dueReminders(now, this.limits.reminderBatch);
      const byOwner = new Map<string, SiloRow[]>();
      for (const row of due) {
        if (this.inFlight.has(row.id)) continue;
        const key = ownerAor(row);
        const list = byOwner.get(key);
        if (list) list.push(row);
        else byOwner.set(key, [row]);
      }
      const window = new Window(this.limits.maxInFlight, this.limits.maxInFlightBytes);
      const tasks: Promise<unknown>[] = [];
      for (const [aor, rows] of byOwner) {
        let targets: readonly Target[] = ROUTED;
        if (this.cfg.outbound_proxy === undefined && this.locator) {
          try {
            targets = (await this.locator.lookup(aor)).map((destination) => ({ destination }));
          } catch (err) {
            this.warn(`looking up ${aor} for reminders failed`, err);
            if (this.shared) await this.db.release(rows.map((r) => r.id)).catch((e: unknown) => this.warn('releasing reminders failed', e));
            continue;
          }
        }
        for (const row of rows) {
          const size = wireSizeOf(row);
          await window.acquire(size);
          if (this.inFlight.has(row.id)) {
            window.release(size);
            continue;
          }
          this.inFlight.set(row.id, { since: this.clock.now(), kind: 'reminder', row });
          const p = targets.length === 0 ? this.failOffline(row) : this.deliver(row, 'reminder', targets, []);
          tasks.push(p.finally(() => window.release(size)));
        }
      }
      await Promise.all(tasks);
    } finally {
      this.reminderRunning = false;
    }
  }

  /** A reminder whose AoR has no binding: failed (480), kept as an offline message for the next registration. */
  private async failOffline(row: SiloRow): Promise<boolean> {
    this.counters.failed_reminders.inc();
    try {
      await this.db.clearSendTime(row.id);
    } catch (err) {
      this.warn(`resetting the send time of reminder ${row.id} failed`, err);
    }
    this.inFlight.delete(row.id);
    this.emit('message.failed', () => ({ ...messageInfo(row), status: 480, reminder: true, target: ownerAor(row) }));
    return false;
  }

  // --- check_time / clean_period -----------------------------------------------

  /**
   * The check_time sweep (m_clean_silo): deletes delivered messages whose
   * delete did not commit yet, releases deliveries that never got an
   * answer, and every clean_period-th cycle discards expired messages.
   */
  async runCheckCycle(): Promise<void> {
    if (this.checkRunning) return;
    this.checkRunning = true;
    try {
      this.cycles++;
      if (this.unconfirmed.size > 0) {
        const ids = [...this.unconfirmed];
        try {
          const gone = new Set(await this.db.delete(ids));
          this.unindex(ids.flatMap((id) => (gone.has(id) && this.inFlight.has(id) ? [this.inFlight.get(id)!.row] : [])));
          for (const id of ids) {
            this.unconfirmed.delete(id);
            this.inFlight.delete(id);
          }
        } catch (err) {
          this.warn(`deleting ${ids.length} delivered messages failed again`, err);
        }
      }
      const now = this.clock.now();
      for (const [id, d] of this.inFlight) {
        if (this.unconfirmed.has(id) || now - d.since < this.limits.staleDeliveryMs) continue;
        this.inFlight.delete(id);
        (d.kind === 'reminder' ? this.counters.failed_reminders : this.counters.failed_messages).inc();
        this.warn(`message ${id}: no answer to its delivery after ${Math.round((now - d.since) / 1000)} s; it stays stored`);
        this.emit('message.failed', () => ({ ...messageInfo(d.row), status: 408, reminder: d.kind === 'reminder', target: '' }));
      }
      if (this.cycles % this.cfg.clean_period === 0) await this.expireNow();
    } finally {
      this.checkRunning = false;
    }
  }

  /** Deletes every message whose expire_time has passed; resolves with how many. */
  async expireNow(): Promise<number> {
    const gone = await this.db.deleteExpired(this.nowSeconds());
    this.unindex(gone);
    for (const row of gone) this.emit('message.expired', () => messageInfo(row));
    return gone.length;
  }

  // --- admin ---------------------------------------------------------------------

  private stateOf(id: number, sndTime: number): MessageState {
    if (this.inFlight.has(id)) return 'delivering';
    return sndTime === 0 ? 'stored' : 'scheduled';
  }

  /** GET /api/messages: by owner, sender and state, paged, in storage order. */
  async list(q: MessageListQuery = {}): Promise<MessageListPage> {
    const filter: { -readonly [K in keyof SiloListQuery]: SiloListQuery[K] } = {};
    if (q.owner !== undefined && q.owner.trim() !== '') {
      const text = q.owner.trim().replace(/^sips?:/i, '');
      const at = text.lastIndexOf('@');
      if (at < 0) filter.username = text;
      else {
        filter.username = text.slice(0, at);
        filter.domain = text.slice(at + 1).toLowerCase();
      }
    }
    if (q.from !== undefined && q.from !== '') filter.from = q.from;
    if (q.limit !== undefined) filter.limit = q.limit;
    if (q.offset !== undefined) filter.offset = q.offset;
    if (q.state === 'delivering') return this.listDelivering(filter);
    if (q.state !== undefined) filter.kind = q.state;
    const page = await this.db.list(filter);
    return {
      total: page.total,
      items: page.rows.map((r) => ({ ...messageInfo(r), state: this.stateOf(r.id, r.sndTime) })),
    };
  }

  private async listDelivering(f: SiloListQuery): Promise<MessageListPage> {
    const from = f.from?.toLowerCase();
    const rows = [...this.inFlight.values()]
      .map((d) => d.row)
      .filter(
        (r) =>
          (f.username === undefined || r.username === f.username) &&
          (f.domain === undefined || r.domain === f.domain) &&
          (from === undefined || r.srcAddr.toLowerCase().includes(from)),
      )
      .sort((a, b) => a.id - b.id);
    const offset = Math.max(0, f.offset ?? 0);
    const limit = Math.max(1, Math.min(1000, f.limit ?? 50));
    return { total: rows.length, items: rows.slice(offset, offset + limit).map((r) => ({ ...messageInfo(r), state: 'delivering' as const })) };
  }

  /** GET /api/messages/:id; null when there is no such message. */
  async get(id: number): Promise<SiloMessageDetail | null> {
    const row = await this.db.get(id);
    if (!row) return null;
    const info = messageInfo(row);
    const textual = isTextual(row.contentType);
    return {
      ...info,
      state: this.stateOf(row.id, row.sndTime),
      callId: row.callId,
      body: row.body,
      bodyText: textual ? row.body.toString('utf8') : null,
      extraHeaders: parseHeaderBlock(row.extraHdrs).lines,
    };
  }

  /** DELETE /api/messages/:id: false when there was no such message. Announces message.deleted. */
  async delete(id: number): Promise<boolean> {
    const row = await this.db.get(id);
    if (!row) return false;
    const gone = await this.db.delete([id]);
    if (gone.length === 0) return false;
    this.unindex([row]);
    this.emit('message.deleted', () => messageInfo(row));
    return true;
  }

  /**
   * POST /api/messages: delivered at once when the AoR has a binding that
   * answers 2xx (and no send time is given), else stored (or scheduled as a
   * reminder). Throws SiloError for bad input, a full inbox or a database failure.
   */
  async compose(input: ComposeInput): Promise<ComposeResult> {
    const owner = ownerOf(input.to);
    if (!owner) throw new SiloError('bad_owner', input.to);
    if (!parseUri(input.from).ok || /[\s<>]/.test(input.from)) throw new SiloError('bad_address', input.from);
    const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
    if (body.length === 0) throw new SiloError('empty_body');
    if (body.length > this.limits.maxBodySize) throw new SiloError('body_too_large', `${body.length} bytes`);
    const contentType = input.contentType ?? 'text/plain';
    if (contentType.length > SILO_COLUMN_WIDTH.ctype || /[\r\n]/.test(contentType)) throw new SiloError('content_type_too_long', contentType);
    if (input.from.length > SILO_COLUMN_WIDTH.src_addr || input.to.length > SILO_COLUMN_WIDTH.dst_addr) throw new SiloError('address_too_long');
    const now = this.nowSeconds();
    let sndTime = 0;
    if (input.sendTime !== undefined) {
      if (!this.remindersEnabled) throw new SiloError('reminders_disabled');
      if (!Number.isFinite(input.sendTime) || input.sendTime <= 0) throw new SiloError('bad_send_time', String(input.sendTime));
      sndTime = Math.max(1, Math.floor(input.sendTime / 1000));
    }

    if (sndTime === 0 && this.locator) {
      let bindings: readonly SiloDestination[] = [];
      try {
        bindings = await this.locator.lookup(ownerAor(owner));
      } catch (err) {
        this.warn(`looking up ${ownerAor(owner)} failed; storing the message`, err);
      }
      if (bindings.length > 0) {
        const status = await this.composeNow(input.from, input.to, contentType, body, bindings);
        if (status >= 200 && status < 300) return { outcome: 'delivered', status };
      }
    }
    const message: NewSiloMessage = {
      srcAddr: input.from,
      dstAddr: input.to,
      username: owner.username,
      domain: owner.domain,
      incTime: now,
      expTime: Math.max(now, sndTime) + this.cfg.expire_time,
      sndTime,
      contentType,
      body: Buffer.from(body),
      extraHdrs: '',
      callId: '',
    };
    const r = await this.commit(message);
    if (!r.ok) throw new SiloError(r.code, r.detail);
    return { outcome: sndTime === 0 ? 'stored' : 'scheduled', id: r.id };
  }

  private async composeNow(from: string, to: string, contentType: string, body: Buffer, bindings: readonly SiloDestination[]): Promise<number> {
    const results = await Promise.all(
      bindings.map(async (d) => {
        try {
          const req = buildMessageRequest({
            requestUri: d.uri,
            from,
            to,
            ...(d.path && d.path.length > 0 ? { route: d.path } : {}),
            contentType,
            body,
          });
          return (await this.sender.send(req, this.sendOptions('compose', d))).status;
        } catch (err) {
          this.warn(`sending a composed message to ${d.uri} failed`, err);
          return 503;
        }
      }),
    );
    return results.find((s) => s >= 200 && s < 300) ?? Math.min(...results);
  }

  /** Deliveries waiting for their final answer (admin overview, tests). */
  get delivering(): number {
    return this.inFlight.size;
  }
}

function refusal(code: SiloErrorCode, detail?: string): StoreResult {
  const e = SILO_ERRORS[code];
  return detail === undefined ? { ok: false, status: e.sip, reason: e.reason, code } : { ok: false, status: e.sip, reason: e.reason, code, detail };
}
