import { systemClock } from '@pbx/core';
import { MessageSilo, PostgresSiloStore, messageSupported, type MsiloEventMap, type SiloDestination, type SiloSender } from '@pbx/msilo';
import { newBranch, parseUriOrThrow, resolveLiteral, type ForwardTarget, type SipRequest } from '@pbx/sip';
import type { LookupTarget, SaveResult } from '@pbx/registrar';
import type { AppContext } from '../app/app-context.js';
import { forwardTarget, type OfflineStore } from '../routing/proxy-hooks.js';
import type { RequestContext } from '../routing/route-context.js';

/** Request header a client sets to `off` so that storing its MESSAGE sends it no offline notification. */
export const NO_NOTIFICATION_HEADER = 'X-Offline-Notification';

/**
 * REGISTER-triggered dumps waiting for the database at most, with
 * usrloc.db_mode 3 (where each one asks it). Beyond that a REGISTER starts
 * no dump: its messages stay stored for the next registration, instead of
 * a queue of queries growing while the database lags.
 */
const MAX_PENDING_DUMPS = 512;

/** The dashboard's word for each msilo event. */
const STATE: Record<keyof MsiloEventMap, string> = {
  'message.stored': 'stored',
  'message.dumped': 'delivered',
  'message.failed': 'failed',
  'message.expired': 'expired',
  'message.deleted': 'deleted',
};

/** A lookup branch as msilo's destination; the sender gets the branch back as the handle, resolved to its send target once (a dump sends every message to one destination). */
function siloDestination(t: LookupTarget): SiloDestination {
  return { uri: t.uri, path: t.route, handle: forwardTarget(t) };
}

/**
 * msilo in the appliance: the `silo` table of the appliance's database,
 * deliveries sent as client transactions of the SIP server, dumps started
 * by successful REGISTERs, and MESSAGEs for unreachable users stored from
 * the LOCATION block.
 *
 * One node (usrloc.db_mode 0–2): msilo keeps the index of owners with
 * stored messages in memory, so a REGISTER of a user with nothing stored
 * costs no query. Several nodes on one PostgreSQL (db_mode 3): others
 * store too, so each dump asks the database and claims its rows with row
 * locks (MessageSilo `shared`), and a message goes out from one node only.
 */
export class MsiloEngine implements OfflineStore {
  readonly silo: MessageSilo;
  private readonly shared: boolean;
  private pendingDumps = 0;
  private readonly log;

  constructor(private readonly ctx: AppContext) {
    const ds = ctx.db.dataSource;
    const log = ctx.logger.child({ module: 'msilo' });
    this.log = log;
    this.shared = ctx.config.pbx.usrloc.db_mode === 3;
    this.silo = new MessageSilo({
      shared: this.shared,
      config: ctx.config.pbx.msilo,
      store: new PostgresSiloStore((sql, params) => ds.query(sql, params as unknown[])),
      sender: this.sender(),
      locator: {
        lookup: async (aor) => {
          const r = await ctx.registrar.registrar.lookup(aor, { method: 'MESSAGE' });
          return r.ok ? r.targets.map(siloDestination) : [];
        },
      },
      clock: systemClock,
      stats: ctx.stats,
      events: {
        emit: (name, payload) => ctx.bus.emit(name, { ...payload, state: STATE[name] } as never),
        hasListeners: (name) => ctx.bus.hasListeners(name),
      },
      log: { warn: (msg) => log.warn(msg) },
    });
  }

  /** Loads the index of owners with stored messages (one query) before the first REGISTER can arrive. */
  async start(): Promise<void> {
    await this.silo.start();
    this.ctx.registrar.onRegistered = (aor, req, result) => this.registered(aor, req, result);
    this.ctx.shutdownHooks.unshift(() => this.silo.stop());
  }

  /**
   * Re-reads which users have stored messages from the silo table. Call it
   * after writing silo rows other than through msilo (a backup restore):
   * until then a REGISTER of a user whose messages were restored would not
   * look for them.
   */
  reloadIndex(): Promise<void> {
    return this.silo.reloadIndex();
  }

