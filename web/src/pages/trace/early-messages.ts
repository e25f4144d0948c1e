import type { TracedMessage } from './trace-types';

/**
 * Messages that arrived live while their capture was being fetched: the GET
 * may have been answered before they were captured, so they are merged into
 * its result rather than lost. Taken (and forgotten) by the next fetch.
 */
const early = new Map<string, TracedMessage[]>();

export function holdEarlyMessages(id: string, msgs: readonly TracedMessage[]): void {
  early.set(id, [...(early.get(id) ?? []), ...msgs]);
}

export function takeEarlyMessages(id: string): TracedMessage[] {
  const m = early.get(id) ?? [];
  early.delete(id);
  return m;
}
