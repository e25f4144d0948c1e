import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FlowView } from '../../../../libs/outbound/src/flow-view';
import { apiRequest } from '../../api/client';

/** One flow of the edge (GET /api/flows): the server's own view, imported type-only. */
export type FlowRow = FlowView;

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
