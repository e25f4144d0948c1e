import type { CaptureSummary, StopReason, TraceCapture, TracedMessage } from './trace-types';

/**
 * Pure updates of the cached capture data. Live events and REST answers can
 * overlap (a message may arrive on the socket and in a GET), so messages are
 * merged by their sequence number, never appended blindly.
 */
export function mergeMessages(capture: TraceCapture, incoming: readonly TracedMessage[]): TraceCapture {
  if (incoming.length === 0) return capture;
  const have = capture.messages;
  const lastSeq = have.length ? have[have.length - 1]!.seq : -Infinity;
  // The common case: new messages, already in order, after the last one held.
  if (incoming.every((m, i) => m.seq > (i === 0 ? lastSeq : incoming[i - 1]!.seq))) {
    return { ...capture, messages: [...have, ...incoming] };
  }
  const bySeq = new Map<number, TracedMessage>();
  for (const m of have) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  if (bySeq.size === have.length) return capture;
  return { ...capture, messages: [...bySeq.values()].sort((a, b) => a.seq - b.seq) };
}

export function markStopped<T extends TraceCapture | CaptureSummary>(c: T, reason: StopReason, at: number): T {
  return c.stoppedAt === null ? { ...c, stoppedAt: at, stopReason: reason } : c;
}

export function toSummary(c: TraceCapture): CaptureSummary {
  const { messages, ...rest } = c;
  return { ...rest, messageCount: messages.length };
}

export function isRunning(c: { stoppedAt: number | null }): boolean {
  return c.stoppedAt === null;
}
