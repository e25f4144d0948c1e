import type { Clock, Counter, StatsRegistry } from '@pbx/core';
import { FL_MEM, type Binding, type BindingJson } from './binding.js';
import type { UsrlocConfig } from './config.js';
import { GroupCommitWriter, WriteBackBuffer } from './db-writers.js';
import { ExpiryWheel } from './expiry-wheel.js';
import { KeyedLock } from './keyed-lock.js';
import { pageOf } from './location-query.js';
import type { LocationPage, LocationQuery, LocationStore } from './location-store.js';

/** Why an AoR's bindings changed: the `reason` of `registration.changed`. */
export type ChangeReason = 'added' | 'refreshed' | 'removed' | 'expired';

/**
 * Payload of the `registration.changed` event (plain JSON): the AoR, why,
 * the bindings concerned and every binding the AoR has afterwards. An
 * expiry is reported once per expired binding, like Kamailio's
 * event_route[usrloc:contact-expired].
 */
export interface RegistrationChange {
  aor: string;
  reason: ChangeReason;
  changed: BindingJson[];
  bindings: BindingJson[];
}

/** What a REGISTER (or unregister) did to one AoR. */
export interface BindingChanges {
  readonly added: readonly Binding[];
  readonly refreshed: readonly Binding[];
  readonly removed: readonly Binding[];
}

/** The intervals the service runs on; the default unrefs Node's timers so they never keep a process alive. */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const nodeTimers: Timers = {
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return t;
  },
  clearInterval(h) {
    clearInterval(h as ReturnType<typeof setInterval>);
  },
};

export interface LocationOptions {
  config: UsrlocConfig;
  clock: Clock;
  /** Required for db_mode 1, 2 and 3. */
  store?: LocationStore;
  /** usrloc statistics (registered_users, location-users, location-contacts, location-expires) are registered here. */
  stats?: StatsRegistry;
  /** Every change, as the `registration.changed` payload; the host forwards it to the event bus. */
  onChange?: (change: RegistrationChange) => void;
  /**
   * Whether anyone listens for changes now (the host's event bus: a
   * dashboard connected); unset = always. While it says no, changes are not
   * even built: no JSON of every binding per REGISTER, no reload of an AoR
   * after an expiry in the database.
   */
  watched?: () => boolean;
  /** Failures nobody waits for (a write-back flush, an expiry delete in db_mode 1). */
  onError?: (err: unknown, context: string) => void;
  /** Used by start(); tests call sweep()/flush() themselves instead. */
  timers?: Timers;
  /** usrloc.close_expired_tcp: closes a stream connection whose binding expired. */
  closeConnection?: (connectionId: number) => void;
  /** Schedules a db_mode 1 group commit after the current turn (default setImmediate). */
  defer?: (fn: () => void) => void;
}

// Not frozen: callers copy it with slice(), which on a frozen array leaves V8's
// fast path for a generic element-by-element copy (it showed in REGISTER profiles).
const EMPTY: readonly Binding[] = [];

/**
 * The location service (Kamailio usrloc): bindings indexed by AoR key, with
 * expiry, change events and the four persistence modes of usrloc.db_mode.
 *
 * - 0: memory only.
 * - 1: write-through — `commit()` resolves after the database has the
 *   change (group commit); a failed write restores the previous bindings.
 * - 2: write-back — memory is the truth; changes are flushed in batches
 *   every write_back_interval_ms and on stop().
 * - 3: database only — every read and write goes to the store; nothing is
 *   kept in memory, so several nodes share one table.
 *
 * In modes 0–2 reads never wait (`peek`); only modes 1 and 3 make a
 * REGISTER wait for the database.
 */
export class Location {
  readonly dbMode: 0 | 1 | 2 | 3;
  readonly serverId: number;
  /** True when the bindings live in memory (db_mode 0–2) and `peek` answers without waiting. */
  readonly inMemory: boolean;

