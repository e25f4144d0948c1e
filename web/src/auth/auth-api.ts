import { apiRequest } from '../api/client';
import type { LoginResult } from '../api/types';

/** `POST /api/auth/login`: 401 wrong credentials, 429 throttled. */
export function loginRequest(username: string, password: string): Promise<LoginResult> {
  return apiRequest<LoginResult>('/api/auth/login', { method: 'POST', body: { username, password }, auth: false });
}

/** `POST /api/auth/logout`: revokes the token on the server. */
export function logoutRequest(): Promise<void> {
  return apiRequest<void>('/api/auth/logout', { method: 'POST' });
}
