import { useQuery } from '@tanstack/react-query';
import { apiRequest } from './client';
import type { SystemInfo } from './types';

export const systemKey = ['system'] as const;

/** `GET /api/system`: name, version, database, listeners, domains. */
export function useSystem() {
  return useQuery({
    queryKey: systemKey,
    queryFn: ({ signal }) => apiRequest<SystemInfo>('/api/system', { signal }),
    staleTime: 60_000,
  });
}
