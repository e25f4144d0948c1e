/**
 * msilo (kamailio-msilo.txt §4.1 m_store, §4.3 m_dump), ours beside
 * Kamailio 5.6 with msilo on PostgreSQL, in the same run on the same
 * machine (issue 6's figures):
 *
 * - store: SIPp `../shared/kamailio-reference/sipp/msg_off.xml` — a MESSAGE
 *   to an AoR without binding, a new AoR per call, answered 202 only once
 *   the row is committed — as a closed loop of IN_FLIGHT MESSAGEs (SIPp
 *   starts one as another is answered), STORES of them per server: the
 *   achieved rate is the committed stores per second the server sustains,
 *   with SIPp's response times (p50 / p99). Servers: Kamailio with
 *   `-A WITH_MSILO` and 2 workers (the reference README's figure:
 *   1,200–2,000/s), its `silo` table from kamailio-postgres-modules'
 *   msilo-create.sql in a throwaway database; ours on the local PostgreSQL
 *   and on the embedded PGlite. Neither sends an offline notification:
 *   the reference cfg's from_address would have Kamailio notify each
 *   sender `sip:sndN@127.0.0.1` through its outbound_proxy (itself, on a
 *   port fixed in that cfg); on a free port it would go to 127.0.0.1:5060,
 *   where nothing answers, and tm's retransmissions would be charged to
 *   the store. So both sides measure m_store alone.
 * - dump: a backlog of 100 and of 1,000 MESSAGEs stored for one user, then
 *   a phone in this process REGISTERs (Allow lists MESSAGE) and answers each
 *   delivered MESSAGE 200 at once: time from the REGISTER to its 200 OK, to
 *   the first and to the last MESSAGE; whether they came in storage order
 *   and none twice. The first backlog of 100 after the store phase is
 *   printed apart as "cold": our delivery code has not run yet, so V8 runs
 *   it in its interpreter (Kamailio's C has no such phase). Then WARM_DUMPS
 *   backlogs of 100, not counted, stand for a server that has delivered
 *   messages before (V8 optimizes a function after some thousand calls;
 *   one 50-message dump left it interpreted). Each figure is then the
 *   median of DUMP_ROUNDS rounds of that backlog, the servers taking turns
 *   within a round, every round printed. (Kamailio's reference cfg sends its dump through
 *   `outbound_proxy` = itself on a fixed port; on the free port of a bench
 *   run it is left out, so Kamailio sends straight to the registered
 *   Contact: one hop less than the reference, which favours Kamailio.)
 *
 * The kamailio cfg is the reference registrar.cfg made to run on a free
 * port (written to a temporary file: no `listen=`/`alias=`, no ctl socket,
 * PGURL a define, no outbound_proxy, from_address or contact_hdr). Figures are printed, never asserted;
 * the machine's two cores are shared with SIPp, this process and whatever
 * else runs (the load average is printed). The last line is one JSON object.
 *
 * Run: npx tsc -p test && node test/dist/bench/msilo-store.bench.js [stores=20000] [backlogs=100,1000] [rounds=5]
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase } from '../support/postgres.js';
import {
  cell,
  fmtInt,
  kamailioVersion,
  KAMAILIO_SQL,
  loadAverage,
  percentile,
  printTable,
  ratio,
  runSipp,
  sippVersion,
  startKamailio,
  startPbx,
  waitUntilIdle,
  type PbxConfig,
  type SippResult,
} from './support/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REFERENCE = join(ROOT, '../shared/kamailio-reference');
const MSG_OFF_XML = join(REFERENCE, 'sipp/msg_off.xml');
const REFERENCE_CFG = join(REFERENCE, 'registrar.cfg');

const STORES = Number(process.argv[2] ?? 20_000);
const BACKLOGS = (process.argv[3] ?? '100,1000').split(',').map(Number).filter((n) => n > 0);
/** Rounds per backlog of 100 messages; larger backlogs get proportionally fewer (at least one). */
const DUMP_ROUNDS = Number(process.argv[4] ?? 5);
/** Backlogs of 100 delivered before the measured rounds: 1,000 deliveries, as a server that has run a while. */
const WARM_DUMPS = 10;
/** MESSAGEs SIPp keeps in flight (closed loop): enough for group commit to show, far below SIPp's limits. */
const IN_FLIGHT = 200;
const KAMAILIO_WORKERS = 2;
/** Stores of the backlog sent at once by the phone before it registers. */
const BACKLOG_IN_FLIGHT = 50;
const DUMP_TIMEOUT_MS = 30_000;
/** As the reference cfg: add_date 0; no notification (see above). */
const PBX_MSILO: PbxConfig = {
  usrloc: { db_mode: 0 },
  msilo: { add_date: 0 },
};

