import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from './client';
import type { Subscriber, SubscriberPage, SubscriberSort } from './types';

export const subscribersKey = ['subscribers'] as const;
export const SUBSCRIBERS_PAGE_SIZE = 50;

export interface SubscriberListParams {
  search: string;
  sort: SubscriberSort;
  order: 'asc' | 'desc';
}

function listUrl(p: SubscriberListParams, offset: number, limit: number): string {
  const q = new URLSearchParams({ search: p.search, offset: String(offset), limit: String(limit), sort: p.sort, order: p.order });
  return `/api/subscribers?${q}`;
}

/**
 * The subscriber list, fetched from the server a page at a time as the table
 * scrolls (search, sort and paging all happen server-side).
 */
export function useSubscriberList(params: SubscriberListParams) {
  return useInfiniteQuery({
    queryKey: [...subscribersKey, 'list', params],
    initialPageParam: 0,
    queryFn: ({ pageParam, signal }) => apiRequest<SubscriberPage>(listUrl(params, pageParam, SUBSCRIBERS_PAGE_SIZE), { signal }),
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.items.length, 0);
      return loaded < last.total && last.items.length > 0 ? loaded : undefined;
    },
    placeholderData: keepPreviousData,
  });
}

/** How many subscribers exist (the Overview card). */
export function useSubscriberCount() {
  return useQuery({
    queryKey: [...subscribersKey, 'count'],
    queryFn: ({ signal }) =>
      apiRequest<SubscriberPage>(listUrl({ search: '', sort: 'username', order: 'asc' }, 0, 1), { signal }).then((p) => p.total),
  });
}

export interface NewSubscriber {
  username: string;
  domain: string;
  password: string;
}

export function useCreateSubscriber() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewSubscriber) => apiRequest<Subscriber>('/api/subscribers', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: subscribersKey }),
  });
}

export function useChangePassword() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, password }: { id: number; password: string }) =>
      apiRequest<Subscriber>(`/api/subscribers/${id}`, { method: 'PATCH', body: { password } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: subscribersKey }),
  });
}

export function useDeleteSubscriber() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiRequest<void>(`/api/subscribers/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: subscribersKey }),
  });
}
