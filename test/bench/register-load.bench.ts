/**
 * REGISTER over UDP (RFC 3261 10), SIPp as the load, our appliance side by
 * side with Kamailio 5.6 with one UDP worker (`children=1`,
 * test/bench/support/kamailio-registrar.cfg: the reference
 * ../shared/kamailio-reference/registrar.cfg made to run on a free port) on
 * the same machine in the same run, with the same SIPp scenarios
 * (../shared/kamailio-reference/sipp/reg.xml, reg_auth.xml). Phases, each
 * with its own pair of freshly started servers:
 *
 * - noauth:  no digest, usrloc `db_mode` 0 (memory), our server on PGlite.
 *            Besides the max rate: CPU per REGISTER at a fixed 8,000/s.
 *            A third server is measured alike: the bare Node responder
 *            (support/bare-responder-process.ts), which copies five headers
 *            into a 200 and does nothing else — what Node's own datagram
 *            round trip allows any one-process Node registrar here.
 * - auth:    digest (MD5) for 100k subscribers — ours with the credentials
 *            cached in memory (subscriber rows written to PostgreSQL before
 *            start), Kamailio's auth_db on SQLite computing HA1 from the
 *            password column (`-A WITH_AUTH`); SIPp answers each 401 (the
 *            figures count whole two-transaction registrations).
 * - dbmode2: usrloc `db_mode` 2 (write-back) on the local PostgreSQL —
 *            ours `backend: 'postgres'`, Kamailio `-A WITH_PGUL -A DBMODE=2`
 *            with its own schema (kamailio-postgres-modules' SQL) in a
 *            throwaway database; the write-back must not stall the SIP
 *            path (our p99 here against our p99 in noauth).
 * - dbmode1: (only when named: ~2 min more) usrloc `db_mode` 1
 *            (write-through: the 200 after the commit).
 * - memory:  bytes held per binding: our V8 heap after a full collection
 *            (through the inspector) and Kamailio's shared memory
 *            (`kamcmd core.shmmem`), before and after MEM_BINDINGS AoRs.
 * - nodump:  (only when named) noauth with support/reg-no-message.xml, whose
 *            Allow lists no MESSAGE: our msilo then skips its look for
 *            stored messages after each REGISTER (m_dump), which the
 *            reference cfg does not do without WITH_MSILO.
 *
 * 100k distinct AoRs: before each phase's search both servers get
 * `a_1` … `a_100000` registered, both at once, each as fast as it answers
 * (a closed loop of PREFILL_IN_FLIGHT REGISTERs; the auth and db_mode 1
 * phases fewer: two-transaction and write-through registrations fill
 * slowly). SIPp's `[call_number]` (and reg_auth.xml's SEQUENTIAL injection
 * file of the 100k subscribers) numbers a run's calls from 1, so every step
 * then REGISTERs distinct AoRs of that populated table (refreshes with a
 * new Call-ID: each step is a new SIPp).
 *
 * - Max sustained rate: SIPp's rate stepped up ×1.6 until a step fails twice
 *   in a row (> 0.1 % failed calls, > 0.1 % retransmitted, or an achieved
 *   rate < 95 % of the target: support/rate-search.ts), then the bracket
 *   bisected twice; the servers are stepped in turn (one step of each per
 *   round) so load from elsewhere on the machine falls on both alike; each
 *   search is bounded by its phase's budget. `limit` says what stopped it.
 * - Every step starts on an idle server (support/quiesce.ts: below 10 % of
 *   a core, waited for up to SETTLE_MAX_MS) and the server must be idle
 *   again within 1 s of SIPp's end: a server can answer a burst and defer
 *   work (ours queues a msilo look-up per REGISTER), and a rate it cannot
 *   keep up for longer than a step is not sustained (`limit` "backlog").
 *   The `busy s` column adds up those waits.
 * - Latency: SIPp's `-trace_rtt` at a steady rate (5,000/s; 1,000/s with
 *   auth and in db_mode 1, where 5,000/s is past what the servers hold
 *   here) in whole ms, and a probe in this process REGISTERing 200 AoRs/s
 *   timing each round trip in µs (none in the auth phase: it would time
 *   the 401).
 * - CPU per REGISTER: the server's utime+stime from a step's start until it
 *   is idle after it (every Kamailio process; our one Node process — PGlite
 *   runs inside it; PostgreSQL's own processes are counted for neither)
 *   divided by the REGISTERs answered 200.
 *
 * SIPp, this process and the server share the machine's two cores (and
 * whatever else runs there: the load average is printed). Figures are
 * printed, never asserted; the last line is one JSON object.
 *
 * Run: npx tsc -p test && node test/dist/bench/register-load.bench.js [phases=noauth,auth,dbmode2,memory] [stepSeconds=3]
 *      (phases: a comma list of noauth, auth, dbmode2, dbmode1, memory, nodump)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_START_ARGS, type Backend } from '../support/server.js';
import {
  cell,
  describeStep,
  digestInjectionRows,
  fmtInt,
  hasKamailioModule,
  heapAfterGc,
  inspectorUrl,
  kamailioAuthDatabase,
  kamailioLocationDatabase,
  kamailioShmUsed,
  kamailioStat,
  kamailioVersion,
  loadAverage,
  pbxDatabaseWithSubscribers,
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
  sustained,
  startBareResponder,
  startKamailio,
  startPbx,
  userNames,
  waitUntilIdle,
  writeInjectionFile,
  BACKLOG_VERDICT,
  describeSettled,
  drainedInTime,
  type LatencyProbeResult,
  type PbxConfig,
  type SettledStep,
  type ProbeRequestParts,
  type RateSearchPlan,
  type SippResult,
} from './support/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REFERENCE = join(ROOT, '../shared/kamailio-reference');
const REG_XML = join(REFERENCE, 'sipp/reg.xml');
const REG_AUTH_XML = join(REFERENCE, 'sipp/reg_auth.xml');
const REG_NO_MESSAGE_XML = join(ROOT, 'test/bench/support/reg-no-message.xml');
const KAMAILIO_CFG = join(ROOT, 'test/bench/support/kamailio-registrar.cfg');

const PHASES = ['noauth', 'auth', 'dbmode2', 'dbmode1', 'memory', 'trace', 'nodump'] as const;
type PhaseKey = (typeof PHASES)[number];
/** Within ~6 minutes; `dbmode1` (another ~50 s) and the `nodump` diagnostic run only when asked for. */
const DEFAULT_PHASES: readonly PhaseKey[] = ['noauth', 'auth', 'dbmode2', 'memory', 'trace'];
const selected = new Set((process.argv[2] ?? DEFAULT_PHASES.join(',')).split(',').filter(Boolean) as PhaseKey[]);
for (const p of selected) if (!PHASES.includes(p)) throw new Error(`unknown phase ${p} (phases: ${PHASES.join(', ')})`);
const STEP_S = Number(process.argv[3] ?? 3);
const CPU_S = 4;
const LATENCY_S = 5;
const PROBE_RATE = 200;