  /** The usrloc section this service runs with. */
  readonly config: UsrlocConfig;
  private readonly cfg: UsrlocConfig;
  private readonly clock: Clock;
  private readonly store: LocationStore | undefined;
  private readonly onChange: ((c: RegistrationChange) => void) | undefined;
  private readonly watched: () => boolean;
  private readonly onError: (err: unknown, context: string) => void;
  private readonly timers: Timers;
  private readonly closeConnection: ((id: number) => void) | undefined;

  private readonly index = new Map<string, Binding[]>();
  /**
   * ruid → the AoR whose list holds that binding. The AoR, not the binding:
   * a refresh keeps the ruid and the AoR, so it changes nothing here (one
   * write less into a table of every binding, on most REGISTERs).
   */
  private readonly ruids = new Map<string, string>();
  private readonly connections = new Map<number, Set<string>>();
  private readonly wheel: ExpiryWheel;
  private readonly lock = new KeyedLock();
  private readonly groupCommit: GroupCommitWriter | undefined;
  private readonly writeBack: WriteBackBuffer | undefined;
  private contactCount = 0;
  private handles: unknown[] = [];
  private readonly expiredStat: Counter | undefined;

  constructor(opts: LocationOptions) {
    const cfg = opts.config;
    this.config = cfg;
    this.cfg = cfg;
    this.dbMode = cfg.db_mode as 0 | 1 | 2 | 3;
    this.serverId = cfg.server_id;
    this.inMemory = this.dbMode !== 3;
    this.clock = opts.clock;
    this.store = opts.store;
    this.onChange = opts.onChange;
    this.watched = opts.watched ?? (() => true);
    this.onError = opts.onError ?? (() => {});
    this.timers = opts.timers ?? nodeTimers;
    this.closeConnection = opts.closeConnection;
    this.wheel = new ExpiryWheel(opts.clock.now());
    if (this.dbMode !== 0 && !this.store) throw new Error(`usrloc.db_mode ${this.dbMode} needs a location store`);
    if (this.dbMode === 1) this.groupCommit = new GroupCommitWriter(this.store!, opts.defer);
    if (this.dbMode === 2) this.writeBack = new WriteBackBuffer(this.store!, cfg.write_back_batch);
    const stats = opts.stats;
    if (stats) {
      stats.gauge('usrloc', 'registered_users', 'AoRs with at least one binding', () => this.index.size);
      stats.gauge('usrloc', 'location-users', 'AoRs in the location table', () => this.index.size);
      stats.gauge('usrloc', 'location-contacts', 'Bindings in the location table', () => this.contactCount);
      this.expiredStat = stats.counter('usrloc', 'location-expires', 'Bindings removed because they expired');
    }
  }

  /** AoRs with bindings (memory modes). */
  get users(): number {
    return this.index.size;
  }

  /** Bindings held (memory modes; expired ones count until the next sweep). */
  get contacts(): number {
    return this.contactCount;
  }

  /** db_mode 2: changes not yet flushed. */
  get pendingWrites(): number {
    return this.writeBack?.size ?? 0;
  }

  // --- life cycle ----------------------------------------------------------

  /**
   * Loads the bindings (db_mode 1 and 2, when usrloc.preload lists
   * `location`), forgets connection ids of a previous run (they would name
   * other connections now) and starts the expiry and write-back timers.
   */
  async start(): Promise<void> {
    const store = this.store;
    if (store && (this.dbMode === 1 || this.dbMode === 2) && this.cfg.preload.includes('location')) {
      const now = this.clock.now();
      const byAor = new Map<string, Binding[]>();
      for (const row of await store.loadAll(now)) {
        const b = row.connectionId !== 0 && row.serverId === this.serverId ? row.with({ connectionId: 0 }) : row;
        const list = byAor.get(b.aor);
        if (list) list.push(b);
        else byAor.set(b.aor, [b]);
      }
      for (const [aor, list] of byAor) this.install(aor, this.index.get(aor) ?? EMPTY, list);
    }
    if (store && this.dbMode !== 0) await store.resetConnections(this.serverId);
    this.handles.push(this.timers.setInterval(() => this.sweep().catch((e) => this.onError(e, 'usrloc timer')), this.cfg.timer_interval * 1000));
    if (this.dbMode === 2) {
      this.handles.push(this.timers.setInterval(() => this.flush().catch((e) => this.onError(e, 'usrloc write-back')), this.cfg.write_back_interval_ms));
    }
  }

