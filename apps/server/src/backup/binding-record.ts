import { Binding, aorKeyOf, formatSocket, hopOf, parseSocket, splitAorKey } from '@pbx/registrar';
import type { BindingRecord } from './backup-format.js';

/**
 * A binding as a backup record: the `location` row PgLocationStore would
 * write (username/domain split per usrloc.use_domain, q as 0..1, times as
 * ISO-8601) plus the hop the REGISTER came from.
 */
export function bindingRecord(b: Binding, useDomain: boolean): BindingRecord {
  const { username, domain } = splitAorKey(b.aor, useDomain);
  return {
    ruid: b.ruid,
    username,
    domain,
    contact: b.contact,
    received: b.received,
    path: b.path,
    expires: new Date(b.expires).toISOString(),
    q: b.q / 1000,
    callid: b.callId,
    cseq: b.cseq,
    last_modified: new Date(b.lastModified).toISOString(),
    flags: b.flags,
    cflags: b.cflags,
    user_agent: b.userAgent,
    socket: b.localAddress ? b.socket : null,
    methods: b.methods,
    instance: b.instance,
    reg_id: b.regId,
    server_id: b.serverId,
    keepalive: b.keepalive,
    source: b.sourceAddress ? formatSocket(b.transport, b.sourceAddress, b.sourcePort) : null,
  };
}

/**
 * A record as a binding of this appliance: the AoR key follows the
 * target's usrloc.use_domain (a record without a domain stays domainless);
 * the remote hop is the recorded source, else the received URI, else the
 * contact (as a database load rebuilds it); no connection (0).
 */
export function bindingOf(r: BindingRecord, useDomain: boolean, now: number): Binding {
  const sock = r.socket ? parseSocket(r.socket) : null;
  const hop = (r.source ? parseSocket(r.source) : null) ?? hopOf(r.received ?? r.contact);
  return new Binding({
    ruid: r.ruid,
    aor: aorKeyOf(r.username, useDomain ? r.domain : null),
    contact: r.contact,
    received: r.received,
    path: r.path,
    expires: Date.parse(r.expires),
    q: Math.round(r.q * 1000),
    callId: r.callid,
    cseq: r.cseq,
    flags: r.flags,
    cflags: r.cflags,
    userAgent: r.user_agent,
    methods: r.methods,
    instance: r.instance,
    regId: r.reg_id,
    serverId: r.server_id,
    connectionId: 0,
    keepalive: r.keepalive,
    lastModified: r.last_modified ? Date.parse(r.last_modified) : now,
    transport: sock?.transport ?? hop.transport,
    sourceAddress: hop.address,
    sourcePort: hop.port,
    localAddress: sock?.address ?? '',
    localPort: sock?.port ?? 0,
  });
}