const AORS = 100_000;
const PREFIX = 'a_';
const DOMAIN = '127.0.0.1';
const PASSWORD = 'pw';
/** The Contact port of every binding: nothing listens there, a REGISTER never reaches it. */
const CONTACT_PORT = 7199;
const KAMAILIO_WORKERS = 1;
/** Longest wait for a server to go idle before and after a step (then the step line says it was still busy). */
const SETTLE_MAX_MS = 8_000;
/** Kamailio's shared memory (`-m`), as the reference README starts it: room for every binding. */
const KAMAILIO_SHM_MB = 1024;
/**
 * The prefill is a closed loop: SIPp keeps this many REGISTERs in flight and
 * starts one as another is answered, so each server fills as fast as it
 * answers, without the retransmission storm of an open-loop rate it cannot
 * hold (both servers fill at once). Without digest it REGISTERs with
 * support/reg-no-message.xml (Allow without MESSAGE): after 100k REGISTERs
 * from reg.xml our server is still working off the msilo look-ups it queued
 * (one per REGISTER) a minute later, and every step would start on a busy
 * server. The measured steps then refresh these AoRs with reg.xml.
 */
const PREFILL_IN_FLIGHT = 200;
const PREFILL_RATE_CAP = 50_000;
const PREFILL_BACKSTOP_MS = 120_000;
const MEM_BINDINGS = 200_000;
/** T1 of the memory phase's server: Timer J (64×T1) then keeps finished REGISTER transactions 3.2 s instead of 32 s. */
const MEM_T1_MS = 50;

/** The trace phase: REGISTERs per second of each step, and rounds of (no capture, capture) steps. */
const TRACE_RATE = 5_000;
const TRACE_ROUNDS = 3;
const TRACE_AORS = 20_000;

/** Registrar parameters both servers share (the reference cfg's). */
const REGISTRAR: PbxConfig[string] = { default_expires: 3600, max_expires: 7200 };

interface PhaseSpec {
  readonly key: Exclude<PhaseKey, 'memory'>;
  readonly title: string;
  /** SIPp scenario; default reg.xml (reg_auth.xml with auth). */
  readonly scenario?: string;
  /** The Allow header of the µs probe's REGISTERs, matching the scenario's (none by default, as reg.xml). */
  readonly probeAllow?: string;
  readonly auth: boolean;
  readonly dbMode: 0 | 1 | 2;
  readonly backend: Backend;
  readonly plan: RateSearchPlan;
  readonly budgetMs: number;
  /** AoRs registered on both servers before the search (closed loop: see PREFILL_IN_FLIGHT). */
  readonly prefill: { readonly aors: number };
  /** A fixed-rate step for CPU per REGISTER (issue: 8,000/s without auth). */
  readonly cpuRate?: number;
  /** Also measure the bare Node responder (support/bare-responder-process.ts): the floor of any one-process Node server. */
  readonly floor?: boolean;
  readonly latencyRate: number;
}

