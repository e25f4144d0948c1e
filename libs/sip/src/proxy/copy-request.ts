import { SipRequest } from '../message/index.js';

/**
 * A copy of a request that can be edited without touching the original
 * (RFC 3261 §16.6 step 1: "make a copy of the received request" per
 * target). Cheap: an untouched received message shares the received text
 * and its header index; an edited one shares its header fields (they are
 * never changed in place, edits replace them) in a new array. Typed-header
 * caches start empty. The Request-URI is cloned so a branch can change its
 * parameters.
 *
 * This reads the message model's internal fields (documented @internal in
 * sip-message.ts) because the model has no copy operation of its own.
 */
export function copyRequest(req: SipRequest): SipRequest {
  const c = new SipRequest(req.method, req.uri.clone(), req.version);
  c.src = req.src;
  c.idx = req.idx;
  c.fields = req.fields === null ? null : req.fields.slice();
  c.input = req.input;
  c.msgStart = req.msgStart;
  c.msgEnd = req.msgEnd;
  c.dirty = req.dirty;
  c.clExact = req.clExact;
  c.body = req.body;
  return c;
}
