import { useQuery } from '@tanstack/react-query';
import { apiRequest } from './client';
import type { StatsHistory, StatsSnapshot } from './types';

export const statsKey = ['stats'] as const;
export const statsHistoryKey = ['stats', 'history'] as const;

/** `GET /api/stats`; kept current by `stats.tick` while the Overview is open. */
export function useStats() {
  return useQuery({
    queryKey: statsKey,
    queryFn: ({ signal }) => apiRequest<StatsSnapshot>('/api/stats', { signal }),
  });
}

/** `GET /api/stats/history?minutes=…`: the points behind the Overview charts. */
export function useStatsHistory(minutes = 60) {
  return useQuery({
    queryKey: [...statsHistoryKey, minutes],
    queryFn: ({ signal }) => apiRequest<StatsHistory>(`/api/stats/history?minutes=${minutes}`, { signal }),
    staleTime: 0,
  });
}
