import { loadavg } from 'node:os';
import { shortfall } from './rate-search.js';
import type { SippResult } from './sipp.js';

export const fmtInt = (x: number): string => Math.round(x).toLocaleString('en-US');
/** A ratio as a percentage with three decimals. */
export const pct = (x: number): number => Number((x * 100).toFixed(3));

/** a / b to three decimals; null when either is missing or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a != null && b != null && b > 0 && Number.isFinite(a) && Number.isFinite(b) ? Number((a / b).toFixed(3)) : null;
}

/** The 1, 5 and 15 minute load averages, two decimals: other work on the machine moves every figure. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [a!, b!, c!].map((x) => Number(x.toFixed(2))) as [number, number, number];
}

const VERDICT = {
  held: 'held',
  server: 'not sustained: the server failed or dropped requests',
  sipp: 'not sustained: SIPp short of the rate at a full core',
  rate: 'not sustained: short of the rate',
} as const;

/** The verdict on a step the server answered in time but was still working on afterwards (support/quiesce.ts). */
export const BACKLOG_VERDICT = 'not sustained: the server was still working off the step after it';

/**
 * One SIPp step as a line: counts, achieved rate, SIPp's share of a core,
 * and whether it held (support/rate-search.ts; `verdict` overrides).
 */
export function describeStep(name: string, r: SippResult, extra = '', verdict?: string): string {
  return (
    `  ${name.padEnd(13)} ${fmtInt(r.targetRate).padStart(6)}/s: ${fmtInt(r.successful)} ok, ${r.failed} failed, ${r.unfinished} unfinished, ` +
    `${r.retransmissions} retrans, achieved ${fmtInt(r.achievedRate)}/s, SIPp ${(r.sippCores * 100).toFixed(0)}% of a core${extra} — ${verdict ?? VERDICT[shortfall(r)]}`
  );
}

/** Prints rows under a header, columns padded to their widest cell. */
export function printTable(cols: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  console.log(cols.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

/** A figure for a table cell: '-' when missing. */
export const cell = (x: number | string | null | undefined): string => (x === null || x === undefined || (typeof x === 'number' && !Number.isFinite(x)) ? '-' : String(x));
