import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { setUnauthorizedHandler } from '../api/client';
import { ApiError, errorMessage } from '../api/api-error';
import { AuthContext, SESSION_EXPIRED, type AuthState } from './auth-context';
import { loginRequest, logoutRequest } from './auth-api';
import { clearSession, readSession, saveSession, subscribeSession } from './token-store';

// setTimeout's delay is a signed 32-bit number of milliseconds.
const MAX_TIMER_MS = 2_147_483_647;

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const session = useSyncExternalStore(subscribeSession, readSession);
  const [notice, setNotice] = useState<string | null>(null);

  const expire = useCallback(() => {
    if (!readSession()) return;
    clearSession();
    qc.clear();
    setNotice(SESSION_EXPIRED);
  }, [qc]);

  useEffect(() => setUnauthorizedHandler(expire), [expire]);

  // Leave when the token's lifetime ends rather than on the next failed call.
  useEffect(() => {
    if (!session) return;
    const ms = Date.parse(session.expiresAt) - Date.now();
    const t = setTimeout(expire, Math.max(0, Math.min(ms, MAX_TIMER_MS)));
    return () => clearTimeout(t);
  }, [session, expire]);

  const login = useCallback(async (username: string, password: string) => {
    const r = await loginRequest(username, password);
    setNotice(null);
    saveSession({ token: r.token, expiresAt: r.expiresAt, username });
  }, []);

  const logout = useCallback(async () => {
    let failure: string | null = null;
    try {
      await logoutRequest();
    } catch (err) {
      // A token the server already refuses needs no revoking.
      if (!(err instanceof ApiError && err.status === 401))
        failure = `Signed out here, but the server could not revoke the session: ${errorMessage(err)}`;
    }
    clearSession();
    qc.clear();
    setNotice(failure);
  }, [qc]);

  const value = useMemo<AuthState>(() => ({ session, notice, login, logout, expire }), [session, notice, login, logout, expire]);
  return <AuthContext value={value}>{children}</AuthContext>;
}
