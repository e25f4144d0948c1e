import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../api/client';

/** One flow of the edge (GET /api/flows; the server's FlowView). */
export interface FlowRow {
  id: string;
  instance: string | null;
  regId: number | null;
  aor: string | null;
  transport: string;
  peer: string;
  local: string;
  connectionId: number;
  openedAt: string;
  ageSec: number;
  lastSeenAt: string;
  lastKeepAliveAt: string | null;
  keepAlives: number;
  flowTimer: number;
  silent: boolean;
  requestsIn: number;
  requestsOut: number;
  bytesIn: number;
  bytesOut: number;
}

export const flowsKey = ['flows'] as const;

export function useFlows() {
  return useQuery({
    queryKey: flowsKey,
    queryFn: ({ signal }) => apiRequest<FlowRow[]>('/api/flows', { signal }),
    // Counters and ages move between events; a slow poll keeps them current.
    refetchInterval: 5_000,
  });
}

/** DELETE /api/flows/:id: closes the flow's connection. */
export function useCloseFlow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest<void>(`/api/flows/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSettled: () => qc.invalidateQueries({ queryKey: flowsKey }),
  });
}
