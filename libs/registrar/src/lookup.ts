import { parseNameAddrValue, SipHeaderError, type SipUri, type TransportName, type Uri } from '@pbx/sip';
import { splitPath, type Binding } from './binding.js';
import { allowsMethod } from './methods.js';

/**
 * Where to send a request for one binding.
 *
 * - `flow`: over the hop the REGISTER came in on — the same connection for
 *   TCP/TLS/WS (connectionId; 0 after a restart = any connection to that
 *   address), the same local socket for UDP. This is how requests reach
 *   phones behind NAT and RFC 5626 flows (§5.3: "the proxy MUST send the
 *   request over the flow").
 * - `uri`: resolve this URI (RFC 3263): the first Path hop (RFC 3327 §5.3,
 *   seed §1.1: "sets the destination uri to the first Path uri"), or for a
 *   binding another node saved (db_mode 3) its received URI or contact.
 */
export type Destination =
  | {
      kind: 'flow';
      transport: TransportName;
      address: string;
      port: number;
      connectionId: number;
      localAddress: string;
      localPort: number;
    }
  | { kind: 'uri'; uri: string };

/** One branch to fork to (Kamailio lookup: R-URI, dst_uri, path vector, socket, ruid, instance, reg-id). */
export interface LookupTarget {
  readonly ruid: string;
  readonly aor: string;
  /** The new Request-URI: the registered Contact URI. */
  readonly uri: string;
  /** 0..1 */
  readonly q: number;
  /** Route set from the stored Path, top first (path_check_local may drop our own first hop). */
  readonly route: readonly string[];
  readonly destination: Destination;
  readonly received: string | null;
  readonly instance: string | null;
  readonly regId: number;
  /** The local socket the binding was registered on, `proto:ip:port`. */
  readonly socket: string;
  /** An RFC 5626 flow (instance + reg-id). */
  readonly flow: boolean;
  /**
   * Other flows of the same instance, most recent first: tried one after
   * the other when this one answers 430 Flow Failed or times out (408) —
   * Kamailio's t_next_contact_flows. Empty for a binding that is not a flow.
   */
  readonly nextFlows: readonly LookupTarget[];
}

export type LookupResult =
  | { ok: true; aor: string; targets: LookupTarget[] }
  | { ok: false; code: 'not_found'; status: 404; reason: 'Not Found' }
  | { ok: false; code: 'method_not_allowed'; status: 405; reason: 'Method Not Allowed' };

export const NOT_FOUND: LookupResult = { ok: false, code: 'not_found', status: 404, reason: 'Not Found' };
export const METHOD_NOT_ALLOWED: LookupResult = { ok: false, code: 'method_not_allowed', status: 405, reason: 'Method Not Allowed' };

export interface LookupOptions {
  /** The request's method, for method_filtering. */
  method?: string;
  /** True for an initial request (no To tag): only those are filtered by method (seed §3.17). */
  initial?: boolean;
}

export interface TargetContext {
  now: number;
  serverId: number;
  appendBranches: boolean;
  methodFiltering: boolean;
  pathCheckLocal: boolean;
  isLocal: ((uri: SipUri) => boolean) | undefined;
}

/** The nextFlows of a binding that is no flow, or whose instance has no other. */
const NO_FLOWS: readonly LookupTarget[] = [];

/**
 * The branches for an AoR's bindings (Kamailio registrar lookup()):
 * unexpired bindings only; with method_filtering, on an initial request,
 * only those whose Allow listed the method (405 when that leaves none);
 * ordered by q, then most recently registered first; the flows of one
 * instance folded into one branch with the others as `nextFlows`; and with
 * append_branches 0 only the first branch.
 */
