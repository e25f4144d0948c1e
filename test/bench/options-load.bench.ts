/**
 * OPTIONS over UDP answered by the server itself (RFC 3261 11), with SIPp as
 * the load, side by side with Kamailio 5.6 answering with siputils'
 * options_reply() (test/bench/support/kamailio-options.cfg; 1 and 2 UDP
 * workers) on the same machine in the same run. Every server gets the same
 * SIPp scenario (test/sipp/options-uac.xml: OPTIONS, expect 200 with Allow).
 *
 * - Max sustained rate: SIPp's rate stepped up ×1.6 from 5,000/s until a step
 *   fails twice in a row (> 0.1 % failed calls, > 0.1 % retransmitted, or an
 *   achieved rate < 95 % of the target: support/rate-search.ts), then the
 *   bracket bisected twice; each step lasts STEP_S seconds, capped at
 *   80,000/s (SIPp nears a full core there on a fast machine). The servers
 *   run side by side and are stepped in turn (one step of each per round),
 *   so load from elsewhere on the machine falls on all alike; the whole
 *   search is bounded by SEARCH_BUDGET_MS. The `limit` column says what
 *   stopped it: the server (failed or retransmitted requests), SIPp at a
 *   full core, the achieved rate alone, or the cap.
 * - Latency: SIPp's `-trace_rtt` at a steady 5,000/s for LATENCY_S seconds,
 *   p50/p99 in whole milliseconds (SIPp's resolution, which loopback answers
 *   fall below); beside it a probe in this process sends 200 OPTIONS/s and
 *   times each round trip in µs (support/latency-probe.ts) — the µs columns
 *   and the latency ratios. CPU per request is the server's utime+stime over
 *   that step (every Kamailio process; our one Node process) divided by the
 *   calls answered.
 *
 * SIPp and this process share the two cores with the server under test (and
 * with whatever else runs on the machine: the figures move with it). Each
 * step line shows SIPp's own share of a core, to tell when the load
 * generator nears its limit. Figures are printed, never asserted.
 *
 * Run: npx tsc -b test && node test/dist/bench/options-load.bench.js [stepSeconds=4] [latencySeconds=10]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../support/server.js';
import {
  cpuSeconds,
  kamailioVersion,
  percentile,
  probeLatency,
  probeOptions,
  RateSearch,
  readyListeners,
  runSipp,
  searchInTurn,
  shortfall,
  sippVersion,
  startKamailio,
  type RateSearchPlan,
  type SippResult,
} from './support/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCENARIO = join(ROOT, 'test/sipp/options-uac.xml');
const KAMAILIO_CFG = join(ROOT, 'test/bench/support/kamailio-options.cfg');

const STEP_S = Number(process.argv[2] ?? 4);
const LATENCY_S = Number(process.argv[3] ?? 10);
const LATENCY_RATE = 5_000;
/** For all servers together; with 4 s steps about eight steps each. */
const SEARCH_BUDGET_MS = 120_000;
const WARMUP_CALLS = 2_000;
/** The µs latency probe's own rate, beside SIPp's LATENCY_RATE. */
const PROBE_RATE = 200;
const PLAN: RateSearchPlan = { start: LATENCY_RATE, factor: 1.6, max: 80_000, min: 500, refine: 2, retries: 1 };

interface Target {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Root of the server's process tree, for CPU time. */
  readonly pid: number;
  stop(): Promise<unknown>;
}

type Limit = 'server' | 'sipp' | 'rate' | 'cap';

interface Figures {
  readonly server: string;
  readonly maxRate: number | null;
  /** True when the limit was not bracketed (time budget or rate cap): the max is a lower bound. */
  readonly maxIsLowerBound: boolean;
  /** What stopped the search (see the file comment). */
  readonly limit: Limit;
  readonly failurePctAtMax: number | null;
  readonly achievedAtMax: number | null;
  /** SIPp's `-trace_rtt`, whole ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The µs probe running beside SIPp at PROBE_RATE. */
  readonly p50Us: number;
  readonly p99Us: number;
  readonly probeLost: number;
  readonly failurePctAtLatency: number;
  readonly retransAtLatency: number;
  readonly cpuUsPerReq: number;
}

const fmtInt = (x: number): string => Math.round(x).toLocaleString('en-US');
const pct = (x: number): number => Number((x * 100).toFixed(3));

const VERDICT = {
  held: 'held',
  server: 'not sustained: the server failed or dropped requests',
  sipp: 'not sustained: SIPp short of the rate at a full core',
  rate: 'not sustained: short of the rate',
} as const;

