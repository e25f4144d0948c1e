/** The two event packages of the BroadWorks SIP Access Side Extensions (§2 call-info, §3 line-seize). */
export type ScaEventPackage = 'call-info' | 'line-seize';

export const SCA_EVENT_PACKAGES: readonly ScaEventPackage[] = ['call-info', 'line-seize'];

/** The `event` column of sca_subscriptions, as Kamailio's sca_event.h numbers the packages. */
export const EVENT_COLUMN: Record<ScaEventPackage, number> = { 'call-info': 1, 'line-seize': 2 };

/** Where a subscriber's SUBSCRIBE came from: NOTIFYs go back there while no route set says otherwise (symmetric response routing for NATed phones). */
export interface ScaPeer {
  readonly transport: string;
  readonly address: string;
  readonly port: number;
  /** Stream connection the SUBSCRIBE arrived on (0/absent for UDP). */
  readonly connectionId?: number;
  /** The local socket it arrived on (UDP: NOTIFYs leave from the same one, so NATs let them in). */
  readonly localAddress?: string;
  readonly localPort?: number;
}

/**
 * One call-info or line-seize subscription: the notifier's side of an
 * RFC 6665 subscription dialog. The notifier is the UAS of the SUBSCRIBE, so
 * in its NOTIFYs the From is the SUBSCRIBE's To (with our tag) and the To is
 * the SUBSCRIBE's From (§4.1.2, RFC 3261 §12.1.1).
 */
export interface ScaSubscription {
  /** The subscriber's Contact URI (sca_subscriptions.subscriber): the NOTIFY Request-URI (remote target). */
  subscriber: string;
  /** The shared address-of-record, `sip:user@domain`. */
  readonly aor: string;
  readonly event: ScaEventPackage;
  /** Event header `id` parameter, echoed in NOTIFYs (RFC 6665 §8.2.1). */
  eventId?: string;
  /** Absolute expiry, ms since the epoch. */
  expires: number;
  /** line-seize only: the appearance index reserved for the subscriber (1-based), 0 for none. */
  index: number;
  readonly callId: string;
  /** The subscriber's tag (SUBSCRIBE From tag). */
  readonly fromTag: string;
  /** Our tag (the To tag of our 200). */
  readonly toTag: string;
  /** The SUBSCRIBE's From, as written (URI and display), the To of our NOTIFYs. */
  readonly fromUri: string;
  /** Route set: the SUBSCRIBE's Record-Route values in order (RFC 3261 §12.1.1: the UAS keeps them as received). */
  routeSet: string[];
  notifyCseq: number;
  subscribeCseq: number;
  peer?: ScaPeer;
  /** Consecutive NOTIFYs that failed with 408 / timeout / transport error. */
  failures: number;
}

/** What the admin API and events show of a subscription (sca.all_subscriptions). */
export interface ScaSubscriptionView {
  subscriber: string;
  aor: string;
  event: ScaEventPackage;
  /** Seconds left. */
  expiresIn: number;
  expiresAt: number;
  /** Appearance index of a line-seize (1-based), null for call-info. */
  index: number | null;
  callId: string;
  fromTag: string;
  toTag: string;
  notifyCseq: number;
  subscribeCseq: number;
  failures: number;
}

export function subscriptionView(s: ScaSubscription, now: number): ScaSubscriptionView {
  return {
    subscriber: s.subscriber,
    aor: s.aor,
    event: s.event,
    expiresIn: Math.max(0, Math.round((s.expires - now) / 1000)),
    expiresAt: s.expires,
    index: s.event === 'line-seize' && s.index > 0 ? s.index : null,
    callId: s.callId,
    fromTag: s.fromTag,
    toTag: s.toTag,
    notifyCseq: s.notifyCseq,
    subscribeCseq: s.subscribeCseq,
    failures: s.failures,
  };
}

/** Dialog key of a subscription (RFC 6665 §4.1.2.2: Call-ID, tags, and the Event header's package/id). */
export function dialogKey(callId: string, fromTag: string, toTag: string): string {
  return `${callId}\n${fromTag}\n${toTag}`;
}
