import { parseMessage, type SipRequest } from '@pbx/sip';
import type { ScaSubscription } from './subscription.js';

export class NotifyBuildError extends Error {
  override name = 'NotifyBuildError';
}

export interface NotifySpec {
  /** `Subscription-State` value, e.g. `active;expires=3600` or `terminated;reason=timeout` (RFC 6665 §8.2.3). */
  readonly subscriptionState: string;
  /** The Call-Info value (call-info: the AoR's state; line-seize: the reserved index). */
  readonly callInfo?: string;
  /** Our Contact URI for the dialog (RFC 6665 §4.1.2: NOTIFY carries a Contact). */
  readonly contact: string;
  /** Value of the CSeq; the caller takes it from the subscription's counter. */
  readonly cseq: number;
}

/** Branch of the placeholder Via, removed before the request is returned; the sender's layer adds its own. */
const PLACEHOLDER_VIA = 'SIP/2.0/UDP sca.invalid;branch=z9hG4bK-sca-placeholder';

/**
 * Builds a NOTIFY inside a subscription dialog (RFC 6665 §4.2.2 and
 * RFC 3261 §12.2.1.1):
 *
 *   NOTIFY <subscriber contact> SIP/2.0      remote target
 *   Route: <rr1>, …                           the route set (Record-Route of the SUBSCRIBE, as received)
 *   From: <aor>;tag=<our tag>                 we are the UAS of the SUBSCRIBE
 *   To: <subscriber From>;tag=<its tag>
 *   Call-ID / CSeq                            the dialog's; CSeq from our own counter
 *   Event: call-info|line-seize[;id=…]
 *   Subscription-State: active;expires=N | terminated;reason=…
 *   Contact: <ours>
 *   Call-Info: <aor>;appearance-index=…;appearance-state=…
 *
 * The route set is strict-route free here (every value we keep carries `lr`
 * when the phone's proxies do), so the Request-URI is the remote target.
 * The text is parsed back so the result is a normal request; the placeholder
 * Via is removed (the transaction layer adds ours with a fresh branch).
 */
export function buildNotify(sub: ScaSubscription, spec: NotifySpec): SipRequest {
  const ev = sub.eventId ? `${sub.event};id=${sub.eventId}` : sub.event;
  let head = `NOTIFY ${sub.subscriber} SIP/2.0\r\nVia: ${PLACEHOLDER_VIA}\r\n`;
  for (const r of sub.routeSet) head += `Route: ${r}\r\n`;
  head +=
    `Max-Forwards: 70\r\nFrom: <${sub.aor}>;tag=${sub.toTag}\r\nTo: ${sub.fromUri};tag=${sub.fromTag}\r\n` +
    `Call-ID: ${sub.callId}\r\nCSeq: ${spec.cseq} NOTIFY\r\nEvent: ${ev}\r\nSubscription-State: ${spec.subscriptionState}\r\n` +
    `Contact: <${spec.contact}>\r\n`;
  if (spec.callInfo) head += `Call-Info: ${spec.callInfo}\r\n`;
  head += 'Content-Length: 0\r\n\r\n';
  const r = parseMessage(Buffer.from(head, 'utf8'), { maxMessageSize: Number.MAX_SAFE_INTEGER });
  if (!r.ok) throw new NotifyBuildError(`${r.error.reason}${r.error.detail ? ` (${r.error.detail})` : ''}`);
  const req = r.message;
  if (req.kind !== 'request') throw new NotifyBuildError('built text parsed as a response');
  try {
    req.from();
    req.to();
    req.route();
  } catch (e) {
    throw new NotifyBuildError(e instanceof Error ? e.message : String(e));
  }
  req.removeTopVia();
  return req;
}
