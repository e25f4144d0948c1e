import { useEffect, useMemo } from 'react';
import { useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { applyChanges } from './apply-changes';
import { registrationListKey } from './registrations-api';
import { createBatcher, useLiveEvent } from './use-live-event';
import type { RegistrationChanged, RegistrationPage } from './types';

const BATCH_MS = 100;

/**
 * Keeps the registrations on screen current from `registration.changed`:
 * changes are applied to the cached lists and AoR details in batches, so
 * rows appear, refresh and vanish without a reload. When an AoR came or
 * went, offset paging has shifted under the loaded pages: they are fetched
 * again, after a pause that grows with how many are loaded (a registrar
 * with 100k phones changes membership every second).
 */
export function useLiveRegistrations(): void {
  const qc = useQueryClient();
  const live = useMemo(() => {
    let resyncTimer: ReturnType<typeof setTimeout> | undefined;
    const scheduleResync = () => {
      if (resyncTimer) return;
      let loadedPages = 1;
      for (const [, d] of qc.getQueriesData<InfiniteData<RegistrationPage>>({ queryKey: registrationListKey }))
        loadedPages = Math.max(loadedPages, d?.pages.length ?? 0);
      const ms = Math.min(60_000, 2_000 + loadedPages * 1_000);
      resyncTimer = setTimeout(() => {
        resyncTimer = undefined;
        void qc.invalidateQueries({ queryKey: registrationListKey });
      }, ms);
    };
    const batcher = createBatcher<RegistrationChanged>(BATCH_MS, (changes) => {
      if (applyChanges(qc, changes)) scheduleResync();
    });
    return {
      push: batcher.push,
      stop() {
        batcher.cancel();
        clearTimeout(resyncTimer);
      },
    };
  }, [qc]);
  useEffect(() => live.stop, [live]);
  useLiveEvent<RegistrationChanged>('registration.changed', (c) => {
    if (c && typeof c.aor === 'string' && Array.isArray(c.contacts)) live.push(c);
  });
}
