/**
 * Whether an offer puts the call on hold: RFC 3264 §8.4 (`a=sendonly` or
 * `a=inactive`) or the older RFC 2543 form, a connection address of
 * 0.0.0.0. This is how Kamailio's sca_call_is_held reads a re-INVITE.
 */
export function isHoldSdp(body: Buffer | string | undefined): boolean {
  if (!body || body.length === 0) return false;
  const s = typeof body === 'string' ? body : body.toString('latin1');
  return /^a=(?:sendonly|inactive)\s*$/im.test(s) || /^c=IN IP4 0\.0\.0\.0\s*$/im.test(s);
}
