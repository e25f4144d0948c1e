import { useSyncExternalStore } from 'react';
import type { TraceCapture } from './trace-types';

/**
 * Captures the operator stopped from this page. The API has no "stop but
 * keep": `DELETE /api/trace/:id` stops a capture and discards it on the
 * appliance. So Stop fetches what was captured, deletes it there, and keeps
 * the copy here (for this browser tab, until discarded or reloaded) so the
 * ladder stays readable after the capture ends.
 */
const kept = new Map<string, TraceCapture>();
let snapshot: readonly TraceCapture[] = [];
const listeners = new Set<() => void>();

function changed() {
  snapshot = [...kept.values()];
  listeners.forEach((fn) => fn());
}

export const keptCaptures = {
  get(id: string): TraceCapture | undefined {
    return kept.get(id);
  },
  put(c: TraceCapture): void {
    kept.set(c.id, c);
    changed();
  },
  /** Applies `fn` to a kept capture, if there is one. */
  update(id: string, fn: (c: TraceCapture) => TraceCapture): void {
    const c = kept.get(id);
    if (!c) return;
    const next = fn(c);
    if (next === c) return;
    kept.set(id, next);
    changed();
  },
  remove(id: string): void {
    if (kept.delete(id)) changed();
  },
  subscribe(fn: () => void): () => void {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

export function useKeptCaptures(): readonly TraceCapture[] {
  return useSyncExternalStore(keptCaptures.subscribe, () => snapshot);
}
