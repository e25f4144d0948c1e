/**
 * Every refusal of the relay, mapped by one table to the MSRP status and
 * comment it answers with (RFC 4975 §10, RFC 4976 §5, §7) and to the HTTP
 * status the admin API uses when it reports the same condition.
 */
export const RELAY_ERRORS = {
  /** RFC 4975 §7.3: a request the relay cannot make sense of. */
  bad_request: { status: 400, comment: 'Bad Request', http: 400 },
  /** RFC 4976 §5: AUTH without (valid) credentials: challenge. */
  unauthorized: { status: 401, comment: 'Unauthorized', http: 401 },
  /** RFC 4976 §7.1: the session in To-Path is not bound to the connection the request came on. */
  forbidden: { status: 403, comment: 'Forbidden', http: 403 },
  /** RFC 4975 §7.1.1: no response from the next hop in time, or it could not be reached. */
  timeout: { status: 408, comment: 'Request Timeout', http: 504 },
  /** RFC 4976 §5.1: AUTH Expires below auth_min_expires (Min-Expires) or above auth_max_expires (Max-Expires). */
  interval_out_of_bounds: { status: 423, comment: 'Interval Out-of-Bounds', http: 400 },
  /** RFC 4975 §7.2: To-Path names a session this relay does not hold (msrp_cmap_lookup failed). */
  session_not_found: { status: 481, comment: 'Session-does-not-exist', http: 404 },
  /** RFC 4975 §12: a method the relay does not understand. */
  method_not_understood: { status: 501, comment: 'Request-method-not-understood', http: 501 },
} as const;

export type RelayErrorCode = keyof typeof RELAY_ERRORS;
