import type { PbxEventMap } from '../../socket/events';

/** Shapes of `/api/trace` (apps/server/src/trace/sip-tracer.ts). */

/** What a capture matches; every criterion given must hold. */
export interface TraceFilter {
  /** `user@domain`: From, To or the Request-URI. */
  aor?: string;
  callId?: string;
  /** `ip` or `ip:port` of the far end. */
  source?: string;
}

/** One captured SIP message, as the `trace.message` event carries it. */
export type TracedMessage = PbxEventMap['trace.message']['message'];

export type StopReason = PbxEventMap['trace.stopped']['reason'];

interface CaptureBase {
  id: string;
  filter: TraceFilter;
  maxMessages: number;
  maxMinutes: number;
  /** Epoch milliseconds. */
  startedAt: number;
  stoppedAt: number | null;
  stopReason: StopReason | null;
}

/** `GET /api/trace/:id` and `POST /api/trace`. */
export interface TraceCapture extends CaptureBase {
  messages: TracedMessage[];
}

/** An item of `GET /api/trace`. */
export interface CaptureSummary extends CaptureBase {
  messageCount: number;
}

/** The body of `POST /api/trace`. */
export interface StartCapture extends TraceFilter {
  maxMessages?: number;
  maxMinutes?: number;
}
