import { EVENT_COLUMN, type ScaEventPackage, type ScaSubscription } from './subscription.js';

/**
 * One row of `sca_subscriptions` (Kamailio's table, see migrations):
 * `expires` in seconds since the epoch, `record_route` the route set joined
 * with commas, `state` 0 = active.
 */
export interface ScaSubscriptionRow {
  subscriber: string;
  aor: string;
  event: number;
  expires: number;
  state: number;
  app_idx: number;
  call_id: string;
  from_tag: string;
  to_tag: string;
  record_route: string | null;
  notify_cseq: number;
  subscribe_cseq: number;
  server_id: number;
}

/**
 * Where subscriptions survive a restart. The table is written whole for a
 * server (Kamailio's sca_db writes its hash table every db_update_interval):
 * `save` makes the stored set for `serverId` exactly `rows`.
 */
export interface ScaSubscriptionStore {
  load(serverId: number): Promise<ScaSubscriptionRow[]>;
  save(serverId: number, rows: readonly ScaSubscriptionRow[]): Promise<void>;
}

export function toRow(s: ScaSubscription, serverId: number): ScaSubscriptionRow {
  return {
    subscriber: s.subscriber,
    aor: s.aor,
    event: EVENT_COLUMN[s.event],
    expires: Math.ceil(s.expires / 1000),
    state: 0,
    app_idx: s.index,
    call_id: s.callId,
    from_tag: s.fromTag,
    to_tag: s.toTag,
    record_route: s.routeSet.length > 0 ? s.routeSet.join(', ') : null,
    notify_cseq: s.notifyCseq,
    subscribe_cseq: s.subscribeCseq,
    server_id: serverId,
  };
}

/** Splits a stored route set on the commas between name-addrs (never inside `<…>` or quotes). */
export function splitRouteSet(s: string | null): string[] {
  if (!s) return [];
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' && s[i - 1] !== '\\') quote = !quote;
    else if (!quote && c === '<') depth++;
    else if (!quote && c === '>') depth--;
    else if (!quote && depth === 0 && c === ',') {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** A stored row as a live subscription, or undefined for a row we cannot use (unknown event). */
export function fromRow(r: ScaSubscriptionRow): ScaSubscription | undefined {
  const event = (Object.keys(EVENT_COLUMN) as ScaEventPackage[]).find((k) => EVENT_COLUMN[k] === Number(r.event));
  if (!event) return undefined;
  return {
    subscriber: r.subscriber,
    aor: r.aor,
    event,
    expires: Number(r.expires) * 1000,
    index: Number(r.app_idx),
    callId: r.call_id,
    fromTag: r.from_tag,
    toTag: r.to_tag,
    // The table keeps no From display; the AoR is the From of a call-info SUBSCRIBE.
    fromUri: `<${r.aor}>`,
    routeSet: splitRouteSet(r.record_route),
    notifyCseq: Number(r.notify_cseq),
    subscribeCseq: Number(r.subscribe_cseq),
    failures: 0,
  };
}
