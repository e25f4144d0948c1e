import type { SipRequest } from '@pbx/sip';

/**
 * One place a message can be delivered: a binding of the owner's AoR, as the
 * location service returns it.
 */
export interface SiloDestination {
  /** The registered contact URI: the Request-URI of the delivery. */
  readonly uri: string;
  /** The binding's Path values, top first, sent as Route headers (RFC 3327 §5.3). */
  readonly path?: readonly string[];
  /** Host data handed back to the sender untouched (received address, socket, flow token…). */
  readonly handle?: unknown;
}

export type SendPurpose = 'dump' | 'reminder' | 'notification' | 'compose';

export interface SendOptions {
  readonly purpose: SendPurpose;
  /** The binding this request goes to; absent when the Request-URI is an AoR for the proxy to route. */
  readonly destination?: SiloDestination;
  /** outbound_proxy: the next hop instead of the Request-URI's (RFC 3261 §8.1.2 pre-loaded route). */
  readonly outboundProxy?: string;
}

/**
 * Sends requests msilo originates, each as a new non-INVITE client
 * transaction. The sender adds the Via (RFC 3261 §8.1.1.7) and resolves with
 * the final response's status: 408 on Timer F, 503 when the transport
 * fails. It should not reject; a rejection counts as a failed delivery.
 * Provisional responses are not reported.
 */
export interface SiloSender {
  send(req: SipRequest, opts: SendOptions): Promise<{ status: number }>;
}

/**
 * The location service as msilo needs it: the current bindings of an AoR
 * (`sip:user@domain`). Used for reminders, for compose, and for
 * dump_to_all_bindings.
 */
export interface SiloLocator {
  lookup(aor: string): Promise<readonly SiloDestination[]> | readonly SiloDestination[];
}