const SPECS: readonly PhaseSpec[] = [
  {
    key: 'noauth',
    title: 'REGISTER, no auth, db_mode 0',
    auth: false,
    dbMode: 0,
    backend: 'pglite',
    plan: { start: 5_000, factor: 1.6, max: 80_000, min: 500, refine: 2, retries: 1 },
    // Three servers stepped in turn (the bare responder as well).
    budgetMs: 100_000,
    prefill: { aors: AORS },
    cpuRate: 8_000,
    floor: true,
    latencyRate: 5_000,
  },
  {
    key: 'auth',
    title: 'REGISTER with digest (MD5), db_mode 0',
    auth: true,
    dbMode: 0,
    backend: 'postgres',
    plan: { start: 2_000, factor: 1.6, max: 40_000, min: 250, refine: 2, retries: 1 },
    budgetMs: 70_000,
    // 100k subscribers, but only the first 20k registered before the search: a two-transaction registration fills slowly.
    prefill: { aors: 20_000 },
    latencyRate: 1_000,
  },
  {
    key: 'dbmode2',
    title: 'REGISTER, no auth, db_mode 2 (write-back) on PostgreSQL',
    auth: false,
    dbMode: 2,
    backend: 'postgres',
    plan: { start: 5_000, factor: 1.6, max: 80_000, min: 500, refine: 2, retries: 1 },
    budgetMs: 70_000,
    prefill: { aors: AORS },
    latencyRate: 5_000,
  },
  {
    key: 'dbmode1',
    title: 'REGISTER, no auth, db_mode 1 (write-through) on PostgreSQL',
    auth: false,
    dbMode: 1,
    backend: 'postgres',
    plan: { start: 1_000, factor: 1.6, max: 40_000, min: 250, refine: 2, retries: 1 },
    // 20 s, then 45 s, ended our search still climbing (at 2,560 and 6,554/s): not bracketed.
    budgetMs: 80_000,
    prefill: { aors: 10_000 },
    latencyRate: 1_000,
  },
  {
    // Diagnostic: noauth with phones that take no MESSAGE (support/reg-no-message.xml), so our msilo
    // does not look for stored messages on each REGISTER; the difference with noauth is that lookup's cost.
    key: 'nodump',
    title: 'REGISTER, no auth, db_mode 0, Allow without MESSAGE (no msilo dump)',
    scenario: REG_NO_MESSAGE_XML,
    probeAllow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY',
    auth: false,
    dbMode: 0,
    backend: 'pglite',
    plan: { start: 5_000, factor: 1.6, max: 80_000, min: 500, refine: 2, retries: 1 },
    budgetMs: 45_000,
    prefill: { aors: AORS },
    cpuRate: 8_000,
    latencyRate: 5_000,
  },
];

interface Target {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Root of the server's process tree, for CPU time. */
  readonly pid: number;
  stop(): Promise<unknown>;
}

/** What stopped the search: see support/rate-search.ts `shortfall`; 'backlog': SIPp's counts held but the server was busy after the step (support/quiesce.ts); 'cap': the budget or the rate cap. */
type Limit = 'server' | 'sipp' | 'rate' | 'backlog' | 'cap';

interface ServerFigures {
  readonly server: string;
  readonly prefill: { readonly aors: number; readonly ok: number; readonly failed: number; readonly seconds: number };
  readonly maxRate: number | null;
  /** The lowest rate tried that did not hold (the max is below it). */
  readonly lowestFailed: number | null;
  /** True when the limit was not bracketed (time budget or rate cap): the max is a lower bound. */
  readonly maxIsLowerBound: boolean;
  readonly limit: Limit;
  readonly failurePctAtMax: number | null;
  readonly achievedAtMax: number | null;
  /** Seconds the server was busy before and after steps (working off a step after answering it). */
  readonly idleWaitSec: number;
  readonly cpu?: { readonly rate: number; readonly cpuUsPerReq: number; readonly held: boolean; readonly failurePct: number; readonly retrans: number; readonly achieved: number };
  readonly latency: {
    readonly rate: number;
    readonly held: boolean;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly p50Us: number | null;
    readonly p99Us: number | null;
    readonly probeLost: number | null;
    readonly failurePct: number;
    readonly retrans: number;
    readonly cpuUsPerReq: number;
  };
}

interface PhaseResult {
  readonly title: string;
  readonly aors: number;
  readonly loadAverage: [number, number, number];
  readonly results: Record<string, ServerFigures | { skipped: string }>;
  readonly ratios: Record<string, number | null>;
}

/**
 * A REGISTER for the µs probe: AoR `probe<seq>`, its own Call-ID and branch;
 * with `allow`, an Allow header as the phase's scenario has one.
 */
const registerProbe = (allow?: string) => ({ seq, callId, host, port, local }: ProbeRequestParts): string => {
  const aor = `sip:probe${seq}@${DOMAIN}`;
  return (
    `REGISTER sip:${host}:${port} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK${callId};rport\r\n` +
    'Max-Forwards: 70\r\n' +
    `From: <${aor}>;tag=p${seq}\r\n` +
    `To: <${aor}>\r\n` +
    `Call-ID: ${callId}\r\n` +
    'CSeq: 1 REGISTER\r\n' +
    `Contact: <sip:probe${seq}@${local.address}:${CONTACT_PORT};transport=udp>\r\n` +
    'Expires: 3600\r\n' +
    (allow ? `Allow: ${allow}\r\n` : '') +
    'User-Agent: latency-probe\r\n' +
    'Content-Length: 0\r\n\r\n'
  );
};

/** A closed-loop run as a line: its pace is the server's, not a target's. */
function describeFill(name: string, r: SippResult): string {
  return `  ${name.padEnd(13)} ${fmtInt(r.successful)} registered in ${r.elapsedSec.toFixed(1)} s (${fmtInt(r.achievedRate)}/s), ${r.failed} failed, ${r.unfinished} unfinished, ${r.retransmissions} retrans`;
}

const cpuUsPer = (cpuSec: number, calls: number): number => (calls > 0 ? Math.round((cpuSec / calls) * 1e7) / 10 : Number.NaN);

