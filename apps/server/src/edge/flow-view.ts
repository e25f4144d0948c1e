import type { Flow, FlowView } from '@pbx/outbound';
import type { ConnectionInfo } from '@pbx/sip';

export type { FlowView };

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** For stream flows the connection's own counters are exact (every byte and CRLF), so they win. */
export function flowView(f: Flow, flowTimerMs: number, now: number, conn?: ConnectionInfo): FlowView {
  return {
    id: f.id,
    instance: f.binding?.instance ?? null,
    regId: f.binding?.regId ?? null,
    aor: f.binding?.aor ?? null,
    transport: f.transport,
    peer: hostPort(f.address, f.port),
    local: hostPort(f.localAddress, f.localPort),
    connectionId: f.connectionId,
    openedAt: new Date(f.openedAt).toISOString(),
    ageSec: Math.max(0, Math.round((now - f.openedAt) / 1000)),
    lastSeenAt: new Date(Math.max(f.lastSeenAt, conn?.lastActivityAt ?? 0)).toISOString(),
    lastKeepAliveAt: f.lastKeepAliveAt > 0 ? new Date(f.lastKeepAliveAt).toISOString() : null,
    keepAlives: Math.max(f.keepAlives, conn?.keepAlivesIn ?? 0),
    flowTimer: Math.round(flowTimerMs / 1000),
    silent: f.silent,
    requestsIn: f.requestsIn,
    requestsOut: f.requestsOut,
    bytesIn: conn ? conn.bytesIn : f.bytesIn,
    bytesOut: conn ? conn.bytesOut : f.bytesOut,
  };
}