  /** Stops the timers and, in db_mode 2, writes what is pending. */
  async stop(): Promise<void> {
    for (const h of this.handles) this.timers.clearInterval(h);
    this.handles = [];
    await this.flush();
  }

  /** db_mode 2: writes pending changes now (also run by the write-back timer). */
  async flush(): Promise<void> {
    await this.writeBack?.flush();
  }

  // --- reads ---------------------------------------------------------------

  /** The bindings of an AoR unexpired at `now`, from memory (db_mode 0–2; empty in db_mode 3). */
  peek(aor: string, now = this.clock.now()): readonly Binding[] {
    const list = this.index.get(aor);
    if (!list) return EMPTY;
    for (const b of list) if (b.expires <= now) return list.filter((x) => x.expires > now);
    return list;
  }

  /** The unexpired bindings of an AoR (db_mode 3 reads the database). */
  async bindings(aor: string): Promise<readonly Binding[]> {
    if (this.inMemory) return this.peek(aor);
    return this.store!.loadAor(aor, this.clock.now());
  }

  /** One unexpired binding by ruid from memory (db_mode 0–2). */
  peekRuid(ruid: string): Binding | null {
    const b = this.byRuid(ruid);
    return b && b.expires > this.clock.now() ? b : null;
  }

  /** One unexpired binding by ruid. */
  async findRuid(ruid: string): Promise<Binding | null> {
    if (!this.inMemory) return this.store!.loadRuid(ruid, this.clock.now());
    return this.peekRuid(ruid);
  }

  /** One page of AoRs for the admin API. */
  async list(query: LocationQuery = {}): Promise<LocationPage> {
    const now = this.clock.now();
    if (!this.inMemory) return this.store!.search(query, now);
    return pageOf(this.index, query, now);
  }

  // --- writes --------------------------------------------------------------

  /**
   * Runs `fn` alone for this AoR when the mode makes a REGISTER wait on the
   * database (1 and 3); in modes 0 and 2 a save never yields, so it is
   * already alone.
   */
  exclusive<T>(aor: string, fn: () => Promise<T>): Promise<T> {
    return this.dbMode === 1 || this.dbMode === 3 ? this.lock.run(aor, fn) : fn();
  }

  /**
   * Replaces an AoR's bindings with `next`, as a REGISTER decided. In
   * memory the swap is one synchronous step; db_mode 1 then waits for the
   * database and, if the write fails, puts the previous bindings back and
   * rejects; db_mode 3 writes first and rejects without any change. Events
   * are emitted once the change stands. Stored bindings missing from `next`
   * that were not removed on purpose had expired and are reported so.
   * Returns undefined when nothing needs waiting for (db_mode 0 and 2).
   */
  commit(aor: string, next: Binding[], changes: BindingChanges): Promise<void> | undefined {
    const now = this.clock.now();
    if (!this.inMemory) return this.commitToStore(aor, next, changes, now);
    const prev = this.index.get(aor) ?? EMPTY;
    const expired = expiredIn(prev, next, changes.removed, now);
    this.install(aor, prev, next);
    if (this.groupCommit === undefined && this.writeBack === undefined) {
      this.announce(aor, next, changes, expired, now);
      return undefined;
    }
    const upserts = persisted([...changes.added, ...changes.refreshed]);
    const deletes = persisted([...changes.removed, ...expired]).map((b) => b.ruid);
    if (this.groupCommit && (upserts.length || deletes.length)) {
      return this.groupCommit.commit(upserts, deletes).then(
        () => this.announce(aor, next, changes, expired, now),
        (e: unknown) => {
          // Restore, unless something else (expiry, a closed connection) changed the AoR meanwhile.
          if (this.index.get(aor) === next || (next.length === 0 && !this.index.has(aor))) this.install(aor, next, prev as Binding[]);
          throw e;
        },
      );
    }
    this.writeBack?.enqueue(upserts, deletes);
    this.announce(aor, next, changes, expired, now);
    return undefined;
  }