async function kamailioTarget(spec: PhaseSpec, dbUrls: { pg?: string; sqlite?: string }): Promise<Target> {
  const defines: Record<string, string | true> = { DBMODE: String(spec.dbMode) };
  if (spec.dbMode > 0) Object.assign(defines, { WITH_PGUL: true, PGURL: `"${dbUrls.pg}"` });
  if (spec.auth) Object.assign(defines, { WITH_AUTH: true, SQLITEURL: `"${dbUrls.sqlite}"` });
  const k = await startKamailio({ cfg: KAMAILIO_CFG, workers: KAMAILIO_WORKERS, defines, shmMb: KAMAILIO_SHM_MB, pkgMb: 32 });
  return { name: `kamailio ${KAMAILIO_WORKERS}w`, host: k.host, port: k.port, pid: k.pid, stop: k.stop };
}

async function ourTarget(spec: PhaseSpec, databaseUrl: string | undefined): Promise<Target> {
  const p = await startPbx({
    backend: spec.backend,
    auth: spec.auth,
    ...(databaseUrl ? { databaseUrl } : {}),
    config: {
      ...(spec.auth ? { core: { auth_algorithms: ['MD5'] } } : {}),
      registrar: REGISTRAR,
      usrloc: { db_mode: spec.dbMode },
    },
  });
  return { name: 'pbx-lite', host: p.host, port: p.port, pid: p.pid, stop: () => p.stop() };
}

/** The bare Node responder's name in the tables. */
const BARE = 'bare node';

async function bareTarget(): Promise<Target> {
  const b = await startBareResponder(NODE_START_ARGS);
  return { name: BARE, host: b.host, port: b.port, pid: b.pid, stop: () => b.stop() };
}

