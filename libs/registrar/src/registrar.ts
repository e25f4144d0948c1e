import type { Clock, StatsRegistry } from '@pbx/core';
import { parseUri, statelessToTag, type Peer, type SipRequest, type SipResponse, type SipUri, type Uri } from '@pbx/sip';
import { aorOf, tryAor, type Aor, type AorOptions } from './aor.js';
import { applyContacts, type Plan } from './apply-contacts.js';
import type { Binding, BindingJson } from './binding.js';
import type { RegistrarConfig } from './config.js';
import { RegistrarError } from './errors.js';
import { gruuTarget, instanceUrn, RuidGenerator } from './gruu.js';
import type { Location } from './location.js';
import { METHOD_NOT_ALLOWED, NOT_FOUND, targetsOf, type LookupOptions, type LookupResult, type LookupTarget, type TargetContext } from './lookup.js';
import { readRegister, type ReadContext, type RegisterRequest, type SaveOptions } from './register-request.js';
import { registerRegistrarStats, type RegistrarStats } from './registrar-stats.js';
import { errorReply, okReply } from './reply.js';

export interface RegistrarOptions {
  config: RegistrarConfig;
  /** The location service; its usrloc config supplies use_domain, matching_mode, nat_bflag and server_id. */
  location: Location;
  clock: Clock;
  /** registrar statistics (accepted_regs, rejected_regs, max_expires, max_contacts, default_expire, …) are registered here. */
  stats?: StatsRegistry;
  /** [0, 1) for the expires ranges; default Math.random. */
  random?: () => number;
  /** Kamailio's `myself` for path_check_local: true when a URI names this server. */
  isLocal?: (uri: SipUri) => boolean;
  /**
   * The To tag of a reply; default statelessToTag: the same for a
   * retransmission, which REGISTER's transaction does not absorb (RFC 3261
   * §8.2.7, as Kamailio's sl).
   */
  toTagOf?: (req: SipRequest) => string;
  /** Unexpected failures behind a 500 (a database error), for the log. */
  onError?: (err: unknown, context: string) => void;
}

/** Kamailio save() return codes: 1 contacts inserted, 2 updated, 3 deleted, 4 returned (a query). */
export type SaveOutcome = 'inserted' | 'updated' | 'deleted' | 'queried';

/** Everything save() decided, for the routing policy (msilo dump after a 200, logging). */
export interface SaveResult {
  response: SipResponse;
  status: number;
  /** The AoR key, once the AoR could be read. */
  aor: string | null;
  error: RegistrarError | null;
  outcome: SaveOutcome | null;
  /** The AoR's bindings after the REGISTER (before it, when rejected and known). */
  bindings: readonly Binding[];
  added: readonly Binding[];
  refreshed: readonly Binding[];
  removed: readonly Binding[];
}

/** registered() match options (Kamailio match_option 1/2/4; reg_callid_avp is the Call-ID one). */
export interface RegisteredMatch {
  callId?: string;
  received?: string;
  contact?: string;
}

/**
 * The registrar (Kamailio registrar module): save() for REGISTER, lookup()
 * for the LOCATION block, registered(), unregister() and fetchContacts().
 * Framework-free; the collaborators (location service, clock, statistics)
 * are passed in.
 *
 * A REGISTER is processed completely or not at all (RFC 3261 §10.3): it is
 * read and checked first (readRegister), its effect is computed on a
 * snapshot of the AoR (applyContacts), and only a complete plan is
 * committed, in one step. Every rejection leaves the bindings as they were.
 */
export class Registrar {
  readonly config: RegistrarConfig;
  private readonly location: Location;
  private readonly clock: Clock;
  private readonly stats: RegistrarStats;
  private readonly readCtx: ReadContext;
  private readonly aorOptions: AorOptions;
  private readonly ruids: RuidGenerator;
  private readonly toTagOf: (req: SipRequest) => string;
  private readonly onError: (err: unknown, context: string) => void;
  private readonly isLocal: ((uri: SipUri) => boolean) | undefined;
  private lookupCtx: TargetContext | undefined;
  private readonly nextRuid = (): string => this.ruids.next();
  private dateSecond = -1;
  private dateText = '';

