import { MAX_UINT32 } from '@pbx/sip';
import { RegistrarError } from './errors.js';
import type { RegistrarConfig } from './config.js';

export type ExpiresConfig = Pick<
  RegistrarConfig,
  'default_expires' | 'default_expires_range' | 'expires_range' | 'min_expires' | 'max_expires' | 'min_expires_mode'
>;

/**
 * The expiration interval of one Contact, in seconds (RFC 3261 §10.3 step
 * 7, Kamailio registrar calc_contact_expires):
 *
 * 1. the Contact's `expires` parameter, else the Expires header, else
 *    default_expires (seed §3.1); 0 means "remove the binding" and is
 *    returned as is;
 * 2. values above 2**32-1 are taken as 2**32-1 (§20.19);
 * 3. randomised down by expires_range % (a client value, seed §3.3) or
 *    default_expires_range % (the default, seed §3.2) into
 *    [e - range% of e, e];
 * 4. below min_expires (seed §3.4): raised to it, or with min_expires_mode
 *    1 a client value that is > 0 and < 3600 is refused with 423 Interval
 *    Too Brief (§10.3 step 7 allows 423 only in that window) — checked on
 *    the value the client asked for, before randomisation;
 * 5. above max_expires (seed §3.5): lowered to it.
 *
 * `random` returns a number in [0, 1) (Math.random; a fixed one in tests).
 */
export function contactExpires(param: number | undefined, header: number | undefined, cfg: ExpiresConfig, random: () => number): number {
  let e: number;
  let range: number;
  const fromClient = param !== undefined || header !== undefined;
  if (param !== undefined) {
    e = param;
    range = cfg.expires_range;
  } else if (header !== undefined) {
    e = header;
    range = cfg.expires_range;
  } else {
    e = cfg.default_expires;
    range = cfg.default_expires_range;
  }
  if (e === 0) return 0;
  if (e > MAX_UINT32) e = MAX_UINT32;
  const min = cfg.min_expires;
  if (fromClient && cfg.min_expires_mode === 1 && min > 0 && e < min && e < 3600) throw new RegistrarError('interval_too_brief');
  if (range > 0) e = randomize(e, range, random);
  if (min > 0 && e < min) e = min;
  if (cfg.max_expires > 0 && e > cfg.max_expires) e = cfg.max_expires;
  return e;
}

/** A value in [e - range% of e, e] (Kamailio randomize_expires), at least 1. */
export function randomize(e: number, range: number, random: () => number): number {
  const low = e - (range / 100) * e;
  return Math.max(1, Math.floor(low + random() * (e - low)));
}
