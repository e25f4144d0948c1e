import {
  parseUriOrThrow,
  resolveLiteral,
  type ForwardOptions,
  type ForwardTarget,
  type ProxyTransaction,
  type SendTarget,
  type SipResponse,
  type SipUri,
  type TransportName,
} from '@pbx/sip';
import type { LookupTarget } from '@pbx/registrar';
import type { AppContext } from '../app/app-context.js';
import type { RequestContext, RouteHooks } from './route-context.js';

/** Methods that create a dialog: the proxy stays on its path (Kamailio's default `record_route()` for these). */
const RECORD_ROUTED = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);
/** Final responses after which a MESSAGE is kept for later instead (the user is registered but not answering). */
const STORE_ON = new Set([408, 430, 480, 503]);

/**
 * The WITHINDLG and LOCATION blocks: in-dialog requests follow their Route
 * set (loose_route, §16.4/§16.12); requests for local users are forked to
 * their registered contacts (lookup + t_relay, serial/parallel by q), and a
 * MESSAGE for a user who is not reachable goes to the offline store.
 */
export function proxyHooks(ctx: AppContext, offline?: OfflineStore): Pick<RouteHooks, 'withinDialog' | 'location'> {
  const server = () => ctx.sip.sip;

  const recordRoute = (c: RequestContext): string | undefined => {
    if (!RECORD_ROUTED.has(c.req.method)) return undefined;
    const t = c.source.transport;
    const a = server().addressFor(t);
    if (!a) return undefined;
    const host = a.address.includes(':') ? `[${a.address}]` : a.address;
    return `sip:${host}:${a.port}${t === 'udp' ? '' : `;transport=${t}`};lr`;
  };

  /**
   * failure_route: a flow that answered 430 Flow Failed (or timed out) is
   * retried on the next flow of the same instance (RFC 5626 §5.3, Kamailio
   * t_next_contact_flows); when nothing is left, a MESSAGE for a user whose
   * phones all failed goes to the offline store (msilo's example cfg).
   */
  const failureRoute = (c: RequestContext) => {
    const tried = new Set<string>();
    return async (best: SipResponse, pt: ProxyTransaction): Promise<void> => {
      const next: ForwardTarget[] = [];
      for (const b of pt.branches) {
        const t = b.target.context as LookupTarget | undefined;
        if (!t) continue;
        tried.add(t.ruid);
        const status = b.response?.status;
        if (status !== 430 && status !== 408) continue;
        const n = t.nextFlows.find((f) => !tried.has(f.ruid));
        if (n) {
          tried.add(n.ruid);
          next.push(forwardTarget(n));
        }
      }
      if (next.length > 0) {
        pt.forward(next);
        return;
      }
      if (c.req.method === 'MESSAGE' && offline && STORE_ON.has(best.status)) {
        const s = await offline.store(c);
        pt.reply(s.status, s.reason);
      }
    };
  };

  /**
   * route(SCA) before t_relay and in onreply_route / failure_route
   * (sca_call_info_update): the observer sees provisional and 2xx responses,
   * a 487 (the caller's CANCEL took effect; failure_route does not run then)
   * and the best failure before failure_route acts on it.
   */
  const observed = (c: RequestContext, o: ForwardOptions): ForwardOptions => {
    const seen = ctx.sip.hooks.observeForward?.(c);
    if (!seen) return o;
    const failure = o.onFailure;
    return {
      ...o,
      onReply: (res) => {
        if (res.status < 300 || res.status === 487) seen(res);
      },
      onFailure: (best, pt) => {
        if (best.status !== 487) seen(best);
        return failure?.(best, pt);
      },
    };
  };

  return {
    withinDialog(c) {
      const proxy = server().proxy;
      const routed = proxy.looseRoute(c.req);
      if (routed === 'not-routed') {
        // No Route to follow: an in-dialog request for us (or a stray ACK, which is absorbed).
        // The SCA block takes its own in-dialog SUBSCRIBEs (seed §6 WITHINDLG: SUBSCRIBE && uri == myself → route(SCA)).
        return c.req.method === 'SUBSCRIBE' ? (ctx.sip.hooks.sca?.(c) ?? false) : false;
      }
      if (c.req.method === 'ACK' || c.tx === null) {
        proxy.forwardStateless(c.req);
        return true;
      }
      proxy.forward(c.tx, observed(c, {}));
      return true;
    },

    location(c) {
      const tx = c.tx;
      if (tx === null) return false;
      const ruri = c.req.uri as SipUri;
      ctx.registrar.lookup(ruri, c.req.method).then(
        (r) => {
          if (r.ok && r.targets.length > 0) {
            server().proxy.forward(tx, {
              targets: r.targets.map(forwardTarget),
              recordRoute: recordRoute(c),
              ...observed(c, { onFailure: failureRoute(c) }),
            });
            return;
          }
          if (!r.ok && r.code === 'method_not_allowed') {
            c.reply(405, 'Method Not Allowed');
            return;
          }
          if (c.req.method === 'MESSAGE' && offline) {
            offline.store(c).then((s) => c.reply(s.status, s.reason));
            return;
          }
          // RFC 3261 §21.4.18: a user we know who is not registered is 480; an unknown one is 404.
          const known = ruri.user !== null && ctx.credentials.has(decodeURIComponent(ruri.user), ruri.host);
          c.reply(known ? 480 : 404, known ? 'Temporarily Unavailable' : 'Not Found');
        },
        (err: unknown) => {
          ctx.logger.error({ err }, 'lookup failed');
          c.reply(500, 'Server Internal Error');
        },
      );
      return true;
    },
  };
}

/**
 * Where a MESSAGE for an unreachable user goes (msilo m_store; the owner is
 * the request's own Request-URI, the AoR, as the proxy forwards copies).
 * Resolves the reply: 202 Accepted, or why it could not be stored.
 */
export interface OfflineStore {
  store(c: RequestContext): Promise<{ status: number; reason: string }>;
}

/** A registered binding as a proxy branch: Contact as Request-URI, Path as route set, flow or received address as destination. */
export function forwardTarget(t: LookupTarget): ForwardTarget {
  return { uri: t.uri, q: t.q, route: t.route, destination: destinationOf(t), context: t };
}

function destinationOf(t: LookupTarget): SendTarget | undefined {
  const d = t.destination;
  if (d.kind === 'flow') {
    return {
      transport: d.transport as TransportName,
      address: d.address,
      port: d.port,
      connectionId: d.connectionId,
      localAddress: d.localAddress,
      localPort: d.localPort,
    };
  }
  // A `received` address (NAT): send there, keep the Contact as the Request-URI.
  if (t.route.length > 0 || d.uri === t.uri) return undefined;
  try {
    return resolveLiteral(parseUriOrThrow(d.uri));
  } catch {
    return undefined;
  }
}
