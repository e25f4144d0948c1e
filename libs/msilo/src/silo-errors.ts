/**
 * Every way msilo refuses a message or an admin request, in one table: the
 * SIP reply for a refused MESSAGE (m_store failing in the sample config gets
 * the script's 503; we answer each cause precisely) and the HTTP status for
 * the admin API. silo-errors.spec.ts fails when a code lacks an entry.
 */
export const SILO_ERRORS = {
  empty_body: { sip: 400, reason: 'Empty Message Body', http: 400, description: 'the MESSAGE has no body (m_store stores only non-empty messages)' },
  missing_content_type: { sip: 400, reason: 'Missing Content-Type', http: 400, description: 'a body without Content-Type (RFC 3261 §7.4.1)' },
  content_type_too_long: { sip: 415, reason: 'Unsupported Media Type', http: 415, description: 'the media type does not fit the ctype column (32 characters)' },
  body_too_large: { sip: 513, reason: 'Message Too Large', http: 413, description: 'the body is larger than the store accepts' },
  headers_too_large: { sip: 513, reason: 'Message Too Large', http: 413, description: 'the headers kept with the message (extra_hdrs_avp) are too large' },
  no_owner: { sip: 484, reason: 'Address Incomplete', http: 400, description: 'neither the R-URI nor the To URI is a full AoR (user@host)' },
  bad_owner: { sip: 400, reason: 'Bad Owner Address', http: 400, description: 'the owner given is not a SIP URI with a user part' },
  bad_address: { sip: 400, reason: 'Bad Address', http: 400, description: 'a From or To address is not a valid URI' },
  address_too_long: { sip: 400, reason: 'Address Too Long', http: 400, description: 'an address does not fit its silo column' },
  bad_send_time: { sip: 400, reason: 'Bad Send Time', http: 400, description: 'the reminder send time is not YYYYMMDDHHMMSS (UTC)' },
  reminders_disabled: { sip: 501, reason: 'Not Implemented', http: 409, description: 'a send time was given but reminders are off (send_time = 0 or reminder unset)' },
  inbox_full: { sip: 486, reason: 'Inbox Full', http: 409, description: 'the owner already has max_messages stored messages' },
  store_failed: { sip: 503, reason: 'Service Unavailable', http: 503, description: 'the database did not commit the message' },
  overloaded: { sip: 503, reason: 'Store Overloaded', http: 503, description: 'too many messages are waiting for the database; try again shortly' },
  not_found: { sip: 404, reason: 'Not Found', http: 404, description: 'no stored message with this id' },
} as const satisfies Record<string, { sip: number; reason: string; http: number; description: string }>;

export type SiloErrorCode = keyof typeof SILO_ERRORS;

/** A refusal from an admin operation; the REST layer maps `code` with SILO_ERRORS to its HTTP status. */
export class SiloError extends Error {
  readonly status: number;
  constructor(
    readonly code: SiloErrorCode,
    detail?: string,
  ) {
    super(detail ? `${SILO_ERRORS[code].description}: ${detail}` : SILO_ERRORS[code].description);
    this.name = 'SiloError';
    this.status = SILO_ERRORS[code].http;
  }
}
