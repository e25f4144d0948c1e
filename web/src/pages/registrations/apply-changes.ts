import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Contact, Registration, RegistrationChanged, RegistrationPage, RegistrationSort, SortOrder } from './types';

/** The registration queries' keys and page size (repeated here: the API module imports this one). */
const LIST_KEY = ['registrations', 'list'] as const;
const aorKey = (aor: string) => ['registrations', 'aor', aor] as const;
const PAGE_SIZE = 50;

type ListData = InfiniteData<RegistrationPage, number>;
interface ListParams {
  search: string;
  sort: RegistrationSort;
  order: SortOrder;
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const latestExpiry = (r: Registration) => r.contacts.reduce((m, c) => Math.max(m, c.expires), -Infinity);

/** The server's order (ties broken by AoR, ascending), to place an AoR that appears live. */
export function compareRegistrations(sort: RegistrationSort, order: SortOrder): (a: Registration, b: Registration) => number {
  const dir = order === 'desc' ? -1 : 1;
  switch (sort) {
    case 'contacts':
      return (a, b) => (a.contacts.length - b.contacts.length) * dir || cmpStr(a.aor, b.aor);
    case 'expires':
      return (a, b) => (latestExpiry(a) - latestExpiry(b)) * dir || cmpStr(a.aor, b.aor);
    default:
      return (a, b) => cmpStr(a.aor, b.aor) * dir;
  }
}

/** The server's search: a case-insensitive substring of the AoR or of a contact's user agent. */
export function matchesSearch(search: string, r: Registration): boolean {
  if (!search) return true;
  const s = search.toLowerCase();
  return r.aor.toLowerCase().includes(s) || r.contacts.some((c) => (c.userAgent ?? '').toLowerCase().includes(s));
}

/**
 * Applies live changes to one loaded list, keeping what is on screen where
 * it is: a refreshed AoR updates in place (even when the sort is by expiry:
 * rows must not jump under the pointer), an AoR without contacts leaves, a
 * new AoR is inserted where the server's order puts it when that place is
 * within the loaded rows. `resync` says the server's paging has shifted
 * (an AoR came or went), so the loaded pages should be fetched again soon.
 */
export function applyToList(data: ListData, params: ListParams, changes: readonly RegistrationChanged[]): { data: ListData; resync: boolean } {
  const pages = data.pages.slice();
  const owned = new Set<number>();
  const own = (pi: number): Registration[] => {
    if (!owned.has(pi)) {
      pages[pi] = { ...pages[pi]!, items: pages[pi]!.items.slice() };
      owned.add(pi);
    }
    return pages[pi]!.items;
  };
  const lastParam = data.pageParams[data.pageParams.length - 1] ?? 1;
  const allLoaded = pages.length === 0 || lastParam * PAGE_SIZE >= pages[pages.length - 1]!.total;
  const compare = compareRegistrations(params.sort, params.order);
  let delta = 0;
  let resync = false;
  let changed = false;

  for (const c of changes) {
    const next: Registration = { aor: c.aor, contacts: c.contacts };
    let found = false;
    for (let pi = 0; pi < pages.length && !found; pi++) {
      const ii = pages[pi]!.items.findIndex((r) => r.aor === c.aor);
      if (ii < 0) continue;
      found = true;
      changed = true;
      if (c.contacts.length === 0) {
        own(pi).splice(ii, 1);
        delta--;
        resync = true;
      } else own(pi)[ii] = next;
    }
    if (found) continue;
    if (c.contacts.length === 0) {
      // An AoR we never loaded went away: only the total (and paging) moved.
      if (!allLoaded) resync = true;
      continue;
    }
    if (!matchesSearch(params.search, next)) continue;
    // Not loaded: new, or simply further down than we have scrolled.
    let placed = false;
    for (let pi = 0; pi < pages.length && !placed; pi++) {
      const ii = pages[pi]!.items.findIndex((r) => compare(next, r) < 0);
      if (ii < 0) continue;
      own(pi).splice(ii, 0, next);
      placed = true;
    }
    if (!placed && allLoaded && pages.length > 0) {
      own(pages.length - 1).push(next);
      placed = true;
    }
    if (placed) {
      changed = true;
      delta++;
    }
    resync = true;
  }

  if (!changed) return { data, resync };
  return { data: { ...data, pages: delta === 0 ? pages : pages.map((p) => ({ ...p, total: Math.max(0, p.total + delta) })) }, resync };
}

/** Applies live changes to every cached registrations list and AoR detail; true when paging shifted. */
export function applyChanges(qc: QueryClient, changes: readonly RegistrationChanged[]): boolean {
  let resync = false;
  for (const [key, data] of qc.getQueriesData<ListData>({ queryKey: LIST_KEY })) {
    if (!data) continue;
    const params = key[2] as ListParams;
    const r = applyToList(data, params, changes);
    if (r.resync) resync = true;
    if (r.data !== data) qc.setQueryData(key, r.data);
  }
  // The last change of an AoR in the batch is its state now.
  const last = new Map<string, RegistrationChanged>();
  for (const c of changes) last.set(c.aor, c);
  for (const c of last.values()) {
    if (qc.getQueryState(aorKey(c.aor))) qc.setQueryData<Registration>(aorKey(c.aor), { aor: c.aor, contacts: c.contacts });
  }
  return resync;
}

/** An AoR as a loaded list holds it. */
export function findInLists(qc: QueryClient, aor: string): Registration | undefined {
  for (const [, data] of qc.getQueriesData<ListData>({ queryKey: LIST_KEY })) {
    for (const p of data?.pages ?? []) {
      const r = p.items.find((x) => x.aor === aor);
      if (r) return r;
    }
  }
  return undefined;
}

/** The contacts the cache holds for an AoR (its detail, else any list), or undefined when unknown. */
function cachedContacts(qc: QueryClient, aor: string): Contact[] | undefined {
  return (qc.getQueryData<Registration>(aorKey(aor)) ?? findInLists(qc, aor))?.contacts;
}

/** After an admin unregister: the AoR leaves every view at once. */
export function removeAor(qc: QueryClient, aor: string): void {
  applyChanges(qc, [{ aor, reason: 'unregistered', contacts: [] }]);
}

export function removeContact(qc: QueryClient, aor: string, id: string): void {
  const contacts = cachedContacts(qc, aor);
  if (contacts) applyChanges(qc, [{ aor, reason: 'unregistered', contacts: contacts.filter((c) => c.id !== id) }]);
}
