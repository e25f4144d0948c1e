import type { SipRequest } from '@pbx/sip';

/**
 * Kamailio's check before m_dump on a REGISTER (msilo `check_message_support`):
 * does the registering UA take MESSAGE requests? True when a Contact with a
 * positive expiry lists MESSAGE in its `methods` parameter (RFC 3840 §9), or
 * has no `methods` and the Allow header lists MESSAGE, or (no Allow header at
 * all) simply registers with a positive expiry. False for `Contact: *`, for a
 * REGISTER without Contact, and for a de-registration.
 *
 * The routing policy calls this before MessageSilo.dump so that a phone that
 * cannot show messages does not get them (they stay stored).
 */
export function messageSupported(register: SipRequest): boolean {
  let contact;
  let allow: string[];
  let headerExpires: number | undefined;
  try {
    contact = register.contact();
    allow = register.allow().map((m) => m.toUpperCase());
    headerExpires = register.expires();
  } catch {
    return false;
  }
  if (contact.star || contact.list.length === 0) return false;
  const allowHeader = register.has('Allow');
  const allowMessage = allow.includes('MESSAGE');
  let positive = false;
  for (const c of contact.list) {
    let expires: number;
    try {
      expires = c.expires ?? headerExpires ?? 1;
    } catch {
      continue;
    }
    if (expires <= 0) continue;
    positive = true;
    const methods = c.params.get('methods');
    if (typeof methods === 'string') {
      if (methods.split(',').some((m) => m.trim().toUpperCase() === 'MESSAGE')) return true;
    } else if (allowMessage) {
      return true;
    }
  }
  return positive && !allowHeader;
}