async function runPhase(spec: PhaseSpec): Promise<PhaseResult> {
  console.log(`\n== ${spec.title} (load average ${loadAverage().join(' ')})`);
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const targets: Target[] = [];
  const skipped = new Map<string, string>();
  const figures: ServerFigures[] = [];
  const order = [`kamailio ${KAMAILIO_WORKERS}w`, 'pbx-lite', ...(spec.floor ? [BARE] : [])];
  try {
    // Databases and SIPp injection data first; a server whose data could not be made is skipped with the reason.
    let kamPg: string | undefined;
    let kamSqlite: string | undefined;
    let ourDb: string | undefined;
    let inf: string | undefined;
    let kamSkip: string | undefined;
    let ourSkip: string | undefined;
    if (spec.auth) {
      const file = writeInjectionFile(digestInjectionRows(userNames(PREFIX, AORS), PASSWORD));
      cleanups.push(() => file.remove());
      inf = file.path;
      if (!hasKamailioModule('db_sqlite')) kamSkip = 'the db_sqlite module is not installed (Debian package kamailio-sqlite-modules)';
      else {
        const kdb = kamailioAuthDatabase({ prefix: PREFIX, count: AORS, domain: DOMAIN, password: PASSWORD });
        cleanups.push(() => kdb.drop());
        kamSqlite = kdb.url;
      }
      const odb = await pbxDatabaseWithSubscribers({ prefix: PREFIX, count: AORS, domain: DOMAIN, password: PASSWORD }).catch((err: Error) => {
        ourSkip = `subscribers could not be written: ${err.message.split('\n')[0]}`;
        return undefined;
      });
      if (odb) {
        cleanups.push(() => odb.drop());
        ourDb = odb.url;
      }
      console.log(`${fmtInt(AORS)} subscribers written for both servers`);
    }
    if (spec.dbMode > 0) {
      const kdb = await kamailioLocationDatabase().catch((err: Error) => {
        kamSkip = `its PostgreSQL database could not be made: ${err.message.split('\n')[0]}`;
        return undefined;
      });
      if (kdb) {
        cleanups.push(() => kdb.drop());
        kamPg = kdb.url;
      }
    }
    const starts: [string, string | undefined, () => Promise<Target>][] = [
      [order[0]!, kamSkip, () => kamailioTarget(spec, { ...(kamPg ? { pg: kamPg } : {}), ...(kamSqlite ? { sqlite: kamSqlite } : {}) })],
      ['pbx-lite', ourSkip, () => ourTarget(spec, ourDb)],
    ];
    if (spec.floor) starts.push([BARE, undefined, bareTarget]);
    for (const [name, skip, start] of starts) {
      if (skip) {
        skipped.set(name, skip);
        console.log(`${name}: not measured: ${skip}`);
        continue;
      }
      try {
        const t = await start();
        targets.push(t);
        cleanups.push(() => t.stop());
        console.log(`${name}: udp:${t.host}:${t.port}`);
      } catch (err) {
        skipped.set(name, (err as Error).message.split('\n')[0]!);
        console.log(`${name}: not measured: ${skipped.get(name)}`);
      }
    }

    const sipp = (t: Target, rate: number, calls: number, rtt = false, closedLoop = false): Promise<SippResult> =>
      runSipp({
        ...(closedLoop ? { maxInFlight: PREFILL_IN_FLIGHT, killAfterMs: PREFILL_BACKSTOP_MS, recvTimeoutMs: 4_000 } : {}),
        // The prefill without digest registers phones that take no MESSAGE (see PREFILL_IN_FLIGHT).
        scenario: closedLoop && !spec.auth ? REG_NO_MESSAGE_XML : (spec.scenario ?? (spec.auth ? REG_AUTH_XML : REG_XML)),
        host: t.host,
        port: t.port,
        rate,
        calls,
        rtt,
        keys: { pfx: PREFIX, cport: String(CONTACT_PORT) },
        ...(inf ? { extraArgs: ['-inf', inf] } : {}),
      });
    // Every measured step starts on an idle server and is charged the server's CPU until it is idle
    // again; one after which the server stays busy over MAX_DRAIN_MS did not hold (support/quiesce.ts).
    const idleWait = new Map<Target, number>(targets.map((t) => [t, 0]));
    const settled = new Map<SippResult, SettledStep>();
    const step = async (t: Target, run: () => Promise<SippResult>): Promise<SettledStep> => {
      const st = await settledStep(t.pid, run, { maxWaitMs: SETTLE_MAX_MS });
      idleWait.set(t, idleWait.get(t)! + (st.waitedBeforeMs + st.drainMs) / 1000);
      settled.set(st.r, st);
      return st;
    };
    const held = (r: SippResult) => sustained(r) && drainedInTime(settled.get(r)!);
    const line = (t: Target, st: SettledStep) =>
      describeStep(t.name, st.r, describeSettled(st), sustained(st.r) && !drainedInTime(st) ? BACKLOG_VERDICT : undefined);

    // Prefill: the AoR table populated (and the JIT warm) before anything is measured; both at once.
    console.log(`prefill: ${fmtInt(spec.prefill.aors)} AoRs on each server at once, ${PREFILL_IN_FLIGHT} in flight`);
    const prefills = await Promise.all(targets.map((t) => sipp(t, PREFILL_RATE_CAP, spec.prefill.aors, false, true)));
    targets.forEach((t, i) => console.log(describeFill(t.name, prefills[i]!)));

    console.log('max sustained rate, servers stepped in turn:');
    const searches = targets.map((target) => ({ target, search: new RateSearch(spec.plan) }));
    await searchInTurn(searches, async (t, rate) => (await step(t, () => sipp(t, rate, Math.round(rate * STEP_S)))).r, {
      budgetMs: spec.budgetMs,
      held: (_t, r) => held(r),
      onStep: (t, r) => console.log(line(t, settled.get(r)!)),
    });

    const cpu = new Map<Target, ServerFigures['cpu']>();
    if (spec.cpuRate) {
      console.log(`CPU per REGISTER at ${fmtInt(spec.cpuRate)}/s (the server's CPU until it is idle after the step):`);
      for (const t of targets) {
        const rate = spec.cpuRate;
        const st = await step(t, () => sipp(t, rate, rate * CPU_S));
        console.log(line(t, st));
        cpu.set(t, {
          rate: spec.cpuRate,
          cpuUsPerReq: cpuUsPer(st.cpuSec, st.r.successful),
          held: held(st.r),
          failurePct: pct(st.r.failureRatio),
          retrans: st.r.retransmissions,
          achieved: Math.round(st.r.achievedRate),
        });
      }
    }

    console.log(`latency at ${fmtInt(spec.latencyRate)}/s${spec.auth ? '' : ` (+ µs probe at ${PROBE_RATE}/s)`}:`);
    for (const { target: t, search } of searches) {
      let probe: LatencyProbeResult | undefined;
      const st = await step(t, async () => {
        const [r, p] = await Promise.all([
          sipp(t, spec.latencyRate, spec.latencyRate * LATENCY_S, true),
          spec.auth ? undefined : probeLatency(t.host, t.port, { rate: PROBE_RATE, durationMs: (LATENCY_S - 1) * 1000, request: registerProbe(spec.probeAllow) }),
        ]);
        probe = p;
        return r;
      });
      const lat = st.r;
      console.log(line(t, st));
      const rtt = lat.rttMs ?? [];
      const s = search.result();
      const firstFailure = s.firstFailure;
      figures.push({
        server: t.name,
        prefill: { aors: spec.prefill.aors, ok: prefills[targets.indexOf(t)]!.successful, failed: prefills[targets.indexOf(t)]!.failed, seconds: Number(prefills[targets.indexOf(t)]!.elapsedSec.toFixed(1)) },
        maxRate: s.best?.targetRate ?? null,
        lowestFailed: firstFailure?.targetRate ?? null,
        maxIsLowerBound: s.capped,
        limit: firstFailure && !s.capped ? (sustained(firstFailure) ? 'backlog' : (shortfall(firstFailure) as Exclude<Limit, 'cap' | 'backlog'>)) : 'cap',
        failurePctAtMax: s.best ? pct(s.best.failureRatio) : null,
        achievedAtMax: s.best ? Math.round(s.best.achievedRate) : null,
        idleWaitSec: Number(idleWait.get(t)!.toFixed(1)),
        ...(cpu.get(t) ? { cpu: cpu.get(t) } : {}),
        latency: {
          rate: spec.latencyRate,
          held: held(lat),
          p50Ms: percentile(rtt, 50),
          p99Ms: percentile(rtt, 99),
          p50Us: probe ? Math.round(percentile(probe.rttUs, 50)) : null,
          p99Us: probe ? Math.round(percentile(probe.rttUs, 99)) : null,
          probeLost: probe ? probe.sent - probe.rttUs.length : null,
          failurePct: pct(lat.failureRatio),
          retrans: lat.retransmissions,
          cpuUsPerReq: cpuUsPer(st.cpuSec, lat.successful),
        },
      });
    }
  } finally {
    for (const c of cleanups.reverse()) await c();
  }

  const lat = (f: ServerFigures) => f.latency;
  const heldMark = (ok: boolean) => (ok ? '' : ' ✗');
  console.log('');
  printTable(
    [
      'server',
      'max sustained/s',
      'limit',
      'fail % @max',
      'busy s',
      `CPU µs/req @${spec.cpuRate ? fmtInt(spec.cpuRate) : '-'}`,
      `p50 ms @${fmtInt(spec.latencyRate)}`,
      'p99 ms',
      'p50 µs',
      'p99 µs',
      'CPU µs/req',
      'fail %',
      'retrans',
    ],
    figures.map((f) => [
      f.server,
      f.maxRate === null ? (f.lowestFailed === null ? '-' : `< ${fmtInt(f.lowestFailed)}`) : `${f.maxIsLowerBound ? '≥ ' : ''}${fmtInt(f.maxRate)}`,
      f.limit,
      cell(f.failurePctAtMax?.toFixed(3)),
      f.idleWaitSec.toFixed(1),
      f.cpu ? `${f.cpu.cpuUsPerReq}${heldMark(f.cpu.held)}` : '-',
      `${cell(lat(f).p50Ms)}${heldMark(lat(f).held)}`,
      cell(lat(f).p99Ms),
      cell(lat(f).p50Us),
      cell(lat(f).p99Us),
      cell(lat(f).cpuUsPerReq),
      lat(f).failurePct.toFixed(3),
      String(lat(f).retrans),
    ]),
  );
  console.log('  (✗: that fixed-rate step did not hold; busy s: the server busy before and after steps, working them off)');
  for (const [name, why] of skipped) console.log(`${name}: not measured: ${why}`);

  const ours = figures.find((f) => f.server === 'pbx-lite');
  const ref = figures.find((f) => f.server === order[0]);
  const ratios: Record<string, number | null> = {
    maxRate_ours_over_kamailio: ratio(ours?.maxRate, ref?.maxRate),
    cpuPerReqAtFixed_ours_over_kamailio: ratio(ours?.cpu?.cpuUsPerReq, ref?.cpu?.cpuUsPerReq),
    cpuPerReqAtLatencyRate_ours_over_kamailio: ratio(ours?.latency.cpuUsPerReq, ref?.latency.cpuUsPerReq),
    p99ms_ours_over_kamailio: ratio(ours?.latency.p99Ms, ref?.latency.p99Ms),
    p99us_ours_over_kamailio: ratio(ours?.latency.p99Us, ref?.latency.p99Us),
  };
  const bare = figures.find((f) => f.server === BARE);
  if (bare) {
    ratios.maxRate_bare_over_kamailio = ratio(bare.maxRate, ref?.maxRate);
    ratios.cpuPerReqAtFixed_bare_over_kamailio = ratio(bare.cpu?.cpuUsPerReq, ref?.cpu?.cpuUsPerReq);
  }
  const bound = ref?.maxIsLowerBound ? ' (Kamailio not bracketed: an upper bound)' : ours?.maxIsLowerBound ? ' (ours not bracketed: a lower bound)' : '';
  console.log(
    `ours / ${order[0]}: max rate ${cell(ratios.maxRate_ours_over_kamailio)}${bound}` +
      (spec.cpuRate ? `, CPU per REGISTER at ${fmtInt(spec.cpuRate)}/s ${cell(ratios.cpuPerReqAtFixed_ours_over_kamailio)}` : '') +
      `, CPU per REGISTER at ${fmtInt(spec.latencyRate)}/s ${cell(ratios.cpuPerReqAtLatencyRate_ours_over_kamailio)}` +
      `, p99 (ms) ${cell(ratios.p99ms_ours_over_kamailio)}, p99 (µs probe) ${cell(ratios.p99us_ours_over_kamailio)}`,
  );
  if (bare) {
    console.log(
      `${BARE} / ${order[0]}: max rate ${cell(ratios.maxRate_bare_over_kamailio)}, CPU per REGISTER at ${fmtInt(spec.cpuRate ?? 0)}/s ${cell(ratios.cpuPerReqAtFixed_bare_over_kamailio)}` +
        ' (a Node process that only copies five headers into a 200: the floor under any one-process Node registrar)',
    );
  }
  return {
    title: spec.title,
    aors: spec.prefill.aors,
    loadAverage: loadAverage(),
    results: Object.fromEntries(order.map((name) => [name, figures.find((f) => f.server === name) ?? { skipped: skipped.get(name) ?? 'not started' }])),
    ratios,
  };
}

