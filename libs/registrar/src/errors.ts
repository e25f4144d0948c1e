/**
 * The registrar's closed error set (Kamailio registrar/rerrno.h), mapped by
 * one table to the SIP status and reason phrase of the reply (reply.c's
 * `codes[]` and `error_info[]`) and to the HTTP status the admin API uses
 * for the same failure.
 *
 * Where we differ from Kamailio the description says why: Kamailio answers
 * an out-of-order or retransmitted REGISTER with 200 and keeps the binding;
 * RFC 3261 §10.3 step 7 says the request fails, so we answer 500 as
 * §12.2.2 does for an out-of-order CSeq.
 */
export type RegistrarErrorCode =
  | 'bad_header'
  | 'bad_aor'
  | 'no_username'
  | 'aor_too_long'
  | 'bad_contact_uri'
  | 'contact_too_long'
  | 'callid_too_long'
  | 'path_too_long'
  | 'instance_too_long'
  | 'invalid_expires'
  | 'invalid_q'
  | 'invalid_reg_id'
  | 'star_expires'
  | 'multiple_reg_id'
  | 'contact_is_gruu'
  | 'contact_is_aor'
  | 'out_of_order'
  | 'interval_too_brief'
  | 'too_many_contacts'
  | 'extension_unsupported'
  | 'path_unsupported'
  | 'outbound_unsupported'
  | 'outbound_required'
  | 'first_hop_lacks_outbound'
  | 'store_failure'
  | 'not_found'
  | 'method_not_allowed';

export interface RegistrarErrorInfo {
  /** SIP status of the reply. */
  readonly status: number;
  /** Reason phrase; for 400s a detail is appended (`Invalid Contact URI: invalid port in URI`). */
  readonly reason: string;
  /** HTTP status the admin API answers with for the same failure. */
  readonly http: number;
  /** The rule, with its source. */
  readonly description: string;
}

