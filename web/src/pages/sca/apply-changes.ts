import type { AppearanceView, AppearancesResponse, ScaSubscriptionView, SubscriptionChanged, SubscriptionsResponse } from './types';

const byLine = (a: AppearanceView, b: AppearanceView) => (a.aor < b.aor ? -1 : a.aor > b.aor ? 1 : a.index - b.index);

/**
 * An appearance's new state in the cached list: an idle one leaves it (the
 * server lists only lines in use), any other replaces or joins it. An
 * update older than what is shown (`since`) is ignored: a mutation's answer
 * and the event saying the same may arrive in either order.
 */
export function applyAppearance(data: AppearancesResponse, a: AppearanceView): AppearancesResponse {
  const i = data.items.findIndex((x) => x.aor === a.aor && x.index === a.index);
  const old = i >= 0 ? data.items[i]! : undefined;
  if (old && old.since > a.since) return data;
  if (a.state === 'idle') {
    if (!old) return data;
    return { ...data, items: data.items.filter((_, j) => j !== i) };
  }
  const items = data.items.slice();
  if (old) items[i] = a;
  else items.push(a);
  items.sort(byLine);
  const aors = data.aors.includes(a.aor) ? data.aors : [...data.aors, a.aor].sort();
  return { ...data, items, aors };
}

/** The subscription dialog a view or event is about (RFC 6665 §4.1.2.2: Call-ID and both tags). */
export const subscriptionKey = (s: Pick<ScaSubscriptionView, 'callId' | 'fromTag' | 'toTag'>) => `${s.callId}\n${s.fromTag}\n${s.toTag}`;

const bySubscriber = (x: ScaSubscriptionView, y: ScaSubscriptionView) =>
  x.aor.localeCompare(y.aor) || x.event.localeCompare(y.event) || x.subscriber.localeCompare(y.subscriber);

/** A subscription added or refreshed replaces its row; one removed, expired or dropped leaves. */
export function applySubscription(data: SubscriptionsResponse, c: SubscriptionChanged): SubscriptionsResponse {
  const key = subscriptionKey(c);
  const rest = data.items.filter((s) => subscriptionKey(s) !== key);
  if (c.action === 'removed' || c.action === 'expired' || c.action === 'dropped') {
    return rest.length === data.items.length ? data : { items: rest };
  }
  const { action: _action, ...view } = c;
  return { items: [...rest, view].sort(bySubscriber) };
}
