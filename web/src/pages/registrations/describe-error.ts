import { ApiError, errorMessage } from '../../api/api-error';

/**
 * A list query's failure with its per-field reasons spelled out: a 400 on a
 * query string ("Validation failed") is only useful with the parameter it
 * was about, e.g. "Validation failed (sort: Invalid option …)".
 */
export function describeError(err: unknown): Error {
  if (err instanceof ApiError) {
    const fields = Object.entries(err.fieldErrors);
    if (fields.length > 0) return new Error(`${err.message} (${fields.map(([f, m]) => `${f}: ${m}`).join('; ')})`);
  }
  return err instanceof Error ? err : new Error(errorMessage(err));
}