  private async commitToStore(aor: string, next: Binding[], changes: BindingChanges, now: number): Promise<void> {
    const upserts = [...changes.added, ...changes.refreshed];
    const deletes = changes.removed.map((b) => b.ruid);
    if (upserts.length || deletes.length) await this.store!.write({ upserts, deletes });
    this.announce(aor, next, changes, EMPTY, now);
  }

  /** Kamailio unregister(): removes one binding (by ruid) or all bindings of an AoR; returns what was removed. */
  async remove(aor: string | null, ruid?: string): Promise<Binding[]> {
    if (aor === null) {
      if (ruid === undefined) return [];
      const b = await this.findRuid(ruid);
      if (!b) return [];
      aor = b.aor;
    }
    const key = aor;
    return this.exclusive(key, async () => {
      const current = await this.bindings(key);
      const gone = ruid === undefined ? [...current] : current.filter((b) => b.ruid === ruid);
      if (gone.length === 0) return [];
      const next = current.filter((b) => !gone.includes(b));
      await this.commit(key, next, { added: EMPTY, refreshed: EMPTY, removed: gone });
      return gone;
    });
  }

  /**
   * A stream connection closed (usrloc.handle_lost_tcp, on by default):
   * bindings this server made over it are unreachable now and are removed,
   * in every db_mode. Returns how many.
   */
  async connectionClosed(connectionId: number): Promise<number> {
    if (this.cfg.handle_lost_tcp !== 1 || connectionId === 0) return 0;
    if (!this.inMemory) {
      const rows = await this.store!.deleteByConnection(this.serverId, connectionId);
      await this.announceStoreRemovals(rows, 'removed');
      return rows.length;
    }
    const aors = this.connections.get(connectionId);
    if (!aors) return 0;
    this.connections.delete(connectionId);
    let n = 0;
    const waits: Promise<void>[] = [];
    for (const aor of aors) {
      const list = this.index.get(aor);
      if (!list) continue;
      const gone = list.filter((b) => b.connectionId === connectionId && b.serverId === this.serverId);
      if (gone.length === 0) continue;
      n += gone.length;
      const p = this.commit(aor, list.filter((b) => !gone.includes(b)), { added: EMPTY, refreshed: EMPTY, removed: gone });
      if (p) waits.push(p.catch((e) => this.onError(e, 'usrloc connection close')));
    }
    await Promise.all(waits);
    return n;
  }

