/**
 * The signed-in session, kept in sessionStorage: it survives a reload but
 * not closing the tab, and is never shared with other tabs. A tiny external
 * store so React (useSyncExternalStore) and the fetch client read the same value.
 */
export interface Session {
  token: string;
  /** ISO date from the login answer. */
  expiresAt: string;
  username: string;
}

const KEY = 'pbx-lite.session';
const listeners = new Set<() => void>();
let current: Session | null = load();

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.expiresAt !== 'string') return null;
    if (Date.parse(s.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return { token: s.token, expiresAt: s.expiresAt, username: s.username ?? 'admin' };
  } catch {
    return null;
  }
}

function emit(): void {
  for (const fn of listeners) fn();
}

export function readSession(): Session | null {
  return current;
}

export function saveSession(s: Session): void {
  current = s;
  sessionStorage.setItem(KEY, JSON.stringify(s));
  emit();
}

export function clearSession(): void {
  if (!current) return;
  current = null;
  sessionStorage.removeItem(KEY);
  emit();
}

export function subscribeSession(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
