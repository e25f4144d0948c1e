import { systemClock } from '@pbx/core';
import { PostgresScaStore, ScaEngine, type NotifySender, type ResponseObserver, type ScaPeer } from '@pbx/sca';
import { createResponse, newBranch, parseUriOrThrow, resolveLiteral, type SendTarget, type SipRequest, type TransportName } from '@pbx/sip';
import type { AppContext } from '../app/app-context.js';
import type { RequestContext } from '../routing/route-context.js';

/**
 * sca in the appliance: the engine with the `sca_subscriptions` table of the
 * appliance's database, NOTIFYs sent as client transactions of the SIP
 * server, the SCA block of the request route (sca_handle_subscribe) and the
 * observer the proxy calls for what it forwards (sca_call_info_update).
 */
export class ScaService {
  readonly engine: ScaEngine;

  constructor(private readonly ctx: AppContext) {
    const ds = ctx.db.dataSource;
    const log = ctx.logger.child({ module: 'sca' });
    this.engine = new ScaEngine({
      config: ctx.config.pbx.sca,
      sender: this.sender(),
      store: new PostgresScaStore((sql, params) => ds.query(sql, params as unknown[])),
      clock: systemClock,
      stats: ctx.stats,
      events: { emit: (name, payload) => ctx.bus.emit(name, payload as never) },
      contact: (sub) => this.contact(sub.peer),
      log: { warn: (obj, msg) => log.warn(obj, msg) },
    });
  }

  /** Restores the stored subscriptions before SIP traffic starts; the shutdown flush runs before the database closes. */
  async start(): Promise<void> {
    const restored = await this.engine.start();
    if (restored > 0) this.ctx.logger.info({ restored }, 'sca: call-info subscriptions restored');
    this.ctx.shutdownHooks.unshift(() => this.engine.stop());
  }

  /**
   * The SCA block (seed §6 route[SCA]): call-info and line-seize SUBSCRIBEs,
   * initial or in one of our subscription dialogs, are answered here; the
   * NOTIFYs follow the response.
   */
  route(c: RequestContext): boolean {
    const req = c.req;
    if (!this.engine.handles(req)) return false;
    if (req.to().tag !== undefined && !this.engine.ownsDialog(req) && req.has('Route')) return false;
    const s = c.source;
    const peer: ScaPeer = { transport: s.transport, address: s.address, port: s.port, connectionId: s.connectionId, localAddress: s.localAddress, localPort: s.localPort };
    const out = this.engine.handleSubscribe(req, peer);
    if (out.toTag !== undefined) c.respond(createResponse(req, out.status, out.reason, { toTag: out.toTag, headers: out.headers }));
    else c.reply(out.status, out.reason, { headers: out.headers });
    out.after().catch((err: unknown) => this.ctx.logger.error({ err }, 'sca: NOTIFY failed'));
    return true;
  }

  /** sca_call_info_update for a request the proxy forwards; what it returns sees the responses. */
  observe(c: RequestContext): ResponseObserver | undefined {
    return this.engine.requestForwarded(c.req);
  }

  /** Our Contact for subscription dialogs: the listener of the transport the subscriber uses. */
  private contact(peer: ScaPeer | undefined): string {
    const t = (peer?.transport ?? 'udp') as TransportName;
    const a = this.ctx.sip.sip.addressFor(t) ?? this.ctx.sip.sip.addressFor('udp');
    if (!a) return 'sip:invalid';
    const host = a.address.includes(':') ? `[${a.address}]` : a.address;
    return `sip:${host}:${a.port}${t === 'udp' ? '' : `;transport=${t}`}`;
  }

  /**
   * NOTIFYs as client transactions: to the first hop of the route set, else
   * back where the SUBSCRIBE came from (the phone may be behind a NAT), else
   * the subscriber's Contact (subscriptions restored from the database).
   * The layer makes 408 on Timer F and 503 on a transport error itself.
   */
  private sender(): NotifySender {
    return {
      send: (req: SipRequest, sub) => {
        const sip = this.ctx.sip.sip;
        let target: SendTarget | undefined;
        try {
          if (sub.routeSet.length > 0) target = resolveLiteral(parseUriOrThrow(sub.routeSet[0]!.replace(/^[^<]*<|>.*$/g, '')));
          else if (sub.peer) target = sub.peer as SendTarget;
          else target = resolveLiteral(parseUriOrThrow(sub.subscriber));
        } catch {
          target = undefined;
        }
        const local = target && sip.addressFor(target.transport);
        if (!target || !local) return Promise.resolve({ status: 478 });
        const host = local.address.includes(':') ? `[${local.address}]` : local.address;
        req.prependVia(`SIP/2.0/${target.transport.toUpperCase()} ${host}:${local.port};branch=${newBranch()};rport`);
        return new Promise((resolve) => {
          try {
            sip.layer.sendRequest(req, target, {
              onResponse: (res) => {
                if (res.status >= 200) resolve({ status: res.status });
              },
            });
          } catch {
            resolve({ status: 503 });
          }
        });
      },
    };
  }
}
