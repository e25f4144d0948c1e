import type { SipRequest, SipUri } from '../message/index.js';

/**
 * Outcome of `looseRoute`, in Kamailio's terms (rr module loose_route()):
 * - `not-routed`: no Route header (and the Request-URI is not one of our
 *   Record-Route URIs): an initial request, or an in-dialog request without a
 *   route set. Kamailio's loose_route() returns false.
 * - `next-hop`: our Route entries were removed and Route values remain: forward
 *   to the first one (strict next hops are handled when forwarding, §16.6
 *   step 6).
 * - `request-uri`: the Route entries were all ours and none remain: forward by
 *   the Request-URI (which may itself be ours: the request is for this element).
 */
export type LooseRouteResult = 'not-routed' | 'next-hop' | 'request-uri';

/**
 * RFC 3261 §16.4 route information preprocessing, done by the routing script
 * for requests that carry a route set (WITHINDLG):
 *
 * 1. "If the Request-URI contains a value this proxy previously placed into a
 *    Record-Route header field ..., the proxy MUST replace the Request-URI in
 *    the request with the last value from the Route header field, and remove
 *    that value from the Route header field." — the previous hop was a strict
 *    router (RFC 2543), which put our Record-Route URI in the Request-URI
 *    (the example of §16.12.1.2).
 * 2. "If the first value in the Route header field indicates this proxy, the
 *    proxy MUST remove that value from the request." Consecutive values that
 *    are ours (double record-routing across transports) all go.
 *
 * `isOwn` says whether a URI is one this element put in a Record-Route (or
 * otherwise names this element: its listen addresses, its RR host name).
 */
export function looseRoute(req: SipRequest, isOwn: (uri: SipUri) => boolean): LooseRouteResult {
  let routes = req.route();
  let touched = false;
  if (routes.length > 0 && req.uri.kind === 'sip' && isOwn(req.uri)) {
    // §16.4 rule 1 (strict router upstream): the real target is the last Route value.
    const last = routes[routes.length - 1]!;
    const values = routes.slice(0, -1).map((r) => r.toString());
    req.removeHeader('Route');
    if (values.length > 0) req.addHeader('Route', values.join(', '));
    req.setRequestUri(last.uri);
    routes = req.route();
    touched = true;
  }
  while (routes.length > 0) {
    const first = routes[0]!.uri;
    if (first.kind !== 'sip' || !isOwn(first)) break;
    req.removeFirstRoute();
    routes = req.route();
    touched = true;
  }
  if (routes.length > 0) return 'next-hop';
  return touched ? 'request-uri' : 'not-routed';
}
