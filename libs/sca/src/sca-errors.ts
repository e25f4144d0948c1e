/**
 * Every way an SCA operation fails, mapped in one table to the SIP answer
 * (for SUBSCRIBEs) and the HTTP status (for the admin API), as Kamailio's
 * sca_reply / rerrno tables do.
 */
export const SCA_ERRORS = {
  bad_event: { sip: 489, reason: 'Bad Event', http: 400, message: 'event package is neither call-info nor line-seize' },
  bad_request: { sip: 400, reason: 'Bad Request', http: 400, message: 'malformed request' },
  bad_aor: { sip: 400, reason: 'Bad Request', http: 400, message: 'address-of-record is not a sip/sips URI with a user' },
  bad_contact: { sip: 400, reason: 'Bad Request', http: 400, message: 'missing or unusable Contact' },
  interval_too_brief: { sip: 423, reason: 'Interval Too Brief', http: 400, message: 'Expires below 1 s' },
  no_subscription: { sip: 481, reason: 'Subscription Does Not Exist', http: 404, message: 'no such subscription dialog' },
  // BroadWorks SIP Access Side Extensions §3: all appearances busy → 480 with Retry-After.
  no_appearance: { sip: 480, reason: 'Temporarily Unavailable', http: 409, message: 'no free appearance' },
  appearance_in_use: { sip: 480, reason: 'Temporarily Unavailable', http: 409, message: 'appearance is in use' },
  appearance_not_found: { sip: 481, reason: 'Call/Transaction Does Not Exist', http: 404, message: 'appearance is idle' },
  bad_index: { sip: 400, reason: 'Bad Request', http: 400, message: 'appearance index must be an integer from 1' },
  bad_state: { sip: 400, reason: 'Bad Request', http: 400, message: 'unknown appearance state' },
} as const;

export type ScaErrorCode = keyof typeof SCA_ERRORS;

export class ScaError extends Error {
  override name = 'ScaError';
  constructor(
    readonly code: ScaErrorCode,
    detail?: string,
  ) {
    super(detail ? `${SCA_ERRORS[code].message}: ${detail}` : SCA_ERRORS[code].message);
  }
  get sipStatus(): number {
    return SCA_ERRORS[this.code].sip;
  }
  get sipReason(): string {
    return SCA_ERRORS[this.code].reason;
  }
  get httpStatus(): number {
    return SCA_ERRORS[this.code].http;
  }
}
