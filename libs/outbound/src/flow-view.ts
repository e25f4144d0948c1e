/**
 * A flow as the admin API (`GET /api/flows`) and the flow.* events show it:
 * one shape for the server and the dashboard (which imports it type-only).
 */
export interface FlowView {
  id: string;
  instance: string | null;
  regId: number | null;
  aor: string | null;
  transport: string;
  peer: string;
  local: string;
  connectionId: number;
  openedAt: string;
  /** Seconds since the flow opened. */
  ageSec: number;
  lastSeenAt: string;
  lastKeepAliveAt: string | null;
  keepAlives: number;
  /** Flow-Timer in force (seconds), 0 when none. */
  flowTimer: number;
  silent: boolean;
  requestsIn: number;
  requestsOut: number;
  bytesIn: number;
  bytesOut: number;
}