  /**
   * m_store. A client asks for no offline notification with the request
   * header `X-Offline-Notification: off` (our form of skip_notification_flag,
   * which Kamailio sets from the script).
   */
  store(c: RequestContext): Promise<{ status: number; reason: string }> {
    const skip = c.req.get(NO_NOTIFICATION_HEADER)?.trim().toLowerCase() === 'off';
    return this.silo.store(c.req, { skipNotification: skip }).then((r) => ({ status: r.status, reason: r.reason }));
  }

  /**
   * m_dump after a REGISTER's 200, when the phone takes MESSAGE (msilo's
   * example cfg), "to the contact address in the registration": the binding
   * this REGISTER made or refreshed, with its received address, Path and
   * flow, resolved once for the whole dump (dump_to_all_bindings and
   * outbound_proxy take precedence inside MessageSilo.dump).
   */
  private registered(aor: string, req: SipRequest, result: SaveResult): void {
    const to = req.to().uri;
    if (to.kind !== 'sip' || to.user === null) return;
    // The REGISTER hot path: most users have nothing stored, and that is one map lookup.
    if (!this.silo.mayHaveMessages(to) || !messageSupported(req)) return;
    if (this.shared && this.pendingDumps >= MAX_PENDING_DUMPS) {
      this.log.warn(`${this.pendingDumps} dumps waiting for the database; none for this REGISTER of ${to.user}@${to.host} (messages stay stored)`);
      return;
    }
    this.pendingDumps++;
    const r = this.ctx.registrar.registrar.targetsFor(aor, [...result.added, ...result.refreshed], { method: 'MESSAGE' });
    const destinations = r.ok ? [siloDestination(r.targets[0]!)] : undefined;
    this.silo
      .dump(`sip:${to.user}@${to.host}`, { register: req, ...(destinations ? { destinations } : {}) })
      .catch((err: unknown) => this.ctx.logger.error({ err }, 'msilo dump failed'))
      .finally(() => this.pendingDumps--);
  }

  /**
   * Deliveries as client transactions: a Via of ours for the transport the
   * destination needs, the final status back to msilo (the layer makes 408
   * on timeout and 503/430 on transport errors itself). A request for a
   * destination comes with the binding's Contact as Request-URI and its
   * Path as Route already (SiloDestination); one for the AoR gets them here.
   */
  private sender(): SiloSender {
    return {
      send: async (req, opts) => {
        const given = opts.destination?.handle as ForwardTarget | undefined;
        if (given !== undefined) return this.deliver(req, given, false);
        // m_dump to the AoR: route it as the proxy would, to the best current binding.
        const r = await this.ctx.registrar.registrar.lookup(req.requestUri, { method: 'MESSAGE' });
        if (!r.ok || r.targets.length === 0) return { status: 404 };
        return this.deliver(req, forwardTarget(r.targets[0]!), true);
      },
    };
  }

  /**
   * One delivery as a client transaction to a binding: when `retarget`, its
   * Contact becomes the Request-URI and its Path the Route set; then a Via
   * of ours for the transport, and the final status back to msilo.
   */
  private deliver(req: SipRequest, t: ForwardTarget, retarget: boolean): Promise<{ status: number }> {
    const sip = this.ctx.sip.sip;
    const route = (t.route ?? []).map(String);
    if (retarget && t.uri !== undefined) req.setRequestUri(String(t.uri));
    let target = t.destination;
    if (!target) {
      try {
        target = resolveLiteral(parseUriOrThrow(route[0]?.replace(/^<|>.*$/g, '') ?? req.requestUri));
      } catch {
        target = undefined;
      }
    }
    const local = target && sip.addressFor(target.transport);
    if (!target || !local) return Promise.resolve({ status: 478 });
    if (retarget) for (const r of [...route].reverse()) req.addHeader('Route', r.startsWith('<') ? r : `<${r}>`, { position: 'first' });
    const host = local.address.includes(':') ? `[${local.address}]` : local.address;
    req.prependVia(`SIP/2.0/${target.transport.toUpperCase()} ${host}:${local.port};branch=${newBranch()};rport`);
    return new Promise((resolve) => {
      sip.layer.sendRequest(req, target, {
        onResponse: (res) => {
          if (res.status >= 200) resolve({ status: res.status });
        },
      });
    });
  }
}