  constructor(opts: RegistrarOptions) {
    const cfg = opts.config;
    const ul = opts.location.config;
    this.config = cfg;
    this.location = opts.location;
    this.clock = opts.clock;
    this.stats = registerRegistrarStats(opts.stats, cfg);
    this.aorOptions = { useDomain: ul.use_domain === 1, caseSensitive: cfg.case_sensitive === 1, realmPrefix: cfg.realm_prefix };
    this.readCtx = { cfg, aorOptions: this.aorOptions, natBflag: ul.nat_bflag, random: opts.random ?? Math.random };
    this.ruids = new RuidGenerator(ul.server_id, opts.clock.now());
    this.toTagOf = opts.toTagOf ?? statelessToTag;
    this.onError = opts.onError ?? (() => {});
    this.isLocal = opts.isLocal;
  }

  /** The AoR key a URI is stored under (use_domain, case_sensitive, realm_prefix); throws RegistrarError. */
  aorOf(uri: Uri | string): Aor {
    return aorOf(uri, this.aorOptions);
  }

  // --- save ------------------------------------------------------------------

  /** Processes a REGISTER and returns the reply to send (Kamailio save()). */
  async save(req: SipRequest, source: Peer, opts: SaveOptions = {}): Promise<SipResponse> {
    return (await this.process(req, source, opts)).response;
  }

  /**
   * save() with everything it decided. Never rejects: every failure is a
   * reply. In db_mode 0 and 2 the work is done before this returns (the
   * promise is already settled); db_mode 1 and 3 wait for the database,
   * one REGISTER per AoR at a time.
   */
  process(req: SipRequest, source: Peer, opts: SaveOptions = {}): Promise<SaveResult> {
    return Promise.resolve(this.processNow(req, source, opts));
  }

  /**
   * process() without a promise where none is needed: in db_mode 0 and 2 the
   * result itself, so the reply leaves in the same turn as the REGISTER came
   * in (no microtask, and the transaction never waits for its answer).
   */
  processNow(req: SipRequest, source: Peer, opts: SaveOptions = {}): SaveResult | Promise<SaveResult> {
    const toTag = opts.toTag ?? this.toTagOf(req);
    let reg: RegisterRequest;
    try {
      reg = readRegister(req, source, opts, this.readCtx);
    } catch (e) {
      return this.reject(req, e, toTag, null);
    }
    const key = reg.aor.key;
    const loc = this.location;
    if (loc.dbMode === 0 || loc.dbMode === 2) {
      try {
        return this.apply(req, reg, toTag, loc.peek(key)) as SaveResult;
      } catch (e) {
        return this.reject(req, e, toTag, key);
      }
    }
    return loc
      .exclusive(key, async () => this.apply(req, reg, toTag, loc.inMemory ? loc.peek(key) : await loc.bindings(key)))
      .catch((e: unknown) => this.reject(req, e, toTag, key));
  }

  /** RFC 3261 §10.3 steps 7–8 on the AoR's current bindings; waits only when the location service makes it (db_mode 1, 3). */
  private apply(req: SipRequest, reg: RegisterRequest, toTag: string, current: readonly Binding[]): SaveResult | Promise<SaveResult> {
    const now = this.clock.now();
    const plan = applyContacts(current, reg, {
      now,
      matchingMode: this.location.config.matching_mode,
      cseqDelayMs: this.location.config.cseq_delay * 1000,
      serverId: this.location.serverId,
      nextRuid: this.nextRuid,
    });
    if (plan.added.length + plan.refreshed.length + plan.removed.length === 0) return this.accept(req, reg, toTag, plan, current, now);
    const wait = this.location.commit(reg.aor.key, plan.next, plan);
    if (wait) return wait.then(() => this.accept(req, reg, toTag, plan, plan.next, now));
    return this.accept(req, reg, toTag, plan, plan.next, now);
  }

