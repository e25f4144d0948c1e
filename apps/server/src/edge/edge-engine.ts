import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { FlowTable, FlowTokenCodec, flowKey, parseStun, stunBindingSuccess, type Flow, type FlowAddress, type FlowCloseReason } from '@pbx/outbound';
import { parseUriOrThrow, resolveLiteral, type Peer, type SendTarget } from '@pbx/sip';
import type { AppContext } from '../app/app-context.js';
import type { RequestContext } from '../routing/route-context.js';
import type { EdgeHooks } from './edge-hooks.js';
import { EdgeRoute } from './edge-route.js';
import { registerEdgeStats, type EdgeStats } from './edge-stats.js';
import { flowView, type FlowView } from './flow-view.js';

/** How often silence and UDP expiry are checked (off the packet path). */
const SWEEP_MS = 1_000;
const STREAMS = ['tcp', 'tls', 'ws', 'wss'] as const;

/**
 * The edge role (`role: edge`): the RFC 5626 §5 edge proxy in front of
 * `edge.registrar_uri`. Owns the flow table, the flow-token codec and the
 * route; answers STUN on SIP UDP ports and books CRLF keep-alives; reports
 * flows as flow.opened / flow.silent / flow.closed events.
 */
export class EdgeEngine implements EdgeHooks {
  readonly flows: FlowTable;
  readonly tokens: FlowTokenCodec;
  readonly stats: EdgeStats;
  readonly connectionLifetimeSec: number;
  private edgeRoute: EdgeRoute | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: AppContext) {
    const { outbound, edge } = ctx.config.pbx;
    this.connectionLifetimeSec = outbound.tcp_connection_lifetime;
    this.tokens = new FlowTokenCodec(ctx.secrets.flowToken);
    this.stats = registerEdgeStats(ctx.stats, () => this.flows.size);
    const now = () => Date.now();
    this.flows = new FlowTable({
      clock: { now },
      udpLifetimeMs: outbound.tcp_connection_lifetime * 1000,
      defaultFlowTimerMs: edge.flow_timer * 1000,
      lastActivity: (f) => ctx.sip.sip.transport.connection(f.connectionId)?.lastActivityAt,
      listener: {
        // A flow's view is built only for a connected dashboard: ten thousand phones
        // registering at once after a power cut open ten thousand flows.
        opened: (f) => {
          this.stats.flowsOpened.inc();
          ctx.bus.emitLazy('flow.opened', () => ({ flow: this.view(f) }));
        },
        silent: (f) => {
          this.stats.flowsSilent.inc();
          ctx.bus.emitLazy('flow.silent', () => ({ flow: this.view(f) }));
        },
        closed: (f, reason) => {
          this.stats.flowsClosed.inc();
          ctx.bus.emitLazy('flow.closed', () => ({ flow: this.view(f), reason }));
        },
      },
    });
  }

  /** After the SIP listeners are up: resolve the registrar, build the route, start the sweep. */
  async start(): Promise<void> {
    const { edge, outbound } = this.ctx.config.pbx;
    const registrar = await resolveRegistrar(edge.registrar_uri!);
    this.edgeRoute = new EdgeRoute({
      server: () => this.ctx.sip.sip,
      flows: this.flows,
      tokens: this.tokens,
      registrar,
      forceOutbound: outbound.force_outbound_flag >= 0,
      flowTimer: edge.flow_timer,
      stats: this.stats,
      flowAlive: (f) => this.alive(f),
    });
    this.ctx.sip.onConnectionClosed((id) => {
      for (const t of STREAMS) if (this.flows.connectionClosed(t, id)) break;
    });
    this.timer = setInterval(() => this.flows.sweep(), SWEEP_MS);
    this.timer.unref();
    this.ctx.shutdownHooks.push(async () => this.stop());
    this.ctx.logger.info({ registrar: `${registrar.transport}:${registrar.address}:${registrar.port}` }, 'edge proxy ready');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flows.clear('edge stopped');
  }

  route(c: RequestContext): void {
    if (!this.edgeRoute) {
      c.reply(503, 'Edge Starting');
      return;
    }
    this.edgeRoute.route(c);
  }

  /** RFC 5626 §4.4.2 / §8: STUN Binding requests on SIP UDP ports are answered with XOR-MAPPED-ADDRESS. */
  onDatagramOther(data: Buffer, source: Peer): void {
    const r = parseStun(data);
    if (r.kind === 'ignored') return;
    let out = 0;
    if (r.kind === 'binding-request') {
      const res = stunBindingSuccess(r, source.address, source.port);
      if (!res) return;
      this.ctx.sip.sip.transport.send(res, {
        transport: 'udp',
        address: source.address,
        port: source.port,
        localPort: source.localPort,
        localAddress: source.localAddress,
      });
      out = res.length;
      this.stats.stunBindings.inc();
    }
    const f = this.flows.find(source);
    if (f) this.flows.keepAlive(f, data.length, out);
  }

  /** RFC 5626 §4.4.1: the transport answered a double-CRLF with a CRLF; book it on the flow. */
  onKeepAlive(source: Peer): void {
    this.stats.crlfKeepAlives.inc();
    const f = this.flows.find(source);
    if (f) this.flows.keepAlive(f, 4, 2);
  }

  list(): FlowView[] {
    return this.flows.list().map((f) => this.view(f));
  }

  get(id: string): FlowView | undefined {
    const f = this.flows.get(id);
    return f ? this.view(f) : undefined;
  }

  /** DELETE /api/flows/:id: closes the connection (stream) or forgets the 5-tuple (UDP); requests for it then get 430. */
  close(id: string): boolean {
    const f = this.flows.get(id);
    if (!f) return false;
    this.flows.close(id, 'closed by admin' satisfies FlowCloseReason);
    if (f.stream) this.ctx.sip.sip.transport.closeConnection(f.connectionId, 'closed by admin');
    return true;
  }

  private alive(f: FlowAddress): boolean {
    if (f.transport === 'udp') return this.flows.alive(flowKey(f));
    const c = this.ctx.sip.sip.transport.connection(f.connectionId);
    return c !== undefined && c.state === 'open' && c.transport === f.transport && c.remote.port === f.port;
  }

  private view(f: Flow): FlowView {
    const conn = f.stream ? this.ctx.sip?.sip?.transport.connection(f.connectionId) : undefined;
    return flowView(f, this.flows.flowTimerMs(f), Date.now(), conn);
  }
}

/** edge.registrar_uri → where to send: IP literals directly, a host name through the system resolver. */
async function resolveRegistrar(uri: string): Promise<SendTarget> {
  const u = parseUriOrThrow(uri);
  const literal = resolveLiteral(u);
  if (literal) return literal;
  if (u.kind !== 'sip' || isIP(u.hostname) !== 0) throw new Error(`edge.registrar_uri ${uri}: cannot resolve`);
  const { address } = await lookup(u.hostname);
  const t = resolveLiteral(parseUriOrThrow(uri.replace(u.host, address.includes(':') ? `[${address}]` : address)));
  if (!t) throw new Error(`edge.registrar_uri ${uri}: cannot resolve`);
  return t;
}