function describeStep(name: string, r: SippResult): string {
  return (
    `  ${name.padEnd(11)} ${fmtInt(r.targetRate).padStart(6)}/s: ${fmtInt(r.successful)} ok, ${r.failed} failed, ${r.unfinished} unfinished, ` +
    `${r.retransmissions} retrans, achieved ${fmtInt(r.achievedRate)}/s, SIPp ${(r.sippCores * 100).toFixed(0)}% of a core — ${VERDICT[shortfall(r)]}`
  );
}

function sipp(t: Target, rate: number, calls: number, rtt = false): Promise<SippResult> {
  return runSipp({ scenario: SCENARIO, host: t.host, port: t.port, rate, calls, rtt });
}

async function kamailioTarget(workers: number): Promise<Target> {
  const k = await startKamailio({ cfg: KAMAILIO_CFG, workers });
  return { name: `kamailio ${workers}w`, host: k.host, port: k.port, pid: k.pid, stop: k.stop };
}

/** Our appliance on PGlite; measured only once its ready line lists a SIP UDP listener that answers OPTIONS with 200 and Allow. */
async function ourTarget(): Promise<Target> {
  const srv: TestServer = await startServer({ backend: 'pglite', env: { SIP_LISTEN: 'udp:127.0.0.1:0' } });
  try {
    const sip = readyListeners(srv.output)?.find((l) => l.protocol === 'sip' && l.transport === 'udp');
    if (!sip) throw new Error('no SIP UDP listener in the ready line yet');
    const host = sip.address === '0.0.0.0' ? '127.0.0.1' : sip.address;
    const reply = await probeOptions(host, sip.port, { timeoutMs: 3_000 });
    if (!reply) throw new Error(`no answer to OPTIONS on udp:${host}:${sip.port}`);
    if (reply.status !== 200) throw new Error(`OPTIONS answered "${reply.statusLine}", not 200`);
    if (!/^Allow:/im.test(reply.text)) throw new Error('the 200 to OPTIONS carries no Allow');
    return { name: 'pbx-lite', host, port: sip.port, pid: srv.proc.pid!, stop: () => srv.destroy() };
  } catch (err) {
    await srv.destroy();
    throw err;
  }
}

async function latency(t: Target): Promise<Omit<Figures, 'server' | 'maxRate' | 'maxIsLowerBound' | 'limit' | 'failurePctAtMax' | 'achievedAtMax'>> {
  const cpu0 = cpuSeconds(t.pid);
  const [lat, probe] = await Promise.all([
    sipp(t, LATENCY_RATE, LATENCY_RATE * LATENCY_S, true),
    probeLatency(t.host, t.port, { rate: PROBE_RATE, durationMs: (LATENCY_S - 1) * 1000 }),
  ]);
  const cpu = cpuSeconds(t.pid) - cpu0;
  console.log(describeStep(t.name, lat));
  const rtt = lat.rttMs ?? [];
  return {
    p50Ms: percentile(rtt, 50),
    p99Ms: percentile(rtt, 99),
    p50Us: Math.round(percentile(probe.rttUs, 50)),
    p99Us: Math.round(percentile(probe.rttUs, 99)),
    probeLost: probe.sent - probe.rttUs.length,
    failurePctAtLatency: pct(lat.failureRatio),
    retransAtLatency: lat.retransmissions,
    cpuUsPerReq: lat.successful > 0 ? Math.round((cpu / lat.successful) * 1e7) / 10 : Number.NaN,
  };
}

const sippV = sippVersion();
const kamV = kamailioVersion();
if (!sippV) {
  console.error('SIPp is not installed (Debian package sip-tester): nothing to measure with.');
  process.exit(1);
}
console.log(
  `OPTIONS/UDP load — SIPp ${sippV}, Kamailio ${kamV ?? 'not installed'}, node ${process.version}; ` +
    `steps of ${STEP_S} s, latency at ${fmtInt(LATENCY_RATE)}/s for ${LATENCY_S} s`,
);

