import type { BindingJson } from '@pbx/registrar';

/** One contact as the admin API and the `registration.changed` event show it. */
export interface ContactView {
  id: string;
  contact: string;
  received: string | null;
  transport: string;
  /** Absolute expiry, epoch seconds (the dashboard counts down). */
  expires: number;
  q: number;
  userAgent: string | null;
  instance: string | null;
  regId: number | null;
  path: string[];
  callId: string;
  cseq: number;
  /** Epoch seconds. */
  lastModified: number;
  socket: string | null;
  source: string;
  methods: string[] | null;
}

export interface RegistrationView {
  aor: string;
  contacts: ContactView[];
}

export function contactView(b: BindingJson): ContactView {
  return {
    id: b.ruid,
    contact: b.contact,
    received: b.received,
    transport: b.source.slice(0, b.source.indexOf(':')) || 'udp',
    expires: Math.round(b.expiresAt / 1000),
    q: b.q,
    userAgent: b.userAgent || null,
    instance: b.instance,
    regId: b.regId || null,
    path: b.path,
    callId: b.callId,
    cseq: b.cseq,
    lastModified: Math.round(b.lastModified / 1000),
    socket: b.socket || null,
    source: b.source,
    methods: b.methods,
  };
}
