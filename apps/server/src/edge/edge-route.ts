import { EDGE_REPLIES, flowKey, type EdgeError, type FlowAddress, type FlowTable, type FlowTokenCodec } from '@pbx/outbound';
import type { ForwardOptions, Peer, SendTarget, SipRequest, SipResponse } from '@pbx/sip';
import type { RequestContext } from '../routing/route-context.js';
import type { SipServer } from '../sip/sip-server.js';
import type { EdgeStats } from './edge-stats.js';

/** Dialog-forming requests the edge record-routes (the sample config's `is_method("INVITE|SUBSCRIBE")`). */
const RECORD_ROUTED = new Set(['INVITE', 'SUBSCRIBE']);
/** Verified tokens kept so a busy flow costs one HMAC, not one per request; cleared when full (bounded memory). */
const VERIFIED_CACHE_MAX = 50_000;

export interface EdgeRouteOptions {
  server(): SipServer;
  flows: FlowTable;
  tokens: FlowTokenCodec;
  /** Where `edge.registrar_uri` points (resolved at start). */
  registrar: SendTarget;
  /** outbound.force_outbound_flag set: every Path / Record-Route gets `;ob`. */
  forceOutbound: boolean;
  /** edge.flow_timer: the Flow-Timer put on 2xx to an outbound REGISTER (0 = the registrar's stays). */
  flowTimer: number;
  stats: EdgeStats;
  /** §5.3: whether the flow still exists (its connection is open; a UDP flow not expired or closed). */
  flowAlive(flow: FlowAddress): boolean;
}

type RouteFlow = { kind: 'none' } | { kind: 'own' } | { kind: 'forged' } | { kind: 'flow'; flow: FlowAddress };

/**
 * The edge role's request route: the Kamailio outbound module's "Edge Proxy
 * Configuration" (seeds/kamailio-outbound.txt, Example 1.2) block by block:
 *
 *   REQINIT    max-forwards (483), sanity (400)
 *   CANCEL     matched by the transaction layer; a lone one is 481
 *   WITHINDLG  loose_route: a forged flow token is 403, no route through us 404,
 *              else relay — over the token's flow when the request did not come from it
 *   REGISTER   remove Route, add_path() (flow token, `;ob` when outbound), relay to the registrar;
 *              onreply_route puts Flow-Timer on the 2xx when Require: outbound
 *   from the registrar (a Route with our flow token): loose_route, relay over exactly that flow;
 *              failure_route FAIL_OUTBOUND: flow gone, timed out or not answering → 430 Flow Failed
 *   from a UA  484 without a user part, else remove Route and relay to the registrar
 *   INVITE/SUBSCRIBE are record-routed with a flow token naming the UA's flow.
 */
export class EdgeRoute {
  private readonly verified = new Map<string, FlowAddress>();

  constructor(private readonly o: EdgeRouteOptions) {}

  route(c: RequestContext): void {
    const req = c.req;
    // REQINIT (sample: mf_process_maxfwd_header("10"), sanity_check("1511", "7")).
    if (req.maxForwards() === 0) return this.fail(c, 'too_many_hops');
    if (req.cseq().method !== req.method) return this.fail(c, 'cseq_mismatch');
    const inbound = this.o.flows.find(c.source);
    if (inbound) this.o.flows.received(inbound, req.input?.length ?? 0, true);

    // A CANCEL matching an INVITE was handled by the transaction layer (t_check_trans + relay).
    if (req.method === 'CANCEL') return this.fail(c, 'no_transaction');
    if (req.to().tag !== undefined) return this.withinDialog(c);
    if (req.method === 'ACK') return; // outside any dialog or transaction: absorbed
    if (req.method === 'REGISTER') return this.register(c);

    const rf = this.routeFlow(req);
    if (rf.kind === 'forged') return this.forged(c);
    if (rf.kind === 'flow') {
      // From the registrar (or anyone holding a valid token): loose_route onto the flow.
      this.o.server().proxy.looseRoute(req);
      return this.toFlow(c, rf.flow, RECORD_ROUTED.has(req.method) ? this.ownUri(rf.flow, true) : undefined);
    }
    if (this.isRegistrar(c.source)) {
      // The sample's `$si == REGISTRAR_IP` branch: without a route through us there is nowhere to go.
      if (this.o.server().proxy.looseRoute(req) === 'not-routed') return this.fail(c, 'no_dialog_route');
      return this.relay(c, undefined, undefined);
    }
    const ruri = req.uri;
    if (ruri.kind !== 'sip' || ruri.user === null) return this.fail(c, 'address_incomplete');
    req.removeHeader('Route');
    let rr: string | undefined;
    if (RECORD_ROUTED.has(req.method)) {
      const f = this.o.flows.open(c.source);
      if (f.requestsIn === 0) this.o.flows.received(f, req.input?.length ?? 0, true);
      rr = this.ownUri(c.source, this.o.forceOutbound || ruri.ob || contactAskedOutbound(req));
    }
    this.o.stats.requestsToRegistrar.inc();
    this.relay(c, this.o.registrar, rr);
  }

