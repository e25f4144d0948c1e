import type { ApiErrorBody } from './types';

/**
 * A failed API call: the HTTP status (0 when the server could not be
 * reached), the server's message, and its per-field validation messages.
 */
export class ApiError extends Error {
  readonly status: number;
  /** field name → message(s), from the `errors` array of a 400/409. */
  readonly fieldErrors: Readonly<Record<string, string>>;

  constructor(status: number, message: string, fieldErrors: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fieldErrors = fieldErrors;
  }

  static fromBody(status: number, statusText: string, body: unknown): ApiError {
    const b = (body && typeof body === 'object' ? body : {}) as ApiErrorBody;
    const raw = Array.isArray(b.message) ? b.message.join('; ') : b.message;
    const fallback =
      status >= 500 ? `The appliance could not answer (${status} ${statusText})`.replace(' )', ')') : `${status} ${statusText}`.trim();
    const message = raw || (typeof body === 'string' && body.length < 200 && body) || fallback;
    const fields: Record<string, string> = {};
    for (const e of Array.isArray(b.errors) ? b.errors : []) {
      if (!e || typeof e.field !== 'string') continue;
      fields[e.field] = fields[e.field] ? `${fields[e.field]}; ${e.message}` : e.message;
    }
    return new ApiError(status, message, fields);
  }
}

/** A readable sentence for any error a query or mutation may throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