  private accept(req: SipRequest, reg: RegisterRequest, toTag: string, plan: Plan, bindings: readonly Binding[], now: number): SaveResult {
    this.stats.acceptedRegs.inc();
    const response = okReply(req, reg, bindings, this.config, now, toTag, this.date(now));
    const outcome: SaveOutcome = plan.added.length ? 'inserted' : plan.refreshed.length ? 'updated' : plan.removed.length ? 'deleted' : 'queried';
    return { response, status: 200, aor: reg.aor.key, error: null, outcome, bindings, added: plan.added, refreshed: plan.refreshed, removed: plan.removed };
  }

  private reject(req: SipRequest, e: unknown, toTag: string, aor: string | null): SaveResult {
    let err: RegistrarError;
    if (e instanceof RegistrarError) err = e;
    else {
      this.onError(e, 'registrar save');
      err = new RegistrarError('store_failure');
    }
    this.stats.rejectedRegs.inc();
    const bindings = aor !== null && this.location.inMemory ? this.location.peek(aor) : [];
    return { response: errorReply(req, err, this.config, toTag), status: err.status, aor, error: err, outcome: null, bindings, added: [], refreshed: [], removed: [] };
  }

  /** RFC 1123 date for the Date header (RFC 3261 §10.3 step 8), formatted once per second. */
  private date(now: number): string {
    const s = Math.floor(now / 1000);
    if (s !== this.dateSecond) {
      this.dateSecond = s;
      this.dateText = new Date(s * 1000).toUTCString();
    }
    return this.dateText;
  }

  // --- lookup ----------------------------------------------------------------

  /**
   * Kamailio lookup(): the branches for a Request-URI. A URI with `gr`
   * reaches only its instance (RFC 5627 §6.1): a pub-gruu every flow of the
   * instance, a temp-gruu the binding it was issued for and its sibling
   * flows. 404 when there is no binding, 405 when method_filtering leaves
   * none. Answers from memory without waiting in db_mode 0–2.
   */
  lookup(uri: Uri | string, opts: LookupOptions = {}): Promise<LookupResult> {
    if (this.location.inMemory) return Promise.resolve(this.lookupLocal(uri, opts));
    return this.lookupStore(uri, opts);
  }

  /** lookup() from memory, synchronously (db_mode 0–2; in db_mode 3 it always finds nothing). */
  lookupLocal(uri: Uri | string, opts: LookupOptions = {}): LookupResult {
    const u = toSipUri(uri);
    if (!u) return NOT_FOUND;
    const g = this.config.gruu_enabled === 1 ? gruuTarget(u) : null;
    if (g?.kind === 'temp') {
      const b = this.location.peekRuid(g.ruid);
      if (!b) return NOT_FOUND;
      return targetsOf(b.aor, siblings(this.location.peek(b.aor), b), opts, this.targetCtx());
    }
    const key = this.keyOf(u);
    if (key === null) return NOT_FOUND;
    const now = this.clock.now();
    let all = this.location.peek(key, now);
    if (g?.kind === 'pub') all = all.filter((b) => b.instance !== null && instanceUrn(b.instance) === g.instanceUrn);
    return targetsOf(key, all, opts, this.targetCtx(now));
  }

  /**
   * lookup() over given bindings of `aor` instead of the stored ones: the
   * branches to the bindings a REGISTER just made, in every db_mode (m_dump
   * sends to the contact of the registration, not to whatever binding of the
   * AoR ranks first).
   */
  targetsFor(aor: string, bindings: readonly Binding[], opts: LookupOptions = {}): LookupResult {
    return targetsOf(aor, bindings, opts, this.targetCtx());
  }