  /**
   * The usrloc timer: removes bindings whose expiry has passed and reports
   * each (reason `expired`). In db_mode 3 expired rows are skipped by every
   * read and deleted here only with usrloc.db_timer_clean. Returns how many.
   */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    if (!this.inMemory) {
      if (this.cfg.db_timer_clean !== 1) return 0;
      const rows = await this.store!.deleteExpired(now);
      this.expiredStat?.inc(rows.length);
      await this.announceStoreRemovals(rows, 'expired');
      return rows.length;
    }
    const byAor = new Map<string, Binding[]>();
    this.wheel.due(now, (ruid) => {
      const b = this.byRuid(ruid);
      if (!b) return true; // removed meanwhile
      if (b.expires > now) return Math.floor(b.expires / 1000) > Math.floor(now / 1000); // refreshed: filed again under its new second
      const gone = byAor.get(b.aor);
      if (gone) {
        if (!gone.includes(b)) gone.push(b);
      } else byAor.set(b.aor, [b]);
      return true;
    });
    let n = 0;
    for (const [aor, gone] of byAor) {
      const prev = this.index.get(aor)!;
      const next = prev.filter((b) => !gone.includes(b));
      this.install(aor, prev, next);
      n += gone.length;
      const deletes = persisted(gone).map((b) => b.ruid);
      if (deletes.length) {
        if (this.groupCommit) this.groupCommit.commit(EMPTY, deletes).catch((e) => this.onError(e, 'usrloc expiry delete'));
        this.writeBack?.enqueue(EMPTY, deletes);
      }
      for (const b of gone) {
        if (this.cfg.close_expired_tcp === 1 && b.connectionId !== 0 && b.serverId === this.serverId) this.closeConnection?.(b.connectionId);
        this.emit(aor, 'expired', [b], next, now);
      }
    }
    this.expiredStat?.inc(n);
    return n;
  }

  /** The timer work in one call, for hosts that drive it themselves: sweep, then flush. */
  async tick(): Promise<void> {
    await this.sweep();
    await this.flush();
  }

  // --- internals -----------------------------------------------------------

  /** The binding a ruid names, from memory (expired or not), or undefined. */
  private byRuid(ruid: string): Binding | undefined {
    const aor = this.ruids.get(ruid);
    if (aor === undefined) return undefined;
    const list = this.index.get(aor);
    if (list === undefined) return undefined;
    for (const b of list) if (b.ruid === ruid) return b;
    return undefined;
  }

  private install(aor: string, prev: readonly Binding[], next: readonly Binding[]): void {
    // A refreshed binding keeps its ruid (and AoR): only ruids that come or go touch the table.
    for (const b of prev) if (!hasRuid(next, b.ruid) && this.ruids.get(b.ruid) === aor) this.ruids.delete(b.ruid);
    for (const b of next) {
      if (!hasRuid(prev, b.ruid)) this.ruids.set(b.ruid, aor);
      if (!prev.includes(b)) {
        this.wheel.add(b.ruid, b.expires);
        if (b.connectionId !== 0) {
          const set = this.connections.get(b.connectionId);
          if (set) set.add(aor);
          else this.connections.set(b.connectionId, new Set([aor]));
        }
      }
    }
    if (next.length === 0) this.index.delete(aor);
    else this.index.set(aor, next as Binding[]);
    this.contactCount += next.length - prev.length;
  }

  private announce(aor: string, next: readonly Binding[], changes: BindingChanges, expired: readonly Binding[], now: number): void {
    if (!this.onChange || !this.watched()) return;
    if (changes.added.length) this.emit(aor, 'added', changes.added, next, now);
    if (changes.refreshed.length) this.emit(aor, 'refreshed', changes.refreshed, next, now);
    if (changes.removed.length) this.emit(aor, 'removed', changes.removed, next, now);
    for (const b of expired) this.emit(aor, 'expired', [b], next, now);
  }

  private async announceStoreRemovals(rows: readonly Binding[], reason: ChangeReason): Promise<void> {
    if (!this.onChange || rows.length === 0 || !this.watched()) return;
    const now = this.clock.now();
    const byAor = new Map<string, Binding[]>();
    for (const b of rows) {
      const list = byAor.get(b.aor);
      if (list) list.push(b);
      else byAor.set(b.aor, [b]);
    }
    for (const [aor, gone] of byAor) {
      const left = await this.store!.loadAor(aor, now);
      if (reason === 'expired') for (const b of gone) this.emit(aor, reason, [b], left, now);
      else this.emit(aor, reason, gone, left, now);
    }
  }

  private emit(aor: string, reason: ChangeReason, changed: readonly Binding[], bindings: readonly Binding[], now: number): void {
    const fn = this.onChange;
    if (!fn) return;
    try {
      fn({ aor, reason, changed: changed.map((b) => b.json(now)), bindings: bindings.map((b) => b.json(now)) });
    } catch (e) {
      this.onError(e, 'registration.changed listener');
    }
  }
}

/** Bindings that go to the database: not the memory-only ones (save() flag 0x01). */
function persisted(bs: readonly Binding[]): Binding[] {
  return bs.filter((b) => (b.flags & FL_MEM) === 0);
}

/** Stored bindings that expired unnoticed: past their time, neither removed on purpose nor carried into `next` (EMPTY when none, the usual case). */
function expiredIn(prev: readonly Binding[], next: readonly Binding[], removed: readonly Binding[], now: number): readonly Binding[] {
  let out: Binding[] | null = null;
  for (const b of prev) {
    if (b.expires <= now && !removed.includes(b) && !hasRuid(next, b.ruid)) (out ??= []).push(b);
  }
  return out ?? EMPTY;
}

function hasRuid(list: readonly Binding[], ruid: string): boolean {
  for (const b of list) if (b.ruid === ruid) return true;
  return false;
}