  /** WITHINDLG: requests with a To tag follow their Route set; our flow-token Route says which flow is the UA's. */
  private withinDialog(c: RequestContext): void {
    const req = c.req;
    const rf = this.routeFlow(req);
    if (rf.kind === 'forged') return this.forged(c);
    const routed = this.o.server().proxy.looseRoute(req);
    if (routed === 'not-routed') {
      // Kamailio's WITHINDLG: an ACK is absorbed, anything else is 404.
      if (req.method !== 'ACK') this.fail(c, 'no_dialog_route');
      return;
    }
    // RFC 5626 §5.3: a request that arrived over the flow the token names goes on along the
    // route set; any other goes to the UA over that flow.
    if (rf.kind === 'flow' && flowKey(rf.flow) !== flowKey(c.source)) return this.toFlow(c, rf.flow, undefined);
    this.relay(c, undefined, undefined);
  }

  /** REGISTER: add_path() with a flow token, relay to the registrar, Flow-Timer on the 2xx (onreply_route). */
  private register(c: RequestContext): void {
    const req = c.req;
    req.removeHeader('Route');
    const contacts = req.contacts();
    const outbound = contactAskedOutbound(req);
    const first = contacts.find((k) => k.regId !== undefined) ?? contacts[0];
    const to = req.to().uri;
    const aor = to.kind === 'sip' ? `${to.scheme}:${to.user === null ? '' : `${to.user}@`}${to.host}` : to.toString();
    // A REGISTER names the flow's owner (§4.2: instance + reg-id); a query or a bare REGISTER leaves it as it was.
    const flow = this.o.flows.open(c.source, first ? { aor, instance: first.instance ?? null, regId: first.regId ?? null } : undefined);
    if (flow.requestsIn === 0) this.o.flows.received(flow, req.input?.length ?? 0, true);
    // RFC 5626 §5.1 / RFC 3327 §5.1: the Path URI carries the flow token; `ob` tells the
    // registrar the edge supports outbound, so it may accept the UA's reg-id.
    req.addPath(`<${this.ownUri(c.source, this.o.forceOutbound || outbound)}>`);
    this.o.stats.registersRelayed.inc();
    const flowTimer = this.o.flowTimer;
    const flows = this.o.flows;
    this.relay(c, this.o.registrar, undefined, {
      onReply: (res: SipResponse) => {
        if (res.status < 200 || res.status >= 300) return;
        if (flowTimer > 0) {
          res.removeHeader('Flow-Timer');
          // onreply_route: Flow-Timer only when the registrar accepted outbound (Require: outbound, §4.4.1).
          if (safe(() => res.require().some((t) => t.toLowerCase() === 'outbound'))) res.addHeader('Flow-Timer', String(flowTimer));
        }
        const ft = safe(() => res.flowTimer());
        flows.setFlowTimer(flow, typeof ft === 'number' ? ft : 0);
      },
    });
  }