export function targetsOf(aor: string, all: readonly Binding[], opts: LookupOptions, ctx: TargetContext): LookupResult {
  // Copies only when something is left out: this runs for every request routed to a user.
  let list = all.some((b) => b.expires <= ctx.now) ? all.filter((b) => b.expires > ctx.now) : all;
  if (list.length === 0) return NOT_FOUND;
  if (ctx.methodFiltering && opts.initial !== false && opts.method !== undefined) {
    const method = opts.method;
    if (list.some((b) => !allowsMethod(b.methods, method))) list = list.filter((b) => allowsMethod(b.methods, method));
    if (list.length === 0) return METHOD_NOT_ALLOWED;
  }
  if (list.length > 1) list = list.slice().sort((a, b) => b.q - a.q || b.lastModified - a.lastModified);
  const targets: LookupTarget[] = [];
  // This runs for every request routed to a user, and most bindings are no
  // outbound flows: the maps that fold an instance's flows exist only when there are.
  let flowsOf: Map<string, Binding[]> | null = null;
  for (const b of list) {
    if (!b.isFlow) continue;
    flowsOf ??= new Map();
    const l = flowsOf.get(b.instance!);
    if (l) l.push(b);
    else flowsOf.set(b.instance!, [b]);
  }
  let done: Set<string> | null = null;
  for (const b of list) {
    if (!b.isFlow) {
      targets.push(targetOf(b, NO_FLOWS, ctx));
      continue;
    }
    done ??= new Set();
    if (done.has(b.instance!)) continue;
    done.add(b.instance!);
    const flows = flowsOf!.get(b.instance!)!.slice().sort((x, y) => y.lastModified - x.lastModified);
    const [primary, ...rest] = flows;
    targets.push(targetOf(primary!, rest.map((r) => targetOf(r, NO_FLOWS, ctx)), ctx));
  }
  return { ok: true, aor, targets: ctx.appendBranches ? targets : targets.slice(0, 1) };
}

export function targetOf(b: Binding, nextFlows: readonly LookupTarget[], ctx: TargetContext): LookupTarget {
  const hops = b.path === null ? NO_HOPS : hopsOf(b.path);
  let route = hops.route;
  let first = 0;
  // path_check_local (seed §3.21): a first hop that is this server would only loop back here.
  if (ctx.pathCheckLocal && ctx.isLocal && route.length) {
    const uri = hops.uris[0];
    if (uri && uri.kind === 'sip' && ctx.isLocal(uri)) {
      route = route.slice(1);
      first = 1;
    }
  }
  let destination: Destination;
  if (route.length) {
    destination = { kind: 'uri', uri: hops.uriTexts[first] ?? b.received ?? b.contact };
  } else if (b.serverId === ctx.serverId) {
    destination = {
      kind: 'flow',
      transport: b.transport,
      address: b.sourceAddress,
      port: b.sourcePort,
      connectionId: b.connectionId,
      localAddress: b.localAddress,
      localPort: b.localPort,
    };
  } else destination = { kind: 'uri', uri: b.received ?? b.contact };
  return {
    ruid: b.ruid,
    aor: b.aor,
    uri: b.contact,
    q: b.q / 1000,
    route,
    destination,
    received: b.received,
    instance: b.instance,
    regId: b.regId,
    socket: b.socket,
    flow: b.isFlow,
    nextFlows,
  };
}

/** A stored Path vector split into its values, each hop's URI parsed (null where it does not parse). */
interface PathHops {
  readonly route: readonly string[];
  readonly uris: readonly (Uri | null)[];
  /** Each hop's URI as text (the destination when it is the first), null where it does not parse. */
  readonly uriTexts: readonly (string | null)[];
}

const NO_HOPS: PathHops = { route: [], uris: [], uriTexts: [] };

/**
 * Path vectors already split and parsed. A lookup runs for every request to
 * a user, and the phones behind one edge proxy share one Path (the registrar
 * stores it as one shared string): parsing it again per request cost more
 * than the rest of the lookup. Bounded: cleared when full.
 */
const pathHops = new Map<string, PathHops>();
const PATH_HOPS_MAX = 4096;

function hopsOf(path: string): PathHops {
  const known = pathHops.get(path);
  if (known) return known;
  const route = splitPath(path);
  const uris = route.map(uriOfRoute);
  const hops: PathHops = { route, uris, uriTexts: uris.map((u) => (u ? u.toString() : null)) };
  if (pathHops.size >= PATH_HOPS_MAX) pathHops.clear();
  pathHops.set(path, hops);
  return hops;
}

function uriOfRoute(v: string): Uri | null {
  try {
    return parseNameAddrValue(v, 'Path').uri;
  } catch (e) {
    if (e instanceof SipHeaderError) return null;
    throw e;
  }
}
