import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-error';

/**
 * Client errors (4xx) are answers, not glitches: they are shown at once.
 * Only network failures and 5xx are retried, twice.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
}