export const REGISTRAR_ERRORS: Readonly<Record<RegistrarErrorCode, RegistrarErrorInfo>> = {
  bad_header: { status: 400, reason: 'Bad header', http: 400, description: 'a header the registrar reads (Contact, Expires, Path, Supported, Require, Allow…) does not match its grammar (RFC 3261 §25)' },
  bad_aor: { status: 400, reason: 'Invalid AoR', http: 400, description: 'the address-of-record is not a SIP or SIPS URI (RFC 3261 §10.2: To holds the AoR)' },
  no_username: { status: 400, reason: 'No username in To URI', http: 400, description: 'the AoR has no user part (Kamailio R_TO_USER)' },
  aor_too_long: { status: 400, reason: 'Address Of Record too long', http: 400, description: 'the user or domain does not fit location.username/domain (64); Kamailio R_AOR_LEN answers 500, a client error is the honest code' },
  bad_contact_uri: { status: 400, reason: 'Invalid Contact URI', http: 400, description: 'a Contact URI or its parameters do not parse, or it is not sip:/sips: (RFC 3261 §10.3 step 2 processes the whole request or none of it)' },
  contact_too_long: { status: 400, reason: 'Contact/received too long', http: 400, description: 'contact URI longer than location.contact (512) or received longer than 255 (Kamailio R_CONTACT_LEN)' },
  callid_too_long: { status: 400, reason: 'Callid too long', http: 400, description: 'Call-ID longer than location.callid (255) (Kamailio R_CALLID_LEN)' },
  path_too_long: { status: 400, reason: 'Path too long', http: 400, description: 'the Path vector is longer than location.path (512) (Kamailio R_PARSE_PATH)' },
  instance_too_long: { status: 400, reason: 'Instance too long', http: 400, description: '+sip.instance longer than location.instance (255)' },
  invalid_expires: { status: 400, reason: 'Invalid expires param in contact', http: 400, description: 'a Contact expires parameter that is not delta-seconds (RFC 3261 §20.10, Kamailio R_INV_EXP)' },
  invalid_q: { status: 400, reason: 'Invalid q param in contact', http: 400, description: 'a Contact q parameter outside 0..1 with up to three decimals (RFC 3261 §20.10, Kamailio R_INV_Q)' },
  invalid_reg_id: { status: 400, reason: 'Invalid reg-id param in contact', http: 400, description: 'reg-id is not a positive integer (RFC 5626 §4.2, Kamailio R_INV_REGID)' },
  star_expires: { status: 400, reason: '* used in contact and expires is not zero', http: 400, description: 'Contact: * without Expires: 0 (RFC 3261 §10.2.2, §10.3 step 6; Kamailio R_STAR_EXP)' },
  multiple_reg_id: { status: 400, reason: 'More than one contact with reg-id', http: 400, description: 'several Contacts with a non-zero expiration, one of them with reg-id (RFC 5626 §6 SHOULD reject)' },
  contact_is_gruu: { status: 403, reason: 'Contact is a GRUU', http: 403, description: 'a Contact URI carrying the gr parameter would route to itself (RFC 5627 §5.1: the registrar MUST reject it with a 403)' },
  contact_is_aor: { status: 403, reason: 'Contact is the AoR', http: 403, description: 'a Contact URI equal to the AoR would loop (RFC 5627 §5.1: the registrar MUST reject it with a 403)' },
  out_of_order: { status: 500, reason: 'Out of order request', http: 409, description: 'same Call-ID and a CSeq lower than the binding\'s, or equal to it once usrloc.cseq_delay has passed since the binding was saved (sooner, it is a retransmission: 200, binding kept): "the update MUST be aborted and the request fails" (RFC 3261 §10.3 step 7); 500 as §12.2.2 answers an out-of-order CSeq' },
  interval_too_brief: { status: 423, reason: 'Interval Too Brief', http: 400, description: 'expires > 0, < 3600 and below min_expires with min_expires_mode 1 (RFC 3261 §10.3 step 7, Kamailio R_LOW_EXP); carries Min-Expires' },
  too_many_contacts: { status: 503, reason: 'Too many registered contacts', http: 409, description: 'the REGISTER would leave more than max_contacts bindings (seed §3.13, Kamailio R_TOO_MANY); Retry-After when retry_after > 0 (seed §3.14)' },
  extension_unsupported: { status: 420, reason: 'Bad Extension', http: 400, description: 'Require lists an option tag the registrar does not support; Unsupported lists them (RFC 3261 §8.2.2.3)' },
  path_unsupported: { status: 420, reason: 'Bad Extension', http: 400, description: 'Path present without Supported: path and path_mode 2; carries Unsupported: path and the Path (seed §3.19, RFC 3327 §5.3, Kamailio R_PATH_UNSUP)' },
  outbound_unsupported: { status: 420, reason: 'Bad Extension', http: 400, description: 'Require: outbound with outbound_mode 0; carries Unsupported: outbound (seed §3.26, Kamailio R_OB_REQD)' },
  outbound_required: { status: 421, reason: 'Extension Required', http: 400, description: 'no outbound option tag with outbound_mode 2; carries Require: outbound (seed §3.26, Kamailio R_OB_UNSUP)' },
  first_hop_lacks_outbound: { status: 439, reason: 'First Hop Lacks Outbound Support', http: 400, description: 'reg-id and Supported: outbound, but the registrar is not the first hop and the first Path URI lacks ;ob (RFC 5626 §6, §11.6; Kamailio R_OB_UNSUP_EDGE)' },
  store_failure: { status: 500, reason: 'Server Internal Error', http: 503, description: 'the location database write (db_mode 1, 3) or read (db_mode 3) failed; the bindings are as before' },
  not_found: { status: 404, reason: 'Not Found', http: 404, description: 'no binding for the AoR (lookup -1, unregister -3)' },
  method_not_allowed: { status: 405, reason: 'Method Not Allowed', http: 405, description: 'bindings exist but method_filtering excludes every one of them (lookup -2)' },
};

/** What some rejections carry into the reply (Unsupported option tags, the Path echoed with a 420). */
export interface RegistrarErrorExtra {
  unsupported?: readonly string[];
  path?: string;
}

/** A registrar failure with its code; `detail` refines the reason phrase of 400s. */
export class RegistrarError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(
    readonly code: RegistrarErrorCode,
    readonly detail?: string,
    readonly extra: RegistrarErrorExtra = {},
  ) {
    const info = REGISTRAR_ERRORS[code];
    const reason = detail && info.status === 400 ? `${info.reason}: ${detail}` : info.reason;
    super(reason);
    this.name = 'RegistrarError';
    this.status = info.status;
    this.reason = sanitizeReason(reason);
  }
}

/** A reason phrase is one line of TEXT-UTF8 (RFC 3261 §25.1): no CR/LF, bounded. */
function sanitizeReason(s: string): string {
  const one = s.replace(/[\r\n\t]+/g, ' ');
  return one.length > 200 ? one.slice(0, 200) : one;
}
