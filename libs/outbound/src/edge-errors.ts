/**
 * Every way the edge refuses or fails a request (seed: the edge proxy
 * sample config's sl_send_reply calls; RFC 5626 §5.3), one closed enum
 * mapped to the SIP status and reason in one table.
 */
export type EdgeError =
  /** REQINIT: Max-Forwards reached 0 (mf_process_maxfwd_header). */
  | 'too_many_hops'
  /** REQINIT sanity_check: CSeq method differs from the request method. */
  | 'cseq_mismatch'
  /** A Route flow token that fails its HMAC or does not decode (loose_route returning -2). */
  | 'bad_flow_token'
  /** WITHINDLG: an in-dialog request with no route through us. */
  | 'no_dialog_route'
  /** Out-of-dialog request from a UA whose Request-URI has no user part. */
  | 'address_incomplete'
  /** §5.3: the flow the token names is gone (connection closed, UDP flow expired) or did not answer. */
  | 'flow_failed'
  /** The registrar URI cannot be resolved to an address. */
  | 'registrar_unreachable'
  /** A CANCEL that matches no transaction. */
  | 'no_transaction';

export const EDGE_REPLIES: Readonly<Record<EdgeError, { status: number; reason: string }>> = {
  too_many_hops: { status: 483, reason: 'Too Many Hops' },
  cseq_mismatch: { status: 400, reason: 'CSeq method does not match request method' },
  bad_flow_token: { status: 403, reason: 'Forbidden' },
  no_dialog_route: { status: 404, reason: 'Not Found' },
  address_incomplete: { status: 484, reason: 'Address Incomplete' },
  flow_failed: { status: 430, reason: 'Flow Failed' },
  registrar_unreachable: { status: 500, reason: 'Registrar Unreachable' },
  no_transaction: { status: 481, reason: 'Call/Transaction Does Not Exist' },
};
