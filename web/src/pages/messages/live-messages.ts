import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { createBatcher, useLiveEvent } from '../registrations/use-live-event';
import { messageKey, messageListKey } from './messages-api';
import { FINAL_STATES, MESSAGE_EVENTS, type MessageEvent, type MessageEventName, type MessagePage, type SiloMessage } from './types';

type ListData = InfiniteData<MessagePage, number>;
/** What an event does to a message: a new state (and attempt count), or its removal. */
type Patch = { removed: true } | { removed: false; state: SiloMessage['state']; attempts?: number };

const BATCH_MS = 120;

/** Folds a batch of events into one patch per message (the last event wins). */
export function patchesOf(events: ReadonlyArray<{ name: MessageEventName; payload: MessageEvent }>): Map<number, Patch> {
  const out = new Map<number, Patch>();
  for (const { name, payload } of events) {
    const meant = MESSAGE_EVENTS[name];
    if (meant === null) {
      out.set(payload.id, { removed: true });
      continue;
    }
    out.set(payload.id, {
      removed: false,
      state: payload.state ?? meant,
      ...(typeof payload.attempts === 'number' ? { attempts: payload.attempts } : {}),
    });
  }
  return out;
}

function applyPatch(m: SiloMessage, p: Patch & { removed: false }): SiloMessage {
  if (m.state === p.state && (p.attempts === undefined || p.attempts === m.attempts)) return m;
  return { ...m, state: p.state, attempts: p.attempts ?? m.attempts };
}

/** A message whose end (delivered, expired) or refusal (failed) was seen live, and the row it had. */
export interface FinishedRow {
  message: SiloMessage;
  index: number;
}

/** Where a cached list shows a message (the first list that has it). */
function locate(qc: QueryClient, id: number): FinishedRow | undefined {
  for (const [, data] of qc.getQueriesData<ListData>({ queryKey: messageListKey })) {
    let index = 0;
    for (const p of data?.pages ?? [])
      for (const m of p.items) {
        if (m.id === id) return { message: m, index };
        index++;
      }
  }
  return undefined;
}

/** Applies the patches to every cached list and open message. */
export function applyPatches(qc: QueryClient, patches: Map<number, Patch>): void {
  qc.setQueriesData<ListData>({ queryKey: messageListKey }, (data) => {
    if (!data) return data;
    let changed = false;
    const pages = data.pages.map((page) => {
      let removed = 0;
      let touched = false;
      const items: SiloMessage[] = [];
      for (const m of page.items) {
        const p = patches.get(m.id);
        if (!p) items.push(m);
        else if (p.removed) removed++;
        else {
          const next = applyPatch(m, p);
          if (next !== m) touched = true;
          items.push(next);
        }
      }
      if (!removed && !touched) return page;
      changed = true;
      return { items, total: Math.max(0, page.total - removed) };
    });
    return changed ? { ...data, pages } : data;
  });
  for (const [id, p] of patches) {
    const key = messageKey(id);
    const one = qc.getQueryData<SiloMessage>(key);
    if (!one) continue;
    if (p.removed) void qc.invalidateQueries({ queryKey: key });
    else qc.setQueryData<SiloMessage>(key, applyPatch(one, p));
  }
}

/**
 * Keeps the silo on screen current: a message's state changes in place as
 * soon as msilo reports it (stored → delivered / failed / expired), deleted
 * ones leave; the loaded pages are then fetched again, after a pause that
 * grows with how many are loaded, for new messages and the filters.
 * msilo deletes a message once delivered or expired, and lists a refused
 * one as stored again: what was seen live is returned (with the row it had)
 * so the table keeps showing how each one ended.
 */
export function useLiveMessages(): { finished: ReadonlyMap<number, FinishedRow>; forget(id: number): void } {
  const qc = useQueryClient();
  const [finished, setFinished] = useState<ReadonlyMap<number, FinishedRow>>(() => new Map());
  const forget = useCallback((id: number) => {
    setFinished((old) => {
      if (!old.has(id)) return old;
      const next = new Map(old);
      next.delete(id);
      return next;
    });
  }, []);
  const live = useMemo(() => {
    let resyncTimer: ReturnType<typeof setTimeout> | undefined;
    const scheduleResync = () => {
      if (resyncTimer) return;
      let loadedPages = 1;
      for (const [, d] of qc.getQueriesData<ListData>({ queryKey: messageListKey })) loadedPages = Math.max(loadedPages, d?.pages.length ?? 0);
      resyncTimer = setTimeout(
        () => {
          resyncTimer = undefined;
          void qc.invalidateQueries({ queryKey: messageListKey });
        },
        Math.min(30_000, 150 + (loadedPages - 1) * 500),
      );
    };
    const batcher = createBatcher<{ name: MessageEventName; payload: MessageEvent }>(BATCH_MS, (events) => {
      const patches = patchesOf(events);
      const ended: Array<{ patch: Patch & { removed: false }; at: FinishedRow | undefined; id: number }> = [];
      const gone: number[] = [];
      for (const [id, p] of patches) {
        if (p.removed) gone.push(id);
        else if (FINAL_STATES.has(p.state) || p.state === 'failed') ended.push({ id, patch: p, at: locate(qc, id) });
      }
      if (ended.length || gone.length)
        setFinished((old) => {
          const next = new Map(old);
          for (const { id, patch, at } of ended) {
            // A list fetched since the last event may already lack it (msilo deleted it on delivery): use the row we kept.
            const base = at ?? old.get(id);
            if (base) next.set(id, { message: applyPatch(base.message, patch), index: base.index });
          }
          for (const id of gone) next.delete(id);
          return next;
        });
      applyPatches(qc, patches);
      scheduleResync();
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

  const on = (name: MessageEventName) => (payload: MessageEvent) => {
    if (payload && typeof payload.id === 'number') live.push({ name, payload });
  };
  useLiveEvent('message.stored', on('message.stored'));
  useLiveEvent('message.dumped', on('message.dumped'));
  useLiveEvent('message.failed', on('message.failed'));
  useLiveEvent('message.expired', on('message.expired'));
  useLiveEvent('message.deleted', on('message.deleted'));
  return { finished, forget };
}