interface Target {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

interface StoreFigures {
  readonly rate: number;
  readonly ok: number;
  readonly failed: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

interface DumpFigures {
  readonly n: number;
  readonly stored: number;
  readonly got: number;
  readonly reg200Ms: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly inOrder: boolean;
  readonly duplicates: number;
}

/** The reference cfg on a free port: no listen/alias (startKamailio's -l), no ctl socket, PGURL from -A, dumps straight to the Contact. */
function kamailioMsiloCfg(dir: string): string {
  const text = readFileSync(REFERENCE_CFG, 'utf8')
    .split('\n')
    .filter((l) => !/^(listen|alias)=/.test(l) && !/modparam\("ctl"/.test(l) && !/"(outbound_proxy|from_address|contact_hdr)"/.test(l))
    .map((l) => (/^#!define PGURL /.test(l) ? '#!ifndef PGURL\n' + l + '\n#!endif' : l))
    .join('\n');
  const file = join(dir, 'kamailio-msilo.cfg');
  writeFileSync(file, text);
  return file;
}

/** A throwaway PostgreSQL database with Kamailio's own schema for msilo (`kamdbctl create` would load the same files). */
async function kamailioSiloDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const db = await createTestDatabase();
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    for (const f of ['standard-create.sql', 'msilo-create.sql']) await c.query(readFileSync(join(KAMAILIO_SQL, 'postgres', f), 'utf8'));
  } finally {
    await c.end();
  }
  return db;
}

async function storeRun(t: Target, prefix: string): Promise<StoreFigures> {
  await waitUntilIdle(t.pid, { maxMs: 8_000 });
  const r: SippResult = await runSipp({
    scenario: MSG_OFF_XML,
    host: t.host,
    port: t.port,
    rate: 50_000,
    calls: STORES,
    maxInFlight: IN_FLIGHT,
    rtt: true,
    recvTimeoutMs: 5_000,
    killAfterMs: 120_000,
    keys: { pfx: prefix },
  });
  const rtt = r.rttMs ?? [];
  console.log(
    `  ${t.name.padEnd(16)} ${fmtInt(r.successful)} stored (202), ${r.failed} failed, ${r.unfinished} unfinished, ${r.retransmissions} retrans in ${r.elapsedSec.toFixed(1)} s: ` +
      `${fmtInt(r.achievedRate)}/s, SIPp ${(r.sippCores * 100).toFixed(0)}% of a core`,
  );
  return { rate: Math.round(r.achievedRate), ok: r.successful, failed: r.failed + r.unfinished, p50: rtt.length ? percentile(rtt, 50) : null, p99: rtt.length ? percentile(rtt, 99) : null };
}

/**
 * The phone of the dump phase, on its own UDP port: stores `n` MESSAGEs for
 * `user` (BACKLOG_IN_FLIGHT at a time, each must get 202), then REGISTERs
 * and answers every MESSAGE 200, timing from the REGISTER.
 */
async function dumpRun(t: Target, user: string, n: number): Promise<DumpFigures> {
  const s: Socket = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const lport = s.address().port;
  const send = (text: string) => s.send(Buffer.from(text, 'latin1'), t.port, t.host);
  const hdr = (m: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(m)?.[1]?.trim() ?? '';
  const body = (i: number) => `backlog ${String(i).padStart(5, '0')} for ${user}: lorem ipsum dolor sit amet, consectetur adipiscing.`;
  const message = (i: number) =>
    send(
      `MESSAGE sip:${user}@127.0.0.1:${t.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${lport};branch=z9hG4bKb${i}x${user}x${process.pid}\r\n` +
        `Max-Forwards: 70\r\nFrom: <sip:sender@127.0.0.1>;tag=f${i}\r\nTo: <sip:${user}@127.0.0.1:${t.port}>\r\n` +
        `Call-ID: bl${i}-${user}@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: ${body(i).length}\r\n\r\n${body(i)}`,
    );
  let stored = 0;
  let next = 0;
  let tReg = 0;
  let tReg200 = 0;
  let tFirst = 0;
  let tLast = 0;
  const order: number[] = [];
  const seen = new Set<number>();
  const branches = new Set<string>();
  let duplicates = 0;
  const done = new Promise<void>((resolve, reject) => {
    const hard = setTimeout(() => reject(new Error(`${t.name}: dump of ${n} not complete in ${DUMP_TIMEOUT_MS} ms (${stored} stored, ${order.length} delivered)`)), DUMP_TIMEOUT_MS);
    const register = () => {
      tReg = performance.now();
      send(
        `REGISTER sip:127.0.0.1:${t.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${lport};branch=z9hG4bKr${user}${process.pid}\r\nMax-Forwards: 70\r\n` +
          `From: <sip:${user}@127.0.0.1:${t.port}>;tag=r1\r\nTo: <sip:${user}@127.0.0.1:${t.port}>\r\nCall-ID: reg-${user}@127.0.0.1\r\n` +
          `CSeq: 1 REGISTER\r\nContact: <sip:${user}@127.0.0.1:${lport}>\r\nAllow: INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n`,
      );
    };
    s.on('message', (buf) => {
      const m = buf.toString('latin1');
      if (m.startsWith('SIP/2.0 ')) {
        const code = Number(m.slice(8, 11));
        const cseq = hdr(m, 'CSeq');
        if (/MESSAGE/.test(cseq) && tReg === 0) {
          if (code !== 202) {
            clearTimeout(hard);
            reject(new Error(`${t.name}: store answered ${code}`));
            return;
          }
          if (++stored === n) register();
          else if (next < n) message(next++);
        } else if (/REGISTER/.test(cseq) && code === 200 && tReg200 === 0) tReg200 = performance.now();
        return;
      }
      if (!m.startsWith('MESSAGE ')) return;
      const branch = /branch=([^;\s,]+)/i.exec(hdr(m, 'Via'))?.[1] ?? '';
      const lines = ['SIP/2.0 200 OK'];
      for (const l of m.split('\r\n')) {
        if (/^(Via|From|Call-ID|CSeq):/i.test(l)) lines.push(l);
        else if (/^To:/i.test(l)) lines.push(`${l};tag=uas${lport}`);
      }
      send(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`);
      if (branches.has(branch)) return; // a retransmission: answered again, counted once
      branches.add(branch);
      const i = /backlog (\d+) for/.exec(m)?.[1];
      if (i === undefined) return; // a notification or something else
      if (seen.has(Number(i))) duplicates++;
      if (tFirst === 0) tFirst = performance.now();
      order.push(Number(i));
      seen.add(Number(i));
      if (seen.size === n) {
        tLast = performance.now();
        clearTimeout(hard);
        resolve();
      }
    });
    for (let k = 0; k < Math.min(BACKLOG_IN_FLIGHT, n); k++) message(next++);
  });
  try {
    await done;
    // Duplicates still on the way would show within a moment; the delete after each 2xx is the server's own business.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    s.close();
  }
  const inOrder = order.every((v, k) => k === 0 || v > order[k - 1]!);
  return { n, stored, got: seen.size, reg200Ms: tReg200 - tReg, firstMs: tFirst ? tFirst - tReg : null, lastMs: tLast ? tLast - tReg : null, inOrder, duplicates };
}

const kamV = kamailioVersion();
const sippV = sippVersion();
if (!sippV) {
  console.error('SIPp is not installed (Debian package sip-tester): nothing to measure with.');
  process.exit(1);
}
const loadAtStart = loadAverage();
const t0 = Date.now();
console.log(`msilo store and dump — SIPp ${sippV}, Kamailio ${kamV ?? 'not installed'} (${KAMAILIO_WORKERS} workers), node ${process.version}; ${fmtInt(STORES)} stores per server, ${IN_FLIGHT} in flight; load average ${loadAtStart.join(' ')}`);

const tmp = mkdtempSync(join(tmpdir(), 'pbx-bench-msilo-'));
const cleanups: Array<() => Promise<void>> = [];
const starts: Array<[string, () => Promise<Target>]> = [
  ...(kamV
    ? [
        [
          'kamailio 2w',
          async (): Promise<Target> => {
            const db = await kamailioSiloDatabase();
            cleanups.push(db.drop);
            const k = await startKamailio({ cfg: kamailioMsiloCfg(tmp), workers: KAMAILIO_WORKERS, shmMb: 256, pkgMb: 32, defines: { WITH_MSILO: true, PGURL: `"${db.url}"` } });
            return { name: 'kamailio 2w', host: k.host, port: k.port, pid: k.pid, stop: k.stop };
          },
        ] as [string, () => Promise<Target>],
      ]
    : []),
  [
    'pbx-lite postgres',
    async () => {
      const p = await startPbx({ backend: 'postgres', auth: false, config: PBX_MSILO });
      return { name: 'pbx-lite postgres', host: p.host, port: p.port, pid: p.pid, stop: () => p.stop() };
    },
  ],
  [
    'pbx-lite pglite',
    async () => {
      const p = await startPbx({ backend: 'pglite', auth: false, config: PBX_MSILO });
      return { name: 'pbx-lite pglite', host: p.host, port: p.port, pid: p.pid, stop: () => p.stop() };
    },
  ],
];

const stores = new Map<string, StoreFigures>();
const dumps = new Map<string, DumpFigures[]>();
const colds = new Map<string, DumpFigures>();
const skipped = new Map<string, string>();
try {
  const targets: Target[] = [];
  for (const [name, start] of starts) {
    try {
      const t = await start();
      targets.push(t);
      cleanups.unshift(t.stop);
      console.log(`${name}: udp:${t.host}:${t.port}`);
    } catch (err) {
      skipped.set(name, (err as Error).message.split('\n')[0]!);
      console.log(`${name}: not measured: ${skipped.get(name)}`);
    }
  }
  // Warm-up (JIT, connections, caches): a tenth of the run, not counted.
  for (const t of targets) await runSipp({ scenario: MSG_OFF_XML, host: t.host, port: t.port, rate: 50_000, calls: Math.max(500, STORES / 10), maxInFlight: IN_FLIGHT, killAfterMs: 60_000, keys: { pfx: 'warm_' } });

  console.log(`store: MESSAGE to an offline AoR, 202 after commit (closed loop, ${IN_FLIGHT} in flight):`);
  for (const t of targets) stores.set(t.name, await storeRun(t, 'off_'));

  console.log('dump: a backlog stored for one user, then the user registers:');
  let round = 0;
  const dumpRound = async (t: Target, n: number, label: string): Promise<DumpFigures | undefined> => {
    await waitUntilIdle(t.pid, { maxMs: 8_000 });
    try {
      const d = await dumpRun(t, `blog${n}r${round++}`, n);
      console.log(
        `  ${t.name.padEnd(17)} ${label.padEnd(9)} ${String(n).padStart(5)}: 200 OK after ${d.reg200Ms.toFixed(1)} ms, first MESSAGE ${cell(d.firstMs?.toFixed(1))} ms, ` +
          `all ${d.got} ${cell(d.lastMs?.toFixed(1))} ms; ${d.inOrder ? 'in storage order' : 'NOT in storage order'}, ${d.duplicates} twice`,
      );
      return d;
    } catch (err) {
      console.log(`  ${t.name.padEnd(17)} ${label.padEnd(9)} ${String(n).padStart(5)}: ${(err as Error).message}`);
      return undefined;
    }
  };
  for (const t of targets) {
    const d = await dumpRound(t, 100, 'cold');
    if (d) colds.set(t.name, d);
  }
  for (let k = 0; k < WARM_DUMPS; k++) for (const t of targets) await dumpRound(t, 100, 'warm-up');
  for (const n of BACKLOGS) {
    const rounds = Math.max(1, Math.round((DUMP_ROUNDS * 100) / n));
    for (let k = 0; k < rounds; k++) {
      for (const t of targets) {
        const d = await dumpRound(t, n, `${k + 1}/${rounds}`);
        if (d) dumps.set(t.name, [...(dumps.get(t.name) ?? []), d]);
      }
    }
  }
} finally {
  for (const c of cleanups) await c().catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}

console.log('');
const names = [...stores.keys()];
/** Median first/last times of a backlog's rounds; ok when every round came complete, in order, none twice. */
function dumpSummary(name: string, n: number): { first: number | null; last: number | null; rounds: number; ok: boolean } | undefined {
  const rounds = (dumps.get(name) ?? []).filter((d) => d.n === n);
  if (rounds.length === 0) return undefined;
  const med = (xs: Array<number | null>) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length === rounds.length ? percentile(v, 50) : null;
  };
  return {
    first: med(rounds.map((d) => d.firstMs)),
    last: med(rounds.map((d) => d.lastMs)),
    rounds: rounds.length,
    ok: rounds.every((d) => d.inOrder && d.duplicates === 0 && d.got === n),
  };
}
printTable(
  [
    'server',
    'stores/s',
    'failed',
    'p50 ms',
    'p99 ms',
    'cold 100: all ms',
    ...BACKLOGS.flatMap((n) => [`${n}: first ms (median)`, `${n}: all ms (median)`, `${n}: order`]),
  ],
  names.map((name) => {
    const s = stores.get(name)!;
    return [
      name,
      fmtInt(s.rate),
      String(s.failed),
      cell(s.p50),
      cell(s.p99),
      cell(colds.get(name)?.lastMs?.toFixed(1)),
      ...BACKLOGS.flatMap((n) => {
        const x = dumpSummary(name, n);
        return [cell(x?.first?.toFixed(1)), cell(x?.last?.toFixed(1)), x ? (x.ok ? `ok (${x.rounds})` : 'NO') : '-'];
      }),
    ];
  }),
);
const kam = stores.get('kamailio 2w');
const ratios = {
  store_postgres_over_kamailio: ratio(stores.get('pbx-lite postgres')?.rate, kam?.rate),
  store_pglite_over_kamailio: ratio(stores.get('pbx-lite pglite')?.rate, kam?.rate),
  cold100_all_ms_postgres_over_kamailio: ratio(colds.get('pbx-lite postgres')?.lastMs, colds.get('kamailio 2w')?.lastMs),
  ...Object.fromEntries(
    BACKLOGS.map((n) => [
      `dump${n}_all_ms_postgres_over_kamailio`,
      ratio(dumpSummary('pbx-lite postgres', n)?.last, dumpSummary('kamailio 2w', n)?.last),
    ]),
  ),
};
console.log(`ours / kamailio: ${Object.entries(ratios).map(([k, v]) => `${k} ${cell(v)}`).join(', ')}`);
console.log(`total ${Math.round((Date.now() - t0) / 1000)} s; load average at start ${loadAtStart.join(' ')}, at end ${loadAverage().join(' ')}`);
console.log(
  JSON.stringify({
    bench: 'msilo-store',
    stores: STORES,
    inFlight: IN_FLIGHT,
    kamailioWorkers: KAMAILIO_WORKERS,
    loadAverage: { start: loadAtStart, end: loadAverage() },
    store: Object.fromEntries(stores),
    dumpCold: Object.fromEntries(colds),
    dump: Object.fromEntries(dumps),
    skipped: Object.fromEntries(skipped),
    ratios,
  }),
);
