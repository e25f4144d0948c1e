import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { apiRequest } from '../../api/client';
import type { ComposeResult, MessageFilters, MessagePage, NewMessage, SiloMessage } from './types';

export const messagesKey = ['messages'] as const;
export const messageListKey = [...messagesKey, 'list'] as const;
export const messageKey = (id: number) => [...messagesKey, 'one', id] as const;
export const MESSAGES_PAGE_SIZE = 50;

type ListData = InfiniteData<MessagePage, number>;

/** The silo a page at a time as the table scrolls, filtered on the server. */
export function useMessageList(filters: MessageFilters) {
  return useInfiniteQuery({
    queryKey: [...messageListKey, filters],
    initialPageParam: 1,
    queryFn: ({ pageParam, signal }) => {
      const q = new URLSearchParams({ page: String(pageParam), pageSize: String(MESSAGES_PAGE_SIZE) });
      if (filters.to) q.set('to', filters.to);
      if (filters.from) q.set('from', filters.from);
      if (filters.state) q.set('state', filters.state);
      return apiRequest<MessagePage>(`/api/messages?${q}`, { signal });
    },
    getNextPageParam: (last, _pages, lastPage) => (lastPage * MESSAGES_PAGE_SIZE < last.total && last.items.length > 0 ? lastPage + 1 : undefined),
    placeholderData: keepPreviousData,
  });
}

/** A message as a loaded list holds it. */
export function findMessage(qc: ReturnType<typeof useQueryClient>, id: number): SiloMessage | undefined {
  for (const [, data] of qc.getQueriesData<ListData>({ queryKey: messageListKey })) {
    for (const p of data?.pages ?? []) {
      const m = p.items.find((x) => x.id === id);
      if (m) return m;
    }
  }
  return undefined;
}

/** One message with its full body. */
export function useMessage(id: number | null) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: messageKey(id ?? -1),
    queryFn: ({ signal }) => apiRequest<SiloMessage>(`/api/messages/${id}`, { signal }),
    enabled: id !== null,
    staleTime: 0,
    placeholderData: () => (id === null ? undefined : findMessage(qc, id)),
  });
}

/** Removes a message from every cached list (after a delete). */
export function dropMessage(qc: ReturnType<typeof useQueryClient>, id: number): void {
  qc.setQueriesData<ListData>({ queryKey: messageListKey }, (data) => {
    if (!data || !data.pages.some((p) => p.items.some((m) => m.id === id))) return data;
    return { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.filter((m) => m.id !== id), total: Math.max(0, p.total - 1) })) };
  });
}

export function useDeleteMessage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiRequest<void>(`/api/messages/${id}`, { method: 'DELETE' }),
    onSuccess: (_r, id) => {
      dropMessage(qc, id);
      qc.removeQueries({ queryKey: messageKey(id) });
    },
  });
}

/** What a "deliver now" did, when the server waits for the outcome before answering. */
export interface DeliverReport {
  /** Bindings the messages were sent to (0: the AoR is not registered). */
  targets?: number;
  sent?: number;
  delivered?: number;
  failed?: number;
}

/** `POST /api/registrations/:aor/dump`: try delivering an AoR's stored messages now (202; each outcome also arrives as an event). */
export function useDeliverNow() {
  return useMutation({
    mutationFn: (aor: string) => apiRequest<DeliverReport | undefined>(`/api/registrations/${encodeURIComponent(aor)}/dump`, { method: 'POST' }),
  });
}

/** The notice after a "deliver now". */
export function deliverNotice(to: string, r: DeliverReport | undefined): string {
  const head = `Delivery to ${to}`;
  if (!r || typeof r.sent !== 'number') return `${head} started: stored messages go out if it is registered`;
  if (r.targets === 0) return `${head}: it is not registered, so its messages stay stored`;
  const n = (k: number, what: string) => `${k} ${what}`;
  return `${head}: ${n(r.sent, r.sent === 1 ? 'message sent' : 'messages sent')}${typeof r.delivered === 'number' ? `, ${r.delivered} delivered` : ''}${r.failed ? `, ${r.failed} refused` : ''}`;
}

/** `POST /api/messages`: store a message (or a reminder, with sendTime). 400 carries per-field errors. */
export function useComposeMessage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (m: NewMessage) => apiRequest<ComposeResult>('/api/messages', { method: 'POST', body: m }),
    onSuccess: () => qc.invalidateQueries({ queryKey: messageListKey }),
  });
}