interface MemoryFigures {
  readonly bindings: number;
  readonly bytesPerBinding: number;
  readonly what: string;
  readonly before: number;
  readonly after: number;
  readonly rssBytesPerBinding?: number;
}

/**
 * Memory per binding: a fresh server of each kind (db_mode 0, no auth),
 * measured, MEM_BINDINGS AoRs (`m_1` …, one contact each with Allow and
 * User-Agent, no Path: support/reg-no-message.xml) registered (closed
 * loops, both at once), measured again. The scenario's Allow lists no
 * MESSAGE so that our msilo queues no look for stored messages per
 * REGISTER: with reg.xml those queued queries (each holding its REGISTER)
 * take a minute to drain after 100k REGISTERs and would be counted as
 * binding memory. Ours: V8 heap used after a full collection, read through
 * the inspector (`--inspect=127.0.0.1:0`), with T1 = 50 ms so finished
 * transactions are gone 3.2 s later (Timer J = 64×T1). Kamailio:
 * `core.shmmem` real_used (usrloc keeps bindings in shared memory; REGISTER
 * is answered statelessly, nothing else is held).
 */
interface TraceFigures {
  readonly rate: number;
  /** CPU µs per REGISTER, one per round. */
  readonly idleUs: number[];
  readonly captureUs: number[];
  /** Median capture − median idle, per SIP message (a REGISTER is one in, one out). */
  readonly perMessageUs: number;
}

