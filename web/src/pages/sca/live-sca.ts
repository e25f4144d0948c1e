import { useEffect, useMemo } from 'react';
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { createBatcher, useLiveEvent } from '../registrations/use-live-event';
import { applyAppearance, applySubscription } from './apply-changes';
import { appearancesKey, subscriptionsKey } from './sca-api';
import type { AppearanceChanged, AppearanceView, AppearancesResponse, SubscriptionChanged, SubscriptionsResponse } from './types';

/** Lamps change within a frame or two of the event; a burst (a call setting up) re-renders once. */
const BATCH_MS = 60;

type Change = { kind: 'appearance'; a: AppearanceChanged } | { kind: 'subscription'; s: SubscriptionChanged };

function withoutReason({ reason: _reason, ...view }: AppearanceChanged): AppearanceView {
  return view;
}

/**
 * Applies a batch to a cached list. A list whose fetch is still in flight
 * may have been read before these events: it is fetched again instead.
 */
function patch<T>(qc: QueryClient, key: QueryKey, fold: (data: T) => T): void {
  if (qc.getQueryState(key)?.fetchStatus === 'fetching') {
    void qc.invalidateQueries({ queryKey: key, exact: true });
    return;
  }
  qc.setQueryData<T>(key, (d) => (d === undefined ? d : fold(d)));
}

/**
 * Keeps the SCA board current from `sca.appearance.changed` and
 * `sca.subscription.changed`: each event carries the whole appearance or
 * subscription, so lamps and subscriber rows change in place with no
 * request to the server.
 */
export function useLiveSca(): void {
  const qc = useQueryClient();
  const batcher = useMemo(
    () =>
      createBatcher<Change>(BATCH_MS, (changes) => {
        // The cached list holds views; the event's `reason` is for the log, not the lamp.
        const apps = changes.flatMap((c) => (c.kind === 'appearance' ? [withoutReason(c.a)] : []));
        const subs = changes.flatMap((c) => (c.kind === 'subscription' ? [c.s] : []));
        if (apps.length) patch<AppearancesResponse>(qc, appearancesKey, (d) => apps.reduce(applyAppearance, d));
        if (subs.length) patch<SubscriptionsResponse>(qc, subscriptionsKey, (d) => subs.reduce(applySubscription, d));
      }),
    [qc],
  );
  useEffect(() => batcher.cancel, [batcher]);
  useLiveEvent<AppearanceChanged>('sca.appearance.changed', (a) => {
    if (a && typeof a.aor === 'string' && typeof a.index === 'number') batcher.push({ kind: 'appearance', a });
  });
  useLiveEvent<SubscriptionChanged>('sca.subscription.changed', (s) => {
    if (s && typeof s.aor === 'string' && typeof s.callId === 'string') batcher.push({ kind: 'subscription', s });
  });
}
