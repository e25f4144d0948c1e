/**
 * Shapes of the registrations API (`/api/registrations`) and of the
 * `registration.changed` event. Times are epoch seconds.
 */

/** One binding of an AoR: Kamailio's location row (`reg_fetch_contacts` attributes). */
export interface Contact {
  /** Stable id of the binding (the usrloc ruid), used to unregister it alone. */
  id: string;
  /** The Contact URI the phone registered. */
  contact: string;
  /** Source address the REGISTER came from when it differs from the Contact (NAT), else null. */
  received: string | null;
  transport: string;
  /** Absolute expiry, epoch seconds. */
  expires: number;
  /** 0..1 (RFC 3261 §10.2.1.2). */
  q: number;
  userAgent: string | null;
  /** +sip.instance (RFC 5626 §4.1), null when the phone sent none. */
  instance: string | null;
  /** reg-id (RFC 5626 §4.2), null without outbound. */
  regId: number | null;
  /** Path header values, top first (RFC 3327). */
  path: string[];
  callId: string;
  cseq: number;
  /** Epoch seconds. */
  lastModified: number;
  /** The local socket the binding was received on, e.g. `udp:10.0.0.1:5060`. */
  socket: string | null;
  /** Methods the contact accepts; null means every method. */
  methods: string[] | null;
  /** The hop the REGISTER came from, `proto:ip:port` (shown when the server reports it). */
  source?: string;
}

export interface Registration {
  aor: string;
  contacts: Contact[];
}

export interface RegistrationPage {
  items: Registration[];
  total: number;
}

export type RegistrationSort = 'aor' | 'expires' | 'contacts';
export type SortOrder = 'asc' | 'desc';

export type ChangeReason = 'added' | 'refreshed' | 'removed' | 'expired' | 'unregistered';

/** socket.io `registration.changed`: the AoR's bindings after the change. */
export interface RegistrationChanged {
  aor: string;
  reason: ChangeReason;
  contacts: Contact[];
}
