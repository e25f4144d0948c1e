import type { BoundListener, DigestAuthenticator } from '@pbx/sip';
import type { AppContext } from '../app/app-context.js';
import { digestAuthenticator } from '../app/digest.js';
import { RequestRoute } from '../routing/request-route.js';
import type { RouteHooks } from '../routing/route-context.js';
import { LocalDomains } from './local-domains.js';
import { SipServer } from './sip-server.js';
import { SipTracer } from '../trace/sip-tracer.js';
import type { EdgeHooks } from '../edge/edge-hooks.js';

/**
 * The SIP side of the appliance: listeners, the request route and the
 * hooks the engines fill. Built before the admin API so `ready` lists the
 * SIP listeners, stopped first on shutdown so no new traffic arrives while
 * the engines flush.
 */
export class SipService {
  readonly hooks: RouteHooks = {};
  readonly domains: LocalDomains;
  readonly auth: DigestAuthenticator | undefined;
  readonly tracer: SipTracer;
  private server!: SipServer;
  private readonly closedListeners: Array<(connectionId: number) => void> = [];
  private route!: RequestRoute;
  /** Set before start() when `role: edge`: the edge's request route and keep-alive hooks replace the registrar's route. */
  edge?: EdgeHooks;

  constructor(private readonly ctx: AppContext) {
    const { env } = ctx.config;
    this.domains = new LocalDomains(env.sipDomains);
    this.tracer = new SipTracer({
      message: (c, m) => ctx.bus.emit('trace.message', { captureId: c.id, message: m }),
      stopped: (c) => ctx.bus.emit('trace.stopped', { captureId: c.id, reason: c.stopReason ?? 'stopped', messages: c.messages.length }),
    });
    this.auth = digestAuthenticator(ctx);
  }

  get sip(): SipServer {
    return this.server;
  }

  async start(): Promise<BoundListener[]> {
    const { env, pbx } = this.ctx.config;
    this.route = new RequestRoute({
      domains: this.domains,
      auth: this.auth,
      realmOf: (d) => this.ctx.credentials.realmOf(d),
      hooks: this.hooks,
      serverHeader: pbx.core.server_header,
    });
    const edge = this.edge;
    this.server = await SipServer.create({
      listen: env.sipListen,
      // Edge role: stream flows live tcp_connection_lifetime past their last traffic (seed §1.2).
      core: edge ? { ...pbx.core, tcp_idle_timeout: edge.connectionLifetimeSec } : pbx.core,
      dataDir: env.dataDir,
      stats: this.ctx.stats,
      logger: this.ctx.logger.child({ module: 'sip' }),
      tracer: this.tracer,
      onConnectionClosed: (id) => {
        for (const l of this.closedListeners) l(id);
      },
      onRequest: edge ? (c) => edge.route(c) : (c) => this.route.route(c),
      isOptionsToSelf: edge ? () => false : (req) => this.route.isOptionsToSelf(req),
      ...(edge ? { onDatagramOther: (d, s) => edge.onDatagramOther(d, s), onKeepAlive: (s) => edge.onKeepAlive(s) } : {}),
    });
    const bound = await this.server.start();
    this.domains.addListeners(bound);
    for (const l of bound) this.ctx.listeners.push({ protocol: 'sip', transport: l.transport, address: l.host, port: l.boundPort });
    return bound;
  }

  /** Engines that key state on stream connections (bindings, flows) hear when one closes. */
  onConnectionClosed(listener: (connectionId: number) => void): void {
    this.closedListeners.push(listener);
  }

  stop(): Promise<void> {
    this.tracer.stopAll();
    return this.server?.stop() ?? Promise.resolve();
  }
}