  private async lookupStore(uri: Uri | string, opts: LookupOptions): Promise<LookupResult> {
    const u = toSipUri(uri);
    if (!u) return NOT_FOUND;
    const g = this.config.gruu_enabled === 1 ? gruuTarget(u) : null;
    if (g?.kind === 'temp') {
      const b = await this.location.findRuid(g.ruid);
      if (!b) return NOT_FOUND;
      return targetsOf(b.aor, siblings(await this.location.bindings(b.aor), b), opts, this.targetCtx());
    }
    const key = this.keyOf(u);
    if (key === null) return NOT_FOUND;
    let all = await this.location.bindings(key);
    if (g?.kind === 'pub') all = all.filter((b) => b.instance !== null && instanceUrn(b.instance) === g.instanceUrn);
    return targetsOf(key, all, opts, this.targetCtx());
  }

  /**
   * Kamailio lookup_branches(): lookup() of the Request-URI and of each
   * additional branch URI, all branches together. 405 only when some URI
   * had bindings that method filtering excluded and none gave a branch.
   */
  async lookupBranches(uris: ReadonlyArray<Uri | string>, opts: LookupOptions = {}): Promise<LookupResult> {
    const targets: LookupTarget[] = [];
    let filtered = false;
    let aor = '';
    for (const uri of uris) {
      const r = await this.lookup(uri, opts);
      if (r.ok) {
        if (!aor) aor = r.aor;
        targets.push(...r.targets);
      } else if (r.code === 'method_not_allowed') filtered = true;
    }
    if (targets.length) return { ok: true, aor, targets };
    return filtered ? METHOD_NOT_ALLOWED : NOT_FOUND;
  }

  /** Kamailio registered(): whether the AoR has a binding (matching the options, when given). */
  async registered(uri: Uri | string, match: RegisteredMatch = {}): Promise<boolean> {
    const u = toSipUri(uri);
    const key = u ? this.keyOf(u) : null;
    if (key === null) return false;
    const all = await this.location.bindings(key);
    return all.some(
      (b) =>
        (match.callId === undefined || b.callId === match.callId) &&
        (match.received === undefined || b.received === match.received) &&
        (match.contact === undefined || b.contact === match.contact),
    );
  }

  /**
   * Kamailio unregister(): removes every binding of the AoR, or only the one
   * with `ruid` (then the AoR may be null, as in db_mode 3). Returns the
   * removed bindings (empty: Kamailio's -3, not found).
   */
  async unregister(uri: Uri | string | null, ruid?: string): Promise<Binding[]> {
    if (uri === null) return this.location.remove(null, ruid);
    return this.location.remove(this.aorOf(uri).key, ruid);
  }

  /** Kamailio reg_fetch_contacts(): the AoR's bindings as plain JSON ($ulc attributes). */
  async fetchContacts(uri: Uri | string): Promise<BindingJson[]> {
    const now = this.clock.now();
    return (await this.location.bindings(this.aorOf(uri).key)).map((b) => b.json(now));
  }

  private keyOf(u: SipUri): string | null {
    const a = tryAor(u, this.aorOptions);
    return typeof a === 'string' ? null : a.key;
  }

  /**
   * The lookup context at `now`: one object per registrar (its config is
   * fixed), its clock set per lookup, since a lookup runs for every request
   * routed to a user. targetsOf() reads it synchronously and keeps nothing.
   */
  private targetCtx(now = this.clock.now()): TargetContext {
    const ctx = (this.lookupCtx ??= {
      now,
      serverId: this.location.serverId,
      appendBranches: this.config.append_branches === 1,
      methodFiltering: this.config.method_filtering === 1,
      pathCheckLocal: this.config.path_check_local === 1,
      isLocal: this.isLocal,
    });
    ctx.now = now;
    return ctx;
  }
}

/** A temp-GRUU reaches its binding and the other flows of the same instance. */
function siblings(all: readonly Binding[], b: Binding): Binding[] {
  return b.instance === null ? all.filter((x) => x.ruid === b.ruid) : all.filter((x) => x.instance === b.instance);
}

function toSipUri(uri: Uri | string): SipUri | null {
  if (typeof uri === 'string') {
    const r = parseUri(uri);
    if (!r.ok) return null;
    uri = r.uri;
  }
  return uri.kind === 'sip' ? uri : null;
}