/**
 * SIP trace (issue 7: when no capture runs, the per-packet cost is one
 * branch): our server only, CPU per REGISTER at TRACE_RATE/s with no
 * capture, then with one running whose filter (an AoR nobody registers)
 * matches nothing, so every message is tested and none recorded —
 * alternating, TRACE_ROUNDS rounds. Without a capture the SIP server checks
 * one flag per message; the difference between the two is what a running
 * capture costs each message it sees.
 */
async function runTrace(): Promise<TraceFigures | { skipped: string }> {
  console.log(`\n== SIP trace: CPU per REGISTER at ${fmtInt(TRACE_RATE)}/s without and with a capture running (load average ${loadAverage().join(' ')})`);
  const ours = await startPbx({ backend: 'pglite', auth: false, config: { registrar: REGISTRAR, usrloc: { db_mode: 0 } } }).catch((err: Error) => err);
  if (ours instanceof Error) {
    console.log(`pbx-lite: not measured: ${ours.message.split('\n')[0]}`);
    return { skipped: ours.message.split('\n')[0]! };
  }
  try {
    const token = await ours.srv.login();
    const sipp = (calls: number, rate: number, closedLoop: boolean) =>
      runSipp({
        ...(closedLoop ? { maxInFlight: PREFILL_IN_FLIGHT, killAfterMs: PREFILL_BACKSTOP_MS, recvTimeoutMs: 4_000 } : {}),
        scenario: closedLoop ? REG_NO_MESSAGE_XML : REG_XML,
        host: ours.host,
        port: ours.port,
        rate,
        calls,
        keys: { pfx: PREFIX, cport: String(CONTACT_PORT) },
      });
    console.log(describeFill('pbx-lite', await sipp(TRACE_AORS, PREFILL_RATE_CAP, true)));
    const idleUs: number[] = [];
    const captureUs: number[] = [];
    for (let round = 0; round < TRACE_ROUNDS; round++) {
      for (const capture of [false, true]) {
        let id: string | undefined;
        if (capture) {
          const r = await ours.srv.api('/api/trace', { method: 'POST', token, body: { aor: 'nobody@trace.invalid' } });
          if (r.status !== 201) throw new Error(`POST /api/trace answered ${r.status} ${JSON.stringify(r.body)}`);
          id = String(r.body.id);
        }
        const st = await settledStep(ours.pid, () => sipp(TRACE_RATE * CPU_S, TRACE_RATE, false), { maxWaitMs: SETTLE_MAX_MS });
        if (id !== undefined) await ours.srv.api(`/api/trace/${id}`, { method: 'DELETE', token });
        const us = cpuUsPer(st.cpuSec, st.r.successful);
        (capture ? captureUs : idleUs).push(us);
        console.log(`${describeStep(capture ? 'capture on' : 'no capture', st.r, describeSettled(st))}; ${us.toFixed(1)} µs CPU per REGISTER`);
      }
    }
    const perMessageUs = Math.round(((percentile(captureUs, 50) - percentile(idleUs, 50)) / 2) * 10) / 10;
    console.log(
      `median CPU per REGISTER: no capture ${percentile(idleUs, 50).toFixed(1)} µs, a capture running that matches nothing ${percentile(captureUs, 50).toFixed(1)} µs: ` +
        `${perMessageUs} µs per SIP message for a running capture's filter (noise of a few µs either way)`,
    );
    return { rate: TRACE_RATE, idleUs, captureUs, perMessageUs };
  } finally {
    await ours.stop();
  }
}

