import { checkIdentity, type DigestAuthenticator, type SipRequest, type SipUri } from '@pbx/sip';
import type { LocalDomains } from '../sip/local-domains.js';
import type { RequestContext, RouteHooks } from './route-context.js';

/** What the server answers to OPTIONS and lists in Allow (RFC 3261 §11.2). */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, MESSAGE, INFO, UPDATE, REFER, PRACK';
export const SUPPORTED = 'path, outbound, gruu';

export interface RequestRouteOptions {
  domains: LocalDomains;
  /** Undefined in open lab mode (SIP_AUTH=off). */
  auth: DigestAuthenticator | undefined;
  /** The digest realm of a domain (the domain itself unless `core.realm` fixes one). */
  realmOf(domain: string): string;
  hooks: RouteHooks;
  /** The Server / User-Agent value of replies. */
  serverHeader: string;
}

/**
 * The request route, in the order of a kamailio.cfg `request_route`:
 *
 *   REQINIT     max-forwards, sanity
 *   CANCEL      (matched by the transaction layer before we get here; a lone CANCEL is a 481)
 *   WITHINDLG   requests with a To tag follow their Route set
 *   OPTIONS     to the server itself: 200 with Allow/Supported
 *   AUTH        digest: 401 for REGISTER, 407 for requests from local users
 *   RELAY GUARD not an open relay: foreign domains get 403
 *   REGISTRAR   REGISTER ─▶ registrar.save (─▶ msilo dump)
 *   SCA         call-info / line-seize subscriptions
 *   LOCATION    lookup ─▶ forward (MESSAGE to an offline user ─▶ msilo)
 *   RELAY       what is left
 *
 * Each block either answers (or forwards) and ends the route, or lets the
 * request fall through to the next, exactly as `exit` works in a cfg.
 */
export class RequestRoute {
  constructor(private readonly o: RequestRouteOptions) {}

  route(ctx: RequestContext): void {
    const req = ctx.req;
    if (!this.reqinit(ctx)) return;

    if (req.method === 'CANCEL') {
      // RFC 3261 §9.2: a CANCEL that matches no INVITE transaction.
      ctx.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }

    if (req.to().tag !== undefined) {
      if (this.o.hooks.withinDialog?.(ctx)) return;
      // Kamailio's WITHINDLG: an ACK without a route is absorbed, anything else is 404.
      if (req.method !== 'ACK') ctx.reply(404, 'Not here');
      return;
    }
    if (req.method === 'ACK') return; // an ACK outside any dialog or transaction: nothing to answer

    const ruri = req.uri;
    if (this.isOptionsToSelf(req)) {
      ctx.reply(200, 'OK', {
        headers: [
          ['Allow', ALLOW],
          ['Accept', 'application/sdp, text/plain, application/pidf+xml'],
          ['Accept-Encoding', 'identity'],
          ['Accept-Language', 'en'],
          ['Supported', SUPPORTED],
          ['Server', this.o.serverHeader],
        ],
      });
      return;
    }

    if (!this.authenticate(ctx)) return;

    if (ruri.kind !== 'sip' || !this.o.domains.isLocal(ruri.host)) {
      // Not an open relay: only the domains we serve are routed.
      ctx.reply(403, 'Relaying Forbidden');
      return;
    }

    const hooks = this.o.hooks;
    if (req.method === 'REGISTER') {
      if (!hooks.registrar?.(ctx)) ctx.reply(501, 'Registrar Not Enabled');
      return;
    }
    if (hooks.sca?.(ctx)) return;
    if (ruri.user === null) {
      // The server itself is the target: nothing else but OPTIONS and REGISTER is served here.
      ctx.reply(req.method === 'SUBSCRIBE' ? 489 : 405, req.method === 'SUBSCRIBE' ? 'Bad Event' : 'Method Not Allowed', {
        headers: [['Allow', ALLOW]],
      });
      return;
    }
    if (hooks.location?.(ctx)) return;
    if (hooks.relay?.(ctx)) return;
    ctx.reply(404, 'Not Found');
  }

  /** OPTIONS for the server itself (no user part, a local host, outside a dialog): answered 200 here. */
  isOptionsToSelf(req: SipRequest): boolean {
    const u = req.uri;
    return req.method === 'OPTIONS' && u.kind === 'sip' && u.user === null && this.o.domains.isLocal(u.host) && req.to().tag === undefined;
  }

  /** REQINIT: Max-Forwards (RFC 3261 §16.3 step 3) and Kamailio sanity_check()'s cheap checks. */
  private reqinit(ctx: RequestContext): boolean {
    const req = ctx.req;
    const mf = req.maxForwards();
    if (mf === 0 && req.method !== 'REGISTER' && !(req.method === 'OPTIONS' && req.uri.kind === 'sip' && req.uri.user === null)) {
      ctx.reply(483, 'Too Many Hops');
      return false;
    }
    if (req.cseq().method !== req.method) {
      // §8.2 / §12.2.1.1: the CSeq method must match the request method.
      ctx.reply(400, 'CSeq method does not match request method');
      return false;
    }
    const proxyRequire = req.proxyRequire();
    if (proxyRequire.length > 0) {
      // RFC 3261 §16.3 step 4 / §20.29: we support no proxy extensions by Proxy-Require.
      ctx.reply(420, 'Bad Extension', { headers: [['Unsupported', proxyRequire.join(', ')]] });
      return false;
    }
    if (req.uri.kind === 'absolute') {
      ctx.reply(416, 'Unsupported URI Scheme');
      return false;
    }
    return true;
  }

  /**
   * AUTH, as Kamailio's default route does it: REGISTER is always
   * challenged (401, realm = To domain); other requests are challenged
   * (407, realm = From domain) when they claim to come from a local user.
   * Authenticated identities must match the From/To user (403 otherwise).
   */
  private authenticate(ctx: RequestContext): boolean {
    const auth = this.o.auth;
    if (!auth) return true;
    const req = ctx.req;
    let proxy: boolean;
    let identity: SipUri;
    if (req.method === 'REGISTER') {
      const to = req.to().uri;
      if (to.kind !== 'sip') {
        ctx.reply(400, 'To must be a SIP URI');
        return false;
      }
      if (!this.o.domains.isLocal(to.host)) return true; // refused below as a foreign domain
      proxy = false;
      identity = to;
    } else {
      const from = req.from().uri;
      if (from.kind !== 'sip' || from.user === null || !this.o.domains.isLocal(from.host)) return true;
      proxy = true;
      identity = from;
    }
    const domain = identity.host.toLowerCase();
    const realm = this.o.realmOf(domain);
    const result = auth.authenticate({
      method: req.method,
      requestUri: req.requestUri,
      realm,
      authorization: req.getAll(proxy ? 'Proxy-Authorization' : 'Authorization'),
      proxy,
    });
    if (!result.ok) {
      ctx.reply(result.status, result.reason, { headers: result.challenges.map((c): [string, string] => [result.header, c]) });
      return false;
    }
    const mismatch = checkIdentity(result, { username: identity.user ?? '', domain: realm === domain ? domain : undefined }, proxy);
    if (mismatch) {
      ctx.reply(mismatch.status, mismatch.reason);
      return false;
    }
    ctx.auth = { username: result.username, realm: result.realm };
    // consume_credentials(): they were for us, the next hop must not see them.
    req.removeHeader(proxy ? 'Proxy-Authorization' : 'Authorization');
    return true;
  }
}

