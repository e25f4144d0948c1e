import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/api-error';
import { apiRequest } from '../../api/client';
import { markStopped, mergeMessages, toSummary } from './capture-cache';
import { keptCaptures } from './kept-captures';
import { takeEarlyMessages } from './early-messages';
import { captureKey, captureListKey } from './trace-keys';
import type { CaptureSummary, StartCapture, TraceCapture } from './trace-types';

const captureUrl = (id: string) => `/api/trace/${encodeURIComponent(id)}`;

/** `GET /api/trace`: running and recent captures, without their messages. */
export function useCaptureList() {
  return useQuery({
    queryKey: captureListKey,
    queryFn: ({ signal }) => apiRequest<{ items: CaptureSummary[] }>('/api/trace', { signal }).then((r) => r.items),
  });
}

function fetchCapture(id: string, signal?: AbortSignal): Promise<TraceCapture> {
  return apiRequest<TraceCapture>(captureUrl(id), { signal }).then((c) => mergeMessages(c, takeEarlyMessages(id)));
}

/**
 * `GET /api/trace/:id` when the capture is opened; `trace.message` events
 * keep it current after that (a reconnect refetches it, as it does every
 * query). Opened again later, it is fetched again: events that came while
 * the page was closed were not listened to.
 */
export function useCapture(id: string | null, enabled: boolean) {
  return useQuery({
    queryKey: captureKey(id ?? ''),
    queryFn: ({ signal }) => fetchCapture(id!, signal),
    enabled: enabled && id !== null,
    staleTime: Infinity,
    refetchOnMount: 'always',
  });
}

function dropFromList(qc: QueryClient, id: string) {
  qc.setQueryData<CaptureSummary[]>(captureListKey, (old) => old?.filter((c) => c.id !== id));
}

/** `POST /api/trace`; the answer (with no messages yet) seeds the capture's cache. */
export function useStartCapture() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: StartCapture) => apiRequest<TraceCapture>('/api/trace', { method: 'POST', body }),
    onSuccess: (c) => {
      qc.setQueryData<TraceCapture>(captureKey(c.id), (old) => (old ? mergeMessages(c, old.messages) : c));
      qc.setQueryData<CaptureSummary[]>(captureListKey, (old) => (old && !old.some((x) => x.id === c.id) ? [...old, toSummary(c)] : old));
      void qc.invalidateQueries({ queryKey: captureListKey });
    },
  });
}

/** DELETE, where "already gone" (another operator discarded it) counts as done. */
async function deleteCapture(id: string): Promise<void> {
  try {
    await apiRequest<void>(captureUrl(id), { method: 'DELETE' });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
}

/**
 * Stop a running capture and keep what it caught, in this browser (see
 * kept-captures.ts for why).
 */
export function useStopCapture() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const before = await qc.ensureQueryData({ queryKey: captureKey(id), queryFn: ({ signal }) => fetchCapture(id, signal) });
      await deleteCapture(id);
      // Messages that arrived live while the DELETE was on its way are in the cache by now.
      const latest = qc.getQueryData<TraceCapture>(captureKey(id)) ?? before;
      keptCaptures.put(markStopped(latest, 'stopped', Date.now()));
      qc.removeQueries({ queryKey: captureKey(id), exact: true });
      dropFromList(qc, id);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: captureListKey }),
  });
}

/** Throw a capture away: on the appliance, and any copy kept here. */
export function useDiscardCapture() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, kept }: { id: string; kept: boolean }) => {
      if (kept) keptCaptures.remove(id);
      else await deleteCapture(id);
      qc.removeQueries({ queryKey: captureKey(id), exact: true });
      if (!kept) dropFromList(qc, id);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: captureListKey }),
  });
}
