/**
 * MESSAGE (RFC 3428) relayed statefully to a registered phone, SIPp at both
 * ends: a SIPp UAS (../shared/kamailio-reference/sipp/msg_uas.xml, answers
 * every MESSAGE 200) is registered as the contact of USERS AoRs on every
 * server, then a SIPp UAC (sipp/msg_uac.xml, users from an injection file)
 * sends MESSAGEs to them through the server, which looks the AoR up and
 * relays the request and the 200 back as a transaction-stateful proxy
 * (RFC 3261 16). Our appliance (no digest, usrloc db_mode 0, PGlite) side by
 * side with Kamailio 5.6 `t_relay()` after `lookup("location")`
 * (test/bench/support/kamailio-registrar.cfg) with 1 and 2 UDP workers, on
 * the same machine in the same run, one UAS for all (the servers are never
 * loaded at the same time).
 *
 * - Max sustained rate: as in options-load.bench.ts (×1.6 steps until a step
 *   fails twice, > 0.1 % failed or retransmitted or < 95 % of the rate, then
 *   the bracket bisected twice), the servers stepped in turn within
 *   SEARCH_BUDGET_MS. A retransmission here may be the UAC's or the
 *   server's towards the UAS (SIPp counts its own only).
 * - Latency at LATENCY_RATE: SIPp's `-trace_rtt` (whole ms) and a probe in
 *   this process sending 200 MESSAGEs/s through the server to the UAS,
 *   timing each 200 in µs. CPU per MESSAGE: the server's utime+stime over
 *   that step and until it is idle again, divided by the MESSAGEs answered 200.
 * - Every step starts on an idle server; one after which the server stays
 *   busy over a second did not hold (support/quiesce.ts), however clean
 *   SIPp's counts.
 *
 * Both SIPp ends, this process and the server share the two cores with
 * whatever else runs there (the load average is printed); each step line
 * shows the UAC's and the UAS's share of a core. Figures are printed, never
 * asserted; the last line is one JSON object.
 *
 * Run: npx tsc -p test && node test/dist/bench/message-relay.bench.js [stepSeconds=3] [latencySeconds=5]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BACKLOG_VERDICT,
  cell,
  describeSettled,
  describeStep,
  drainedInTime,
  fmtInt,
  freeUdpPort,
  kamailioVersion,
  loadAverage,
  pct,
  percentile,
  printTable,
  probeLatency,
  ratio,
  RateSearch,
  runSipp,
  searchInTurn,
  settledStep,
  shortfall,
  sippVersion,
  startKamailio,
  startPbx,
  startSippUas,
  sustained,
  userNames,
  writeInjectionFile,
  type LatencyProbeResult,
  type ProbeRequestParts,
  type SettledStep,
  type RateSearchPlan,
  type SippResult,
  type SippUas,
} from './support/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REFERENCE = join(ROOT, '../shared/kamailio-reference');
const REG_XML = join(REFERENCE, 'sipp/reg.xml');
const UAC_XML = join(REFERENCE, 'sipp/msg_uac.xml');
const UAS_XML = join(REFERENCE, 'sipp/msg_uas.xml');
const KAMAILIO_CFG = join(ROOT, 'test/bench/support/kamailio-registrar.cfg');

const STEP_S = Number(process.argv[2] ?? 3);
const LATENCY_S = Number(process.argv[3] ?? 5);
/** AoRs registered to the UAS on every server; the UAC cycles through them. */
const USERS = 10_000;
const PREFIX = 'u_';
const LATENCY_RATE = 2_000;
const PROBE_RATE = 200;
const WARMUP_CALLS = 4_000;
/** For all servers together. */
const SEARCH_BUDGET_MS = 120_000;
const PLAN: RateSearchPlan = { start: 2_000, factor: 1.6, max: 40_000, min: 250, refine: 2, retries: 1 };
const KAMAILIO_WORKERS = [1, 2];
/**
 * Kamailio's shared memory (`-m`), as the reference README starts it: tm
 * keeps each relayed MESSAGE (request and reply) in shared memory until its
 * wait timer ends; with 256 MB a burst of ~8,000/s runs it out and t_relay()
 * answers 500 (new_t(): out of mem).
 */