async function runMemory(): Promise<Record<string, MemoryFigures | { skipped: string }>> {
  console.log(`\n== memory per binding at ${fmtInt(MEM_BINDINGS)} bindings (load average ${loadAverage().join(' ')})`);
  const out: Record<string, MemoryFigures | { skipped: string }> = {};
  const ctlDir = mkdtempSync(join(tmpdir(), 'pbx-kamctl-'));
  const ctl = `unix:${join(ctlDir, 'kamailio_ctl')}`;
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const kam = await startKamailio({
      cfg: KAMAILIO_CFG,
      workers: KAMAILIO_WORKERS,
      defines: { DBMODE: '0', CTLSOCK: `"${ctl}"` },
      shmMb: KAMAILIO_SHM_MB,
      pkgMb: 32,
    }).catch((err: Error) => err);
    if (!(kam instanceof Error)) stops.push(kam.stop);
    const ours = await startPbx({
      backend: 'pglite',
      auth: false,
      nodeArgs: ['--inspect=127.0.0.1:0'],
      config: { core: { t1_ms: MEM_T1_MS }, registrar: REGISTRAR, usrloc: { db_mode: 0 } },
    }).catch((err: Error) => err);
    if (!(ours instanceof Error)) stops.push(ours.stop);
    const ws = ours instanceof Error ? undefined : inspectorUrl(ours.srv.output);

    const kamBefore = kam instanceof Error ? undefined : kamailioShmUsed(ctl);
    const ourBefore = ws ? await heapAfterGc(ws) : undefined;
    const fill = (host: string, port: number) =>
      runSipp({
        scenario: REG_NO_MESSAGE_XML,
        host,
        port,
        rate: PREFILL_RATE_CAP,
        calls: MEM_BINDINGS,
        maxInFlight: PREFILL_IN_FLIGHT,
        killAfterMs: PREFILL_BACKSTOP_MS,
        recvTimeoutMs: 4_000,
        keys: { pfx: 'm_', cport: String(CONTACT_PORT) },
      });
    const [kr, or] = await Promise.all([
      kam instanceof Error ? undefined : fill(kam.host, kam.port),
      ours instanceof Error ? undefined : fill(ours.host, ours.port),
    ]);
    if (kr) console.log(describeFill('kamailio', kr));
    if (or) console.log(describeFill('pbx-lite', or));
    // Work left over from the fill done, then Timer J (64×T1) of the last REGISTER transactions and a
    // margin: nothing but the bindings is left to measure.
    if (!(ours instanceof Error)) await waitUntilIdle(ours.pid, { maxMs: 30_000 });
    await new Promise((r) => setTimeout(r, 64 * MEM_T1_MS + 1_000));

    if (kam instanceof Error) out[`kamailio ${KAMAILIO_WORKERS}w`] = { skipped: kam.message.split('\n')[0]! };
    else {
      const after = kamailioShmUsed(ctl);
      const bindings = kamailioStat(ctl, 'usrloc:location_contacts');
      out[`kamailio ${KAMAILIO_WORKERS}w`] =
        kamBefore === undefined || after === undefined || !bindings
          ? { skipped: 'kamcmd could not read core.shmmem or usrloc:location_contacts' }
          : { bindings, before: kamBefore, after, bytesPerBinding: Math.round((after - kamBefore) / bindings), what: 'shared memory real_used (core.shmmem)' };
    }
    if (ours instanceof Error) out['pbx-lite'] = { skipped: ours.message.split('\n')[0]! };
    else if (!ws || !ourBefore) out['pbx-lite'] = { skipped: 'no inspector URL in the server output' };
    else {
      const after = await heapAfterGc(ws);
      const token = await ours.srv.login();
      const stats = (await ours.srv.api('/api/stats', { token })).body as { usrloc?: Record<string, number> };
      const bindings = stats.usrloc?.['location-contacts'] ?? 0;
      out['pbx-lite'] = bindings
        ? {
            bindings,
            before: ourBefore.heapUsedBytes,
            after: after.heapUsedBytes,
            bytesPerBinding: Math.round((after.heapUsedBytes - ourBefore.heapUsedBytes) / bindings),
            rssBytesPerBinding: Math.round((after.rssBytes - ourBefore.rssBytes) / bindings),
            what: 'V8 heap used after a full GC (inspector)',
          }
        : { skipped: 'GET /api/stats reported no location-contacts' };
    }
  } finally {
    for (const s of stops.reverse()) await s();
    rmSync(ctlDir, { recursive: true, force: true });
  }
  printTable(
    ['server', 'bindings', 'bytes/binding', 'RSS bytes/binding', 'measured'],
    Object.entries(out).map(([name, m]) =>
      'skipped' in m ? [name, '-', '-', '-', `not measured: ${m.skipped}`] : [name, fmtInt(m.bindings), fmtInt(m.bytesPerBinding), cell(m.rssBytesPerBinding), m.what],
    ),
  );
  return out;
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
  `REGISTER/UDP load — SIPp ${sippV}, Kamailio ${kamV ?? 'not installed'} (${KAMAILIO_WORKERS} worker), node ${process.version}; ` +
    `phases ${[...selected].join(', ')}; steps of ${STEP_S} s; load average ${loadAtStart.join(' ')}`,
);
const phases: Record<string, PhaseResult> = {};
for (const spec of SPECS) if (selected.has(spec.key)) phases[spec.key] = await runPhase(spec);
const memory = selected.has('memory') ? await runMemory() : undefined;
const trace = selected.has('trace') ? await runTrace() : undefined;

// The write-back must not stall the SIP path: our p99 in db_mode 2 against db_mode 0 (issue: within 2x).
const ourP99 = (k: string) => {
  const f = phases[k]?.results['pbx-lite'];
  return f && 'latency' in f ? f.latency.p99Us : undefined;
};
const writeBackP99 = ratio(ourP99('dbmode2'), ourP99('noauth'));
if (writeBackP99 !== null) console.log(`\nours: p99 (µs probe) db_mode 2 / db_mode 0 = ${writeBackP99}`);
const loadAtEnd = loadAverage();
console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s; load average at start ${loadAtStart.join(' ')}, at end ${loadAtEnd.join(' ')}`);
console.log(
  JSON.stringify({
    bench: 'register-load',
    stepSeconds: STEP_S,
    kamailioWorkers: KAMAILIO_WORKERS,
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    phases,
    ...(memory ? { memory } : {}),
    ...(trace ? { trace } : {}),
    ratios: {
      ...Object.fromEntries(Object.entries(phases).flatMap(([k, p]) => Object.entries(p.ratios).map(([n, v]) => [`${k}.${n}`, v]))),
      'dbmode2.p99us_over_ours_dbmode0': writeBackP99,
    },
  }),
);
