import type { SipRequest } from '../message/index.js';

/** RFC 3261 §16.6 step 3: the value a proxy adds when the request has none. */
export const DEFAULT_MAX_FORWARDS = 70;

/**
 * RFC 3261 §16.3 step 3 (Kamailio mf_process_maxfwd_header): true when the
 * request may not be forwarded because Max-Forwards is 0 — the element
 * answers 483 (Too Many Hops), or for an OPTIONS addressed to itself may
 * answer it as a UAS. A missing header is fine (it gets 70 on forwarding).
 */
export function maxForwardsExhausted(req: SipRequest): boolean {
  return req.maxForwards() === 0;
}

/**
 * RFC 3261 §16.6 step 3: decrement Max-Forwards by one, or add it with 70.
 * Returns the value written. Call only when `maxForwardsExhausted` is false.
 */
export function decrementMaxForwards(req: SipRequest): number {
  const mf = req.maxForwards();
  const next = mf === undefined ? DEFAULT_MAX_FORWARDS : Math.max(0, mf - 1);
  req.setHeader('Max-Forwards', next);
  return next;
}
