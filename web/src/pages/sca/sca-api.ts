import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../api/client';
import { applyAppearance } from './apply-changes';
import type { AppearanceView, AppearancesResponse, SubscriptionsResponse, UpdatableState } from './types';

export const scaKey = ['sca'] as const;
export const appearancesKey = [...scaKey, 'appearances'] as const;
export const subscriptionsKey = [...scaKey, 'subscriptions'] as const;

/**
 * The events keep both lists current only while the page is open: a copy
 * cached from an earlier visit is fetched again on return (staleTime 0).
 */
const LIVE_WHILE_OPEN = { staleTime: 0 } as const;

/** sca.all_appearances: the lines in use; the events keep it current. */
export function useAppearances() {
  return useQuery({
    queryKey: appearancesKey,
    queryFn: ({ signal }) => apiRequest<AppearancesResponse>('/api/sca/appearances', { signal }),
    ...LIVE_WHILE_OPEN,
  });
}

/** sca.all_subscriptions: every call-info and line-seize subscriber; the events keep it current. */
export function useSubscriptions() {
  return useQuery({
    queryKey: subscriptionsKey,
    queryFn: ({ signal }) => apiRequest<SubscriptionsResponse>('/api/sca/subscriptions', { signal }),
    ...LIVE_WHILE_OPEN,
  });
}

/** Shows an appearance the API answered with at once; the event saying the same follows. */
export function showAppearance(qc: QueryClient, a: AppearanceView): void {
  qc.setQueryData<AppearancesResponse>(appearancesKey, (d) => (d ? applyAppearance(d, a) : d));
}

export interface SeizeInput {
  aor: string;
  contact: string;
}

/** `POST /api/sca/appearances/seize`: the lowest idle line of the AoR for `contact`; the group is NOTIFYed. */
export function useSeizeAppearance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SeizeInput) => apiRequest<AppearanceView>('/api/sca/appearances/seize', { method: 'POST', body }),
    onSuccess: (a) => showAppearance(qc, a),
  });
}

export interface UpdateInput {
  aor: string;
  index: number;
  state: UpdatableState;
  display?: string;
}

/** `POST /api/sca/appearances/update`: a line in use gets a new state (and display info); the group is NOTIFYed. */
export function useUpdateAppearance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateInput) => apiRequest<AppearanceView>('/api/sca/appearances/update', { method: 'POST', body }),
    onSuccess: (a) => showAppearance(qc, a),
  });
}

export interface ReleaseInput {
  aor: string;
  index: number;
}

/** `POST /api/sca/appearances/release`: the line goes idle (its line-seize ends); the group is NOTIFYed. */
export function useReleaseAppearance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ReleaseInput) => apiRequest<AppearanceView>('/api/sca/appearances/release', { method: 'POST', body }),
    onSuccess: (a) => showAppearance(qc, { ...a, state: 'idle' }),
  });
}
