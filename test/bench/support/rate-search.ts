import type { SippResult } from './sipp.js';

/**
 * A step holds when at most 0.1 % of calls failed, SIPp kept to ≥ 95 % of the
 * target rate, and at most 0.1 % of requests were retransmitted: over UDP a
 * retransmission means a request or its reply was dropped (a socket buffer
 * overflowed), which SIPp hides as a success 500 ms late.
 */
export const MAX_FAILURE_RATIO = 0.001;
export const MAX_RETRANS_RATIO = 0.001;
export const MIN_ACHIEVED_FRACTION = 0.95;
/** SIPp is one thread: at this share of a core it is what sets the pace. */
export const SIPP_SATURATED_CORES = 0.9;

export function sustained(r: SippResult): boolean {
  return (
    r.failureRatio <= MAX_FAILURE_RATIO &&
    r.retransmissions <= MAX_RETRANS_RATIO * r.calls &&
    r.achievedRate >= MIN_ACHIEVED_FRACTION * r.targetRate
  );
}

/**
 * Why a step did not hold: the server dropped or failed requests, or only the
 * achieved rate fell short — with SIPp near a full core that is the load
 * generator's limit, not the server's.
 */
export function shortfall(r: SippResult): 'held' | 'server' | 'sipp' | 'rate' {
  if (sustained(r)) return 'held';
  if (r.failureRatio > MAX_FAILURE_RATIO || r.retransmissions > MAX_RETRANS_RATIO * r.calls) return 'server';
  return r.sippCores >= SIPP_SATURATED_CORES ? 'sipp' : 'rate';
}

export interface RateSearchPlan {
  /** First rate tried (calls/s). */
  readonly start: number;
  /** Each step up multiplies the rate by this until a step fails. */
  readonly factor: number;
  /** Never tried above this rate. */
  readonly max: number;
  /** Never tried below this rate (when even `start` fails, the search halves down to it). */
  readonly min: number;
  /** Halvings of the gap between the last good and the first bad rate, once one failed. */
  readonly refine: number;
  /** Runs more of a step that did not hold before it counts as failed: other load on a shared machine comes and goes. */
  readonly retries: number;
}

export interface RateSearchResult {
  /** The highest step that held, if any. */
  readonly best: SippResult | undefined;
  /** The lowest step that did not hold, if any. */
  readonly firstFailure: SippResult | undefined;
  readonly steps: readonly SippResult[];
  /** True when the search stopped on the time budget or the `max` cap rather than bracketing the limit. */
  readonly capped: boolean;
}

type Phase = 'up' | 'down' | 'refine' | 'done';

/**
 * The search for the highest sustained rate as a state machine, so that one
 * driver can step several servers in turn (see `searchInTurn`): the rate
 * goes up geometrically until a step fails (after `retries` more runs of
 * it), or halves down from `start` until one holds; then the bracket between
 * the last good and the first bad rate is bisected `refine` times (while the
 * gap is over 5 %). Bounded in steps by `max`, `min`, `refine`, `retries`.
 */
export class RateSearch {
  readonly steps: SippResult[] = [];
  private phase: Phase = 'up';
  private rate: number;
  private tries = 0;
  private refined = 0;
  private good: SippResult | undefined;
  private bad: SippResult | undefined;
  private capped = false;

  constructor(private readonly plan: RateSearchPlan) {
    this.rate = plan.start;
  }

  /** The rate of the next step, or undefined when the search is over. */
  next(): number | undefined {
    return this.phase === 'done' ? undefined : Math.round(this.rate);
  }

  /**
   * Takes the result of the step at `next()`; `held` overrides the verdict
   * of `sustained(r)` (a caller that also judges the server's side, e.g.
   * work it was still doing after the step).
   */
  record(r: SippResult, held: boolean = sustained(r)): void {
    this.steps.push(r);
    if (!held && this.tries < this.plan.retries) {
      this.tries++;
      return; // the same rate again
    }
    this.tries = 0;
    if (held && (!this.good || r.targetRate > this.good.targetRate)) this.good = r;
    if (!held && (!this.bad || r.targetRate < this.bad.targetRate)) this.bad = r;
    const p = this.plan;
    switch (this.phase) {
      case 'up':
        if (!held) return this.good ? this.toRefine() : this.toDown();
        if (this.rate >= p.max) return this.finish(true);
        this.rate = Math.min(p.max, this.rate * p.factor);
        return;
      case 'down':
        if (held) return this.toRefine();
        return this.toDown();
      case 'refine':
        this.refined++;
        return this.toRefine();
      case 'done':
        return;
    }
  }

  /** Ends the search early (time budget); the result is then capped unless the limit was already bracketed. */
  stop(): void {
    if (this.phase !== 'done') this.finish(!(this.good && this.bad));
  }

  result(): RateSearchResult {
    return { best: this.good, firstFailure: this.bad, steps: this.steps, capped: this.capped };
  }

  private toDown(): void {
    this.phase = 'down';
    this.rate /= 2;
    if (this.rate < this.plan.min) this.finish(false);
  }

  private toRefine(): void {
    const good = this.good!.targetRate;
    const bad = this.bad!.targetRate;
    if (this.refined >= this.plan.refine || bad - good < 0.05 * good) return this.finish(false);
    this.phase = 'refine';
    this.rate = (good + bad) / 2;
  }

  private finish(capped: boolean): void {
    this.phase = 'done';
    this.capped = capped;
  }
}

export interface SearchTarget<T> {
  readonly target: T;
  readonly search: RateSearch;
}

/**
 * Steps every target's search in turn — one step of each per round, in the
 * same order — so that load from elsewhere on the machine falls on all of
 * them alike, until every search is over or `budgetMs` has passed (no step
 * starts after it).
 */
export async function searchInTurn<T>(
  targets: readonly SearchTarget<T>[],
  run: (target: T, rate: number) => Promise<SippResult>,
  opts: {
    budgetMs: number;
    onStep?: (target: T, r: SippResult) => void;
    /** The verdict on a step; default `sustained(r)`. */
    held?: (target: T, r: SippResult) => boolean;
  },
): Promise<void> {
  const deadline = Date.now() + opts.budgetMs;
  for (;;) {
    const active = targets.filter((t) => t.search.next() !== undefined);
    if (active.length === 0) return;
    for (const t of active) {
      if (Date.now() >= deadline) {
        for (const s of targets) s.search.stop();
        return;
      }
      const r = await run(t.target, t.search.next()!);
      t.search.record(r, opts.held ? opts.held(t.target, r) : sustained(r));
      opts.onStep?.(t.target, r);
    }
  }
}
