import type { SipRequest } from '../message/index.js';

/**
 * A copy of a request that can be edited without touching the original
 * (RFC 3261 §16.6 step 1: "make a copy of the received request" per
 * target). Cheap: an untouched received message shares the received text
 * and its header index; an edited one shares its header fields (they are
 * never changed in place, edits replace them) in a new array. Typed-header
 * caches start empty. The Request-URI is cloned so a branch can change its
 * parameters. The message model's own `SipRequest#copy()` does exactly this.
 */
export function copyRequest(req: SipRequest): SipRequest {
  return req.copy();
}