// Start every server; one that cannot be measured is reported with the reason.
const starts: [string, () => Promise<Target>][] = [
  ...(kamV ? [1, 2].map((w): [string, () => Promise<Target>] => [`kamailio ${w}w`, () => kamailioTarget(w)]) : []),
  ['pbx-lite', ourTarget],
];
const targets: Target[] = [];
const skipped = new Map<string, string>();
const order = starts.map(([name]) => name);
const figures: Figures[] = [];
try {
  for (const [name, start] of starts) {
    try {
      const t = await start();
      targets.push(t);
      console.log(`${name}: udp:${t.host}:${t.port}`);
    } catch (err) {
      skipped.set(name, (err as Error).message.split('\n')[0]!);
      console.log(`${name}: not measured: ${skipped.get(name)}`);
    }
  }
  for (const t of targets) await sipp(t, WARMUP_CALLS, WARMUP_CALLS); // warm-up (JIT, caches), not counted

  console.log('max sustained rate, servers stepped in turn:');
  const searches = targets.map((target) => ({ target, search: new RateSearch(PLAN) }));
  await searchInTurn(searches, (t, rate) => sipp(t, rate, rate * STEP_S), {
    budgetMs: SEARCH_BUDGET_MS,
    onStep: (t, r) => console.log(describeStep(t.name, r)),
  });

  console.log(`latency at ${fmtInt(LATENCY_RATE)}/s:`);
  for (const { target: t, search } of searches) {
    const s = search.result();
    figures.push({
      server: t.name,
      maxRate: s.best?.targetRate ?? null,
      maxIsLowerBound: s.capped,
      limit: s.firstFailure && !s.capped ? (shortfall(s.firstFailure) as Exclude<Limit, 'cap'>) : 'cap',
      failurePctAtMax: s.best ? pct(s.best.failureRatio) : null,
      achievedAtMax: s.best ? Math.round(s.best.achievedRate) : null,
      ...(await latency(t)),
    });
  }
} finally {
  for (const t of targets) await t.stop();
}

const cols = ['server', 'max sustained/s', 'limit', 'fail % @max', 'p50 ms', 'p99 ms', 'p50 µs', 'p99 µs', 'fail % @5k', 'retrans @5k', 'CPU µs/req'];
const rows = figures.map((r) => [
  r.server,
  r.maxRate === null ? `< ${PLAN.min}` : `${r.maxIsLowerBound ? '≥ ' : ''}${fmtInt(r.maxRate)}`,
  r.limit,
  r.failurePctAtMax === null ? '-' : r.failurePctAtMax.toFixed(3),
  String(r.p50Ms),
  String(r.p99Ms),
  String(r.p50Us),
  String(r.p99Us),
  r.failurePctAtLatency.toFixed(3),
  String(r.retransAtLatency),
  String(r.cpuUsPerReq),
]);
const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
console.log('');
console.log(cols.map((c, i) => c.padEnd(widths[i]!)).join('  '));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
for (const [name, why] of skipped) console.log(`${name}: not measured: ${why}`);

const ours = figures.find((f) => f.server === 'pbx-lite');
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a != null && b != null && b > 0 && Number.isFinite(a) ? Number((a / b).toFixed(3)) : null;
const ratios: Record<string, number | null> = {};
for (const ref of figures.filter((f) => f.server.startsWith('kamailio'))) {
  const key = ref.server.replace(' ', '');
  ratios[`maxRate_ours_over_${key}`] = ratio(ours?.maxRate, ref.maxRate);
  ratios[`p50us_ours_over_${key}`] = ratio(ours?.p50Us, ref.p50Us);
  ratios[`p99us_ours_over_${key}`] = ratio(ours?.p99Us, ref.p99Us);
  ratios[`cpuPerReq_ours_over_${key}`] = ratio(ours?.cpuUsPerReq, ref.cpuUsPerReq);
  if (ours) {
    const bound = ref.maxIsLowerBound ? ' (Kamailio capped: an upper bound)' : '';
    console.log(
      `ours / ${ref.server}: max rate ${ratios[`maxRate_ours_over_${key}`] ?? 'n/a'}${bound}, ` +
        `p50 ${ratios[`p50us_ours_over_${key}`] ?? 'n/a'}, p99 ${ratios[`p99us_ours_over_${key}`] ?? 'n/a'}, ` +
        `CPU per request ${ratios[`cpuPerReq_ours_over_${key}`] ?? 'n/a'}`,
    );
  }
}
if (!ours) console.log('ours / kamailio: n/a (pbx-lite not measured)');
console.log(
  JSON.stringify({
    bench: 'options-load',
    stepSeconds: STEP_S,
    latencyRate: LATENCY_RATE,
    results: Object.fromEntries(order.map((name) => [name, figures.find((f) => f.server === name) ?? { skipped: skipped.get(name) }])),
    ratios,
  }),
);