  /** Relay over exactly the flow named by a token, or 430 when it is gone (RFC 5626 §5.3). */
  private toFlow(c: RequestContext, flow: FlowAddress, recordRoute: string | undefined): void {
    const req = c.req;
    if (!this.o.flowAlive(flow)) {
      this.o.stats.flowFailed.inc();
      if (req.method !== 'ACK') this.fail(c, 'flow_failed');
      return;
    }
    const dest: SendTarget = {
      transport: flow.transport,
      address: flow.address,
      port: flow.port,
      connectionId: flow.connectionId,
      localAddress: flow.localAddress,
      localPort: flow.localPort,
    };
    const known = this.o.flows.get(flowKey(flow));
    if (known) this.o.flows.sent(known, req.input?.length ?? 0, true);
    this.o.stats.requestsToFlows.inc();
    const stats = this.o.stats;
    this.relay(c, dest, recordRoute, {
      // failure_route[FAIL_OUTBOUND]: t_branch_timeout() || !t_branch_replied() → 430.
      onFailure: (best, pt) => {
        const b = pt.branches[pt.branches.length - 1];
        if (b && (b.local || best.status === 408)) {
          stats.flowFailed.inc();
          pt.reply(EDGE_REPLIES.flow_failed.status, EDGE_REPLIES.flow_failed.reason);
        }
      },
    });
  }

  /** t_relay: statefully to `dest` (or the request's own next hop), statelessly for an ACK. */
  private relay(c: RequestContext, dest: SendTarget | undefined, recordRoute: string | undefined, extra: ForwardOptions = {}): void {
    const proxy = this.o.server().proxy;
    if (c.tx === null || c.req.method === 'ACK') {
      proxy.forwardStateless(c.req, dest);
      return;
    }
    proxy.forward(c.tx, {
      ...extra,
      ...(dest ? { targets: [{ destination: dest }] } : {}),
      ...(recordRoute ? { recordRoute } : {}),
    });
  }

  /** The first Route, when it is ours: with a valid flow token, with a bad one, or a plain one. */
  private routeFlow(req: SipRequest): RouteFlow {
    const routes = req.route();
    if (routes.length === 0) return { kind: 'none' };
    const u = routes[0]!.uri;
    if (u.kind !== 'sip' || !this.o.server().proxy.isOwnUri(u)) return { kind: 'none' };
    if (u.user === null) return { kind: 'own' };
    const hit = this.verified.get(u.user);
    if (hit) return { kind: 'flow', flow: hit };
    const r = this.o.tokens.decode(u.user);
    if (!r.ok) return { kind: 'forged' };
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
    this.verified.set(u.user, r.flow);
    return { kind: 'flow', flow: r.flow };
  }

  /**
   * Our Path / Record-Route URI: the token of the UA's flow as user part, our
   * address on the transport the registrar is reached by (both sides can
   * route to it), `;lr`, and `;ob` when outbound is in use (§5.1).
   */
  private ownUri(flow: FlowAddress, ob: boolean): string {
    const server = this.o.server();
    const t = server.addressFor(this.o.registrar.transport) ? this.o.registrar.transport : flow.transport;
    const a = server.addressFor(t)!;
    const host = a.address.includes(':') ? `[${a.address}]` : a.address;
    const known = this.o.flows.find(flow);
    const token = known ? (known.token ??= this.o.tokens.encode(known)) : this.o.tokens.encode(flow);
    return `sip:${token}@${host}:${a.port}${t === 'udp' ? '' : `;transport=${t}`};lr${ob ? ';ob' : ''}`;
  }

  private isRegistrar(p: Peer): boolean {
    const r = this.o.registrar;
    return p.address === r.address && p.port === r.port;
  }

  private forged(c: RequestContext): void {
    this.o.stats.forgedTokens.inc();
    if (c.req.method !== 'ACK') this.fail(c, 'bad_flow_token');
  }

  private fail(c: RequestContext, code: EdgeError): void {
    if (c.req.method === 'ACK') return;
    const r = EDGE_REPLIES[code];
    c.reply(r.status, r.reason);
  }
}

/** RFC 5626 §5.1: the UA asked for outbound — a Contact with +sip.instance and reg-id (or the `ob` URI parameter). */
function contactAskedOutbound(req: SipRequest): boolean {
  return (
    safe(() =>
      req.contacts().some((k) => (k.instance !== undefined && k.regId !== undefined) || (k.uri.kind === 'sip' && k.uri.ob)),
    ) === true
  );
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
