import { createContext, useContext } from 'react';
import type { Session } from './token-store';

export interface AuthState {
  session: Session | null;
  /** Shown on the login page: why the user is there (expired, signed out). */
  notice: string | null;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** The server refused the token: drop it and ask to sign in again. */
  expire(): void;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside <AuthProvider>');
  return ctx;
}

export const SESSION_EXPIRED = 'Your session has expired, please sign in again';
