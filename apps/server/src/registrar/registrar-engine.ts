import { systemClock } from '@pbx/core';
import { Location, PgLocationStore, Registrar, bindingJson, type Binding, type LookupResult, type SaveResult } from '@pbx/registrar';
import type { SipUri } from '@pbx/sip';
import type { AppContext } from '../app/app-context.js';
import type { RequestContext } from '../routing/route-context.js';
import { contactView, type RegistrationView } from './registration-view.js';

/** AoRs per page when a backup reads every binding, and per window when a restore installs them. */
const BACKUP_PAGE = 1000;

/**
 * The registrar and location service in the appliance: usrloc.db_mode
 * picks the store (the `location` table of the appliance's database), the
 * REGISTRAR block of the request route calls save(), changes go to the
 * event bus as `registration.changed`, and closed TCP/TLS/WS connections
 * drop their bindings (handle_lost_tcp).
 */
export class RegistrarEngine {
  readonly location: Location;
  readonly registrar: Registrar;
  /**
   * Called after a successful REGISTER that added or refreshed bindings, with
   * its outcome (msilo dumps stored messages to those bindings).
   */
  onRegistered?: (aor: string, req: RequestContext['req'], result: SaveResult) => void;

  constructor(private readonly ctx: AppContext) {
    const { pbx } = ctx.config;
    const ds = ctx.db.dataSource;
    const store =
      pbx.usrloc.db_mode === 0
        ? undefined
        : new PgLocationStore({ query: (sql, params) => ds.query(sql, params as unknown[]), useDomain: pbx.usrloc.use_domain === 1 });
    const log = ctx.logger.child({ module: 'registrar' });
    this.location = new Location({
      config: pbx.usrloc,
      clock: systemClock,
      store,
      stats: ctx.stats,
      onChange: (c) =>
        ctx.bus.emit('registration.changed', { aor: c.aor, reason: c.reason, contacts: c.bindings.map(contactView) }),
      watched: () => ctx.bus.hasListeners('registration.changed'),
      onError: (err, context) => log.error({ err, context }, 'location store failed'),
      closeConnection: (id) => ctx.sip.sip.transport.closeConnection(id, 'binding expired'),
    });
    this.registrar = new Registrar({
      config: pbx.registrar,
      location: this.location,
      clock: systemClock,
      stats: ctx.stats,
      isLocal: (uri: SipUri) => ctx.sip.domains.isServerAddress(uri.host),
      onError: (err, context) => log.error({ err, context }, 'registrar failed'),
    });
  }

  async start(): Promise<void> {
    await this.location.start();
    const sip = this.ctx.sip;
    sip.hooks.registrar = (c) => {
      this.save(c);
      return true;
    };
    sip.onConnectionClosed((id) => {
      void this.location.connectionClosed(id);
    });
    this.ctx.shutdownHooks.push(() => this.location.stop());
  }

  private save(c: RequestContext): void {
    // The authenticated user registers their own AoR (the To URI, checked by AUTH).
    const r = this.registrar.processNow(c.req, c.source);
    // db_mode 0 and 2: answered in this turn, without a closure per REGISTER; 1 and 3 once the database has spoken.
    if (r instanceof Promise)
      r.then(
        (res) => this.saved(c, res),
        (err: unknown) => {
          this.ctx.logger.error({ err }, 'REGISTER failed');
          c.reply(500, 'Server Internal Error');
        },
      );
    else this.saved(c, r);
  }

  private saved(c: RequestContext, r: SaveResult): void {
    c.respond(r.response);
    if (r.status === 200 && (r.added.length > 0 || r.refreshed.length > 0) && r.aor) this.onRegistered?.(r.aor, c.req, r);
  }

  lookup(uri: SipUri, method: string): Promise<LookupResult> {
    return this.registrar.lookup(uri, { method });
  }

  async list(q: { search?: string; sort?: 'aor' | 'expires' | 'contacts'; order?: 'asc' | 'desc'; offset: number; limit: number }) {
    const page = await this.location.list(q);
    const now = Date.now();
    return { total: page.total, items: page.items.map((i) => view(i.aor, i.bindings, now)) };
  }

  async get(aor: string): Promise<RegistrationView | undefined> {
    const key = this.keyOf(aor);
    const bindings = await this.location.bindings(key);
    return bindings.length === 0 ? undefined : view(key, bindings, Date.now());
  }

  /** Removes an AoR's bindings (or one, by id); resolves how many went. */
  async unregister(aor: string, id?: string): Promise<number> {
    const removed = await this.location.remove(this.keyOf(aor), id);
    return removed.length;
  }

  /**
   * Every unexpired binding, for a backup: from memory in usrloc.db_mode 0–2
   * (in 2 the table lags by up to a write-back interval, in 0 there is none;
   * in 1 memory and table agree) and from the location table in db_mode 3.
   * Paged through the location service's listing, a page per turn.
   */
  async allBindings(): Promise<Binding[]> {
    const out: Binding[] = [];
    for (let offset = 0; ; offset += BACKUP_PAGE) {
      const page = await this.location.list({ sort: 'aor', offset, limit: BACKUP_PAGE });
      for (const item of page.items) out.push(...item.bindings);
      // A short page is the last; `total` also ends it if AoRs arrive while it pages (db_mode 3).
      if (page.items.length < BACKUP_PAGE || offset + BACKUP_PAGE >= page.total) return out;
    }
  }

  /**
   * Installs bindings from a backup through the location service, so memory,
   * the location table (per db_mode) and `registration.changed` agree and
   * lookups route to them at once. A restored binding replaces a current one
   * with its ruid; `replace` also removes every other current binding. AoRs
   * go in windows so that db_mode 1's group commit batches their writes.
   */
  async restoreBindings(bindings: readonly Binding[], replace: boolean): Promise<number> {
    const byAor = new Map<string, Binding[]>();
    for (const b of bindings) {
      const list = byAor.get(b.aor);
      if (list) list.push(b);
      else byAor.set(b.aor, [b]);
    }
    if (replace) {
      for (const b of await this.allBindings()) if (!byAor.has(b.aor)) byAor.set(b.aor, []);
    }
    const loc = this.location;
    const aors = [...byAor];
    for (let i = 0; i < aors.length; i += BACKUP_PAGE) {
      await Promise.all(
        aors.slice(i, i + BACKUP_PAGE).map(([aor, incoming]) =>
          loc.exclusive(aor, async () => {
            const current = await loc.bindings(aor);
            const ruids = new Set(incoming.map((b) => b.ruid));
            // A same-ruid binding is overwritten by the upsert, never deleted in the same write.
            const removed = replace ? current.filter((b) => !ruids.has(b.ruid)) : [];
            const kept = current.filter((b) => !ruids.has(b.ruid) && !removed.includes(b));
            if (incoming.length === 0 && removed.length === 0) return;
            await loc.commit(aor, [...kept, ...incoming], { added: incoming, refreshed: [], removed });
          }),
        ),
      );
    }
    return bindings.length;
  }

  /**
   * The location key of what an operator typed: `user@domain` or a SIP URI
   * is normalised as a REGISTER's To would be (usrloc.use_domain,
   * registrar.case_sensitive, realm_prefix); a bare key is taken as is.
   */
  keyOf(aor: string): string {
    if (!aor.includes('@')) return aor;
    try {
      return this.registrar.aorOf(/^sips?:/i.test(aor) ? aor : `sip:${aor}`).key;
    } catch {
      return aor;
    }
  }
}

function view(aor: string, bindings: readonly Binding[], now: number): RegistrationView {
  return { aor, contacts: bindings.map((b) => contactView(bindingJson(b, now))) };
}
