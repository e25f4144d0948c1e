import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../api/client';

/** One session of GET /api/msrp/sessions (times in epoch seconds). */
export interface MsrpSessionRow {
  id: string;
  user: string | null;
  uri: string;
  peer: string;
  transport: string;
  createdAt: number;
  expiresAt: number;
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

/** The msrp.traffic event: every session's counters, every 2 s while sessions exist. */
export interface MsrpTraffic {
  at: number;
  sessions: Array<Pick<MsrpSessionRow, 'id' | 'framesIn' | 'bytesIn' | 'framesOut' | 'bytesOut'>>;
}

export const msrpSessionsKey = ['msrp', 'sessions'] as const;

export function useMsrpSessions() {
  return useQuery({
    queryKey: msrpSessionsKey,
    queryFn: ({ signal }) => apiRequest<MsrpSessionRow[]>('/api/msrp/sessions', { signal }),
  });
}

/** DELETE /api/msrp/sessions/:id: the session leaves the map and its client is disconnected. */
export function useCloseMsrpSession() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest<void>(`/api/msrp/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSettled: () => qc.invalidateQueries({ queryKey: msrpSessionsKey }),
  });
}
