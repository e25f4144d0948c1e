import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../api/client';
import { findInLists, removeAor, removeContact } from './apply-changes';
import type { Registration, RegistrationPage, RegistrationSort, SortOrder } from './types';

export const registrationsKey = ['registrations'] as const;
export const registrationListKey = [...registrationsKey, 'list'] as const;
export const registrationKey = (aor: string) => [...registrationsKey, 'aor', aor] as const;
export const REGISTRATIONS_PAGE_SIZE = 50;

export interface RegistrationListParams {
  search: string;
  sort: RegistrationSort;
  order: SortOrder;
}

const aorPath = (aor: string) => `/api/registrations/${encodeURIComponent(aor)}`;

/**
 * AoRs a page at a time as the table scrolls; search, sort and paging
 * happen on the server, so 100k AoRs cost what one page costs.
 */
export function useRegistrationList(params: RegistrationListParams) {
  return useInfiniteQuery({
    queryKey: [...registrationListKey, params],
    initialPageParam: 1,
    queryFn: ({ pageParam, signal }) => {
      const q = new URLSearchParams({
        search: params.search,
        page: String(pageParam),
        pageSize: String(REGISTRATIONS_PAGE_SIZE),
        sort: params.sort,
        order: params.order,
      });
      return apiRequest<RegistrationPage>(`/api/registrations?${q}`, { signal });
    },
    getNextPageParam: (last, _pages, lastPage) =>
      lastPage * REGISTRATIONS_PAGE_SIZE < last.total && last.items.length > 0 ? lastPage + 1 : undefined,
    placeholderData: keepPreviousData,
  });
}

/** One AoR with all its bindings (404 once it has none). */
export function useRegistration(aor: string | null) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: registrationKey(aor ?? ''),
    queryFn: ({ signal }) => apiRequest<Registration>(aorPath(aor!), { signal }),
    enabled: aor !== null,
    staleTime: 0,
    // The row the user clicked is already loaded: show it while the fresh copy comes.
    placeholderData: () => (aor === null ? undefined : findInLists(qc, aor)),
  });
}

/** `DELETE /api/registrations/:aor`: every contact of the AoR. */
export function useUnregisterAor() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (aor: string) => apiRequest<void>(aorPath(aor), { method: 'DELETE' }),
    // The table follows at once; the registration.changed event says the same a moment later.
    onSuccess: (_r, aor) => removeAor(qc, aor),
  });
}

/** `DELETE /api/registrations/:aor/contacts/:id`: one binding. */
export function useUnregisterContact() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ aor, id }: { aor: string; id: string }) =>
      apiRequest<void>(`${aorPath(aor)}/contacts/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: (_r, { aor, id }) => removeContact(qc, aor, id),
  });
}
