import { ApiError } from './api-error';
import { readSession } from '../auth/token-store';

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {};

/**
 * The auth layer registers what to do when the server refuses the token
 * (expired, revoked, server restarted with a new secret): drop the session
 * and go back to the login page.
 */
export function setUnauthorizedHandler(fn: UnauthorizedHandler): void {
  onUnauthorized = fn;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** false for the login call itself: no bearer token, and a 401 is a wrong password. */
  auth?: boolean;
}

/**
 * Calls the admin API on the same origin with the session's bearer token.
 * Resolves the parsed JSON body (undefined for 204); rejects with ApiError.
 */
export async function apiRequest<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const auth = opts.auth ?? true;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (auth) {
    const session = readSession();
    if (!session) {
      onUnauthorized();
      throw new ApiError(401, 'Not signed in');
    }
    headers.authorization = `Bearer ${session.token}`;
  }

  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the appliance: check the network connection and that PBX-lite is running.');
  }

  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (res.ok) return body as T;
  if (res.status === 401 && auth) onUnauthorized();
  throw ApiError.fromBody(res.status, res.statusText, body);
}
