import { cpuSeconds } from './proc-cpu.js';
import type { SippResult } from './sipp.js';

export interface QuiesceOptions {
  /** Below this share of a core over one window the process counts as idle. */
  readonly idleCores?: number;
  readonly windowMs?: number;
  /** Gives up after this long (the step then starts on a busy server, and says so). */
  readonly maxMs?: number;
}

/**
 * Waits until a server's process tree (`cpuSeconds`) uses less than
 * `idleCores` of a core over a `windowMs` window, so that a load step starts
 * on an idle server rather than one still working off the previous step
 * (requests queued in its socket buffer, work it deferred). Bounded by
 * `maxMs`; resolves how long it waited and whether the server went idle.
 * /proc counts CPU in 10 ms ticks, so windows shorter than ~200 ms cannot
 * tell a few per cent.
 */
export async function waitUntilIdle(pid: number, opts: QuiesceOptions = {}): Promise<{ waitedMs: number; idle: boolean }> {
  const idleCores = opts.idleCores ?? 0.1;
  const windowMs = opts.windowMs ?? 250;
  const maxMs = opts.maxMs ?? 15_000;
  const t0 = performance.now();
  let c0 = cpuSeconds(pid);
  for (;;) {
    await new Promise((r) => setTimeout(r, windowMs));
    const c1 = cpuSeconds(pid);
    const used = (c1 - c0) / (windowMs / 1000);
    c0 = c1;
    const waitedMs = Math.round(performance.now() - t0);
    if (used < idleCores) return { waitedMs, idle: true };
    if (waitedMs >= maxMs) return { waitedMs, idle: false };
  }
}

/**
 * A server may answer within a step and leave work behind (requests it
 * queued, writes it deferred): at this many ms still busy after a step's
 * last answer, the step is not sustained, however clean SIPp's counts were.
 */
export const MAX_DRAIN_MS = 1_000;

export interface SettledStep<R extends SippResult = SippResult> {
  readonly r: R;
  /** Waited for the server to go idle before the step (left over from the one before). */
  readonly waitedBeforeMs: number;
  /** The server was still busy when the step began (gave up waiting). */
  readonly busyAtStart: boolean;
  /** After SIPp ended, until the server went idle (or the wait gave up: `idleAfter` false). */
  readonly drainMs: number;
  readonly idleAfter: boolean;
  /** Server CPU seconds from the step's start until it went idle after it: its whole cost. */
  readonly cpuSec: number;
  /** Server CPU seconds during the step alone. */
  readonly cpuStepSec: number;
}

/**
 * One load step on an idle server, timed on the server's side too: waits
 * for it to go idle, runs the step, then waits for it to go idle again and
 * counts its CPU time over both (every step is charged its whole cost,
 * including the work the server did after answering).
 */
export async function settledStep<R extends SippResult>(pid: number, run: () => Promise<R>, opts: { maxWaitMs?: number } = {}): Promise<SettledStep<R>> {
  const maxMs = opts.maxWaitMs ?? 15_000;
  const before = await waitUntilIdle(pid, { maxMs });
  const c0 = cpuSeconds(pid);
  const r = await run();
  const c1 = cpuSeconds(pid);
  const after = await waitUntilIdle(pid, { maxMs });
  return {
    r,
    waitedBeforeMs: before.waitedMs,
    busyAtStart: !before.idle,
    drainMs: after.waitedMs,
    idleAfter: after.idle,
    cpuSec: cpuSeconds(pid) - c0,
    cpuStepSec: c1 - c0,
  };
}

/** The server was idle again within MAX_DRAIN_MS of the step's end (SIPp's counts are judged apart: rate-search.ts `sustained`). */
export function drainedInTime(s: SettledStep): boolean {
  return s.idleAfter && s.drainMs <= MAX_DRAIN_MS;
}

/** What a step line adds about the server's side: its share of a core, and any wait before or after. */
export function describeSettled(s: SettledStep): string {
  const parts = [`, server ${((s.cpuStepSec / Math.max(s.r.elapsedSec, 0.001)) * 100).toFixed(0)}% of a core`];
  if (s.busyAtStart) parts.push(`, started on a server still busy after ${(s.waitedBeforeMs / 1000).toFixed(1)} s`);
  if (!s.idleAfter) parts.push(`, still busy ${(s.drainMs / 1000).toFixed(1)} s after`);
  else if (s.drainMs > MAX_DRAIN_MS) parts.push(`, busy ${(s.drainMs / 1000).toFixed(1)} s after`);
  return parts.join('');
}
