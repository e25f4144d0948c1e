import type { CaptureSummary, TraceFilter } from './trace-types';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "17:05:22.123" local time: a ladder needs the milliseconds. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "2026-11-24 17:05:22.123", for the message detail. */
export function formatFullStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(ms)}`;
}

/** Time since the previous message: "+0 ms", "+38 ms", "+1.204 s", "+2 min 3 s". */
export function formatDelta(ms: number): string {
  if (ms < 1000) return `+${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(3)} s`;
  const s = Math.round(ms / 1000);
  return `+${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The capture's criteria in one line, e.g. "AoR alice@example.com · Source 10.0.0.7". */
export function describeFilter(f: TraceFilter): string {
  const parts: string[] = [];
  if (f.aor) parts.push(`AoR ${f.aor}`);
  if (f.callId) parts.push(`Call-ID ${f.callId}`);
  if (f.source) parts.push(`Source ${f.source}`);
  return parts.join(' · ') || 'Everything';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function countMessages(n: number): string {
  return plural(n, 'message');
}

/** Why a capture is not running, or when it will stop by itself. */
export function describeState(
  c: Pick<CaptureSummary, 'startedAt' | 'stoppedAt' | 'stopReason' | 'maxMessages' | 'maxMinutes'>,
  kept = false,
): string {
  if (c.stoppedAt === null) {
    return `Running until ${plural(c.maxMessages, 'message')} or ${formatClock(c.startedAt + c.maxMinutes * 60_000).slice(0, 8)}`;
  }
  const when = formatClock(c.stoppedAt).slice(0, 8);
  switch (c.stopReason) {
    case 'limit':
      return `Stopped at ${when}: reached ${plural(c.maxMessages, 'message')}`;
    case 'time':
      return `Stopped at ${when}: ran ${plural(c.maxMinutes, 'minute')}`;
    default:
      return kept ? `Stopped at ${when} · kept in this browser until discarded` : `Stopped at ${when}`;
  }
}