const KAMAILIO_SHM_MB = 1024;

interface Target {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<unknown>;
}

/** What stopped the search: support/rate-search.ts `shortfall`, or 'backlog' (SIPp's counts held, the server was busy after the step), or 'cap' (budget or rate cap). */
type Limit = 'server' | 'sipp' | 'rate' | 'backlog' | 'cap';

interface Figures {
  readonly server: string;
  readonly registered: number;
  readonly maxRate: number | null;
  /** The lowest rate tried that did not hold (the max is below it). */
  readonly lowestFailed: number | null;
  readonly maxIsLowerBound: boolean;
  readonly limit: Limit;
  readonly failurePctAtMax: number | null;
  readonly achievedAtMax: number | null;
  readonly heldAtLatency: boolean;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly probeLost: number;
  readonly failurePctAtLatency: number;
  readonly retransAtLatency: number;
  readonly cpuUsPerMessage: number;
}

/** A MESSAGE for the µs probe, to one of the registered users; the UAS answers it through the server. */
function messageProbe({ seq, callId, host, port, local }: ProbeRequestParts): string {
  const user = `${PREFIX}${(seq % USERS) + 1}`;
  const body = `probe ${seq}`;
  return (
    `MESSAGE sip:${user}@127.0.0.1:${port} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK${callId};rport\r\n` +
    'Max-Forwards: 70\r\n' +
    `From: <sip:probe@${local.address}>;tag=p${seq}\r\n` +
    `To: <sip:${user}@${host}:${port}>\r\n` +
    `Call-ID: ${callId}\r\n` +
    'CSeq: 1 MESSAGE\r\n' +
    'Content-Type: text/plain\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

const sippV = sippVersion();
const kamV = kamailioVersion();
if (!sippV) {
  console.error('SIPp is not installed (Debian package sip-tester): nothing to measure with.');
  process.exit(1);
}
const loadAtStart = loadAverage();
const t0 = Date.now();
console.log(
  `MESSAGE relay/UDP — SIPp ${sippV}, Kamailio ${kamV ?? 'not installed'}, node ${process.version}; ` +
    `${fmtInt(USERS)} AoRs registered to one SIPp UAS; steps of ${STEP_S} s, latency at ${fmtInt(LATENCY_RATE)}/s for ${LATENCY_S} s; load average ${loadAtStart.join(' ')}`,
);

const starts: [string, () => Promise<Target>][] = [
  ...(kamV
    ? KAMAILIO_WORKERS.map((w): [string, () => Promise<Target>] => [
        `kamailio ${w}w`,
        async () => {
          const k = await startKamailio({ cfg: KAMAILIO_CFG, workers: w, shmMb: KAMAILIO_SHM_MB, pkgMb: 32 });
          return { name: `kamailio ${w}w`, host: k.host, port: k.port, pid: k.pid, stop: k.stop };
        },
      ])
    : []),
  [
    'pbx-lite',
    async () => {
      const p = await startPbx({ backend: 'pglite', auth: false, config: { usrloc: { db_mode: 0 } } });
      return { name: 'pbx-lite', host: p.host, port: p.port, pid: p.pid, stop: () => p.stop() };
    },
  ],
];
const order = starts.map(([name]) => name);
const targets: Target[] = [];
const skipped = new Map<string, string>();
const figures: Figures[] = [];
const inf = writeInjectionFile(userNames(PREFIX, USERS).map((u) => [u]));
let uas: SippUas | undefined;
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

  // Every user's binding points at the UAS's port: reg.xml's Contact is <sip:USER@127.0.0.1:[cport]>,
  // sent from that same port (a closed loop, 200 in flight) before the UAS takes it. From any other
  // port our registrar would store the source as `received` (NAT, RFC 3261 10.3 / Kamailio's
  // fix_nated_register) and relay to the registering SIPp; Kamailio's reference cfg keeps no received.
  const phonePort = await freeUdpPort('127.0.0.1');
  const registered = new Map<Target, number>();
  for (const t of targets) {
    const r = await runSipp({
      scenario: REG_XML,
      host: t.host,
      port: t.port,
      localPort: phonePort,
      rate: 50_000,
      calls: USERS,
      maxInFlight: 200,
      killAfterMs: 60_000,
      keys: { pfx: PREFIX, cport: String(phonePort) },
    });
    registered.set(t, r.successful);
    console.log(`  ${t.name.padEnd(13)} ${fmtInt(r.successful)} of ${fmtInt(USERS)} AoRs registered to the UAS (${r.failed} failed)`);
  }
  uas = await startSippUas({ scenario: UAS_XML, port: phonePort });
  const phone = uas;
  console.log(`SIPp UAS: udp:${phone.host}:${phone.port}`);

  const sipp = async (t: Target, rate: number, calls: number, rtt = false): Promise<SippResult & { uasCores: number }> => {
    const u0 = phone.cpuSeconds();
    const r = await runSipp({ scenario: UAC_XML, host: t.host, port: t.port, rate, calls, rtt, extraArgs: ['-inf', inf.path] });
    return { ...r, uasCores: r.elapsedSec > 0 ? (phone.cpuSeconds() - u0) / r.elapsedSec : 0 };
  };
  // Every step starts on an idle server and is charged the server's CPU until it is idle again; one
  // after which the server stays busy over MAX_DRAIN_MS did not hold (support/quiesce.ts).
  const settled = new Map<SippResult, SettledStep<SippResult & { uasCores: number }>>();
  const step = async (t: Target, run: () => Promise<SippResult & { uasCores: number }>) => {
    const st = await settledStep(t.pid, run, { maxWaitMs: 10_000 });
    settled.set(st.r, st);
    return st;
  };
  const held = (r: SippResult) => sustained(r) && drainedInTime(settled.get(r)!);
  const line = (name: string, st: SettledStep<SippResult & { uasCores: number }>) =>
    describeStep(name, st.r, `, UAS ${(st.r.uasCores * 100).toFixed(0)}%${describeSettled(st)}`, sustained(st.r) && !drainedInTime(st) ? BACKLOG_VERDICT : undefined);
  for (const t of targets) await sipp(t, WARMUP_CALLS, WARMUP_CALLS); // warm-up (JIT, caches), not counted

  console.log('max sustained rate, servers stepped in turn:');
  const searches = targets.map((target) => ({ target, search: new RateSearch(PLAN) }));
  await searchInTurn(searches, async (t, rate) => (await step(t, () => sipp(t, rate, Math.round(rate * STEP_S)))).r, {
    budgetMs: SEARCH_BUDGET_MS,
    held: (_t, r) => held(r),
    onStep: (t, r) => console.log(line(t.name, settled.get(r)!)),
  });

  console.log(`latency and CPU per MESSAGE at ${fmtInt(LATENCY_RATE)}/s (+ µs probe at ${PROBE_RATE}/s):`);
  for (const { target: t, search } of searches) {
    let probe: LatencyProbeResult = { sent: 0, rttUs: [] };
    const st = await step(t, async () => {
      const [r, p] = await Promise.all([
        sipp(t, LATENCY_RATE, LATENCY_RATE * LATENCY_S, true),
        probeLatency(t.host, t.port, { rate: PROBE_RATE, durationMs: (LATENCY_S - 1) * 1000, request: messageProbe }),
      ]);
      probe = p;
      return r;
    });
    const lat = st.r;
    const cpu = st.cpuSec;
    console.log(line(t.name, st));
    const s = search.result();
    const rtt = lat.rttMs ?? [];
    figures.push({
      server: t.name,
      registered: registered.get(t) ?? 0,
      maxRate: s.best?.targetRate ?? null,
      lowestFailed: s.firstFailure?.targetRate ?? null,
      maxIsLowerBound: s.capped,
      limit: s.firstFailure && !s.capped ? (sustained(s.firstFailure) ? 'backlog' : (shortfall(s.firstFailure) as Exclude<Limit, 'cap' | 'backlog'>)) : 'cap',
      failurePctAtMax: s.best ? pct(s.best.failureRatio) : null,
      achievedAtMax: s.best ? Math.round(s.best.achievedRate) : null,
      heldAtLatency: held(lat),
      p50Ms: percentile(rtt, 50),
      p99Ms: percentile(rtt, 99),
      p50Us: Math.round(percentile(probe.rttUs, 50)),
      p99Us: Math.round(percentile(probe.rttUs, 99)),
      probeLost: probe.sent - probe.rttUs.length,
      failurePctAtLatency: pct(lat.failureRatio),
      retransAtLatency: lat.retransmissions,
      cpuUsPerMessage: lat.successful > 0 ? Math.round((cpu / lat.successful) * 1e7) / 10 : Number.NaN,
    });
  }
} finally {
  for (const t of targets) await t.stop();
  await uas?.stop();
  inf.remove();
}

console.log('');
printTable(
  ['server', 'max sustained/s', 'limit', 'fail % @max', `p50 ms @${fmtInt(LATENCY_RATE)}`, 'p99 ms', 'p50 µs', 'p99 µs', 'probe lost', 'fail %', 'retrans', 'CPU µs/MESSAGE'],
  figures.map((f) => [
    f.server,
    f.maxRate === null ? (f.lowestFailed === null ? '-' : `< ${fmtInt(f.lowestFailed)}`) : `${f.maxIsLowerBound ? '≥ ' : ''}${fmtInt(f.maxRate)}`,
    f.limit,
    cell(f.failurePctAtMax?.toFixed(3)),
    `${cell(f.p50Ms)}${f.heldAtLatency ? '' : ' ✗'}`,
    cell(f.p99Ms),
    cell(f.p50Us),
    cell(f.p99Us),
    String(f.probeLost),
    f.failurePctAtLatency.toFixed(3),
    String(f.retransAtLatency),
    cell(f.cpuUsPerMessage),
  ]),
);
console.log(`  (✗: the latency step did not hold)`);
for (const [name, why] of skipped) console.log(`${name}: not measured: ${why}`);

const ours = figures.find((f) => f.server === 'pbx-lite');
const ratios: Record<string, number | null> = {};
for (const ref of figures.filter((f) => f.server.startsWith('kamailio'))) {
  const key = ref.server.replace(' ', '');
  ratios[`maxRate_ours_over_${key}`] = ratio(ours?.maxRate, ref.maxRate);
  ratios[`p99us_ours_over_${key}`] = ratio(ours?.p99Us, ref.p99Us);
  ratios[`cpuPerMessage_ours_over_${key}`] = ratio(ours?.cpuUsPerMessage, ref.cpuUsPerMessage);
  if (ours) {
    const bound = ref.maxIsLowerBound ? ' (Kamailio not bracketed: an upper bound)' : ours.maxIsLowerBound ? ' (ours not bracketed: a lower bound)' : '';
    console.log(
      `ours / ${ref.server}: max rate ${cell(ratios[`maxRate_ours_over_${key}`])}${bound}, ` +
        `p99 (µs probe) ${cell(ratios[`p99us_ours_over_${key}`])}, CPU per MESSAGE ${cell(ratios[`cpuPerMessage_ours_over_${key}`])}`,
    );
  }
}
if (!ours) console.log('ours / kamailio: n/a (pbx-lite not measured)');
const loadAtEnd = loadAverage();
console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s; load average at start ${loadAtStart.join(' ')}, at end ${loadAtEnd.join(' ')}`);
console.log(
  JSON.stringify({
    bench: 'message-relay',
    stepSeconds: STEP_S,
    latencyRate: LATENCY_RATE,
    users: USERS,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    results: Object.fromEntries(order.map((name) => [name, figures.find((f) => f.server === name) ?? { skipped: skipped.get(name) ?? 'not started' }])),
    ratios,
  }),
);
