// MSRP relay figures beside Kamailio's msrp module (../shared/kamailio-reference/msrp.cfg,
// its connection-map example without digest) and a plain Node socket.pipe() relay, all
// measured in this run on this machine. Figures are printed, never asserted.
//   frames/s, 1 KiB SENDs (window 64) · MB/s, 64 KiB messages in 8 KiB chunks ·
//   p50/p99 of one 8 KiB SEND · relay RSS while one 1 GiB message streams through.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/server.js';
import { startKamailio, kamailioVersion } from './support/kamailio.js';
import { percentile } from './support/percentile.js';
import { MsrpBenchPair, type MsrpBenchResult } from './support/msrp-bench-client.js';

const N_1K = Number(process.env.MSRP_BENCH_N_1K ?? 50_000);
const N_64K = Number(process.env.MSRP_BENCH_N_64K ?? 2_000);
const N_LAT = Number(process.env.MSRP_BENCH_N_LAT ?? 2_000);
const STREAM_BYTES = Number(process.env.MSRP_BENCH_STREAM ?? 1024 ** 3);
const KAMAILIO_CFG = '/work/shared/kamailio-reference/msrp.cfg';

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

interface RelayFigures {
  k1: MsrpBenchResult;
  k64: MsrpBenchResult;
  lat: { p50: number; p99: number };
  stream?: { mbPerSec: number; rssBefore: number; rssMax: number };
}

async function measure(host: string, port: number, pid: number | undefined): Promise<RelayFigures> {
  const warm = await MsrpBenchPair.open(host, port);
  await warm.throughput(2_000, 1024, 1024, 64);
  warm.close();
  const p1 = await MsrpBenchPair.open(host, port);
  const k1 = await p1.throughput(N_1K, 1024, 1024, 64);
  p1.close();
  const p2 = await MsrpBenchPair.open(host, port);
  const k64 = await p2.throughput(N_64K, 64 * 1024, 8 * 1024, 16);
  p2.close();
  const p3 = await MsrpBenchPair.open(host, port);
  const lats = await p3.latency(N_LAT, 8 * 1024);
  p3.close();
  const out: RelayFigures = { k1, k64, lat: { p50: percentile(lats, 50), p99: percentile(lats, 99) } };
  if (pid !== undefined && STREAM_BYTES > 0) {
    const p4 = await MsrpBenchPair.open(host, port);
    const rssBefore = rssMb(pid);
    let rssMax = rssBefore;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMb(pid))), 100);
    const r = await p4.throughput(1, STREAM_BYTES, 64 * 1024, 1);
    clearInterval(sampler);
    p4.close();
    out.stream = { mbPerSec: r.mbPerSec, rssBefore, rssMax };
  }
  return out;
}

/**
 * The transport's ceiling: a relay that only pipes A's socket into B's,
 * driven by the same client with the same 64 KiB messages in 8 KiB SEND
 * chunks (so the client's own work is the same on both sides of the ratio).
 */
async function pipeBaseline(): Promise<number> {
  const conns: Socket[] = [];
  const server = createServer((s) => {
    conns.push(s);
    if (conns.length === 2) conns[0]!.pipe(conns[1]!);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const connectTo = () =>
    new Promise<Socket>((r) => {
      const s: Socket = netConnect({ host: '127.0.0.1', port }, () => r(s));
    });
  const a = await connectTo();
  while (conns.length < 1) await new Promise((r) => setImmediate(r));
  const b = await connectTo();
  while (conns.length < 2) await new Promise((r) => setImmediate(r));
  const pair = MsrpBenchPair.over(a, b);
  await pair.throughput(200, 64 * 1024, 8 * 1024, 16);
  const r = await pair.throughput(N_64K, 64 * 1024, 8 * 1024, 16);
  pair.close();
  for (const c of conns) c.destroy();
  server.close();
  return r.mbPerSec;
}

function line(name: string, f: RelayFigures): void {
  console.log(
    `${name.padEnd(10)} 1 KiB SENDs ${Math.round(f.k1.framesPerSec).toLocaleString('en')} frames/s (${f.k1.mbPerSec.toFixed(1)} MB/s) · ` +
      `64 KiB/8 KiB ${f.k64.mbPerSec.toFixed(1)} MB/s (${Math.round(f.k64.framesPerSec).toLocaleString('en')} frames/s) · ` +
      `8 KiB SEND p50 ${f.lat.p50.toFixed(3)} ms p99 ${f.lat.p99.toFixed(3)} ms` +
      (f.stream ? ` · ${(STREAM_BYTES / 1024 ** 3).toFixed(2)} GiB stream ${f.stream.mbPerSec.toFixed(1)} MB/s, RSS ${f.stream.rssBefore.toFixed(0)} → max ${f.stream.rssMax.toFixed(0)} MB` : ''),
  );
}

/** Median of each figure over the rounds (the machine is shared: one round alone says little). */
function median(rounds: RelayFigures[]): RelayFigures {
  const mid = <T>(xs: T[], key: (x: T) => number) => [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!;
  return {
    k1: mid(rounds.map((r) => r.k1), (x) => x.framesPerSec),
    k64: mid(rounds.map((r) => r.k64), (x) => x.mbPerSec),
    lat: { p50: mid(rounds.map((r) => r.lat.p50), (x) => x), p99: mid(rounds.map((r) => r.lat.p99), (x) => x) },
    stream: rounds.find((r) => r.stream)?.stream,
  };
}

async function startKamailioMsrp(): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'pbx-kam-msrp-'));
  const port = await freeTcpPort();
  const cfg = readFileSync(KAMAILIO_CFG, 'utf8')
    .replace(/^listen=.*$/m, `listen=tcp:127.0.0.1:${port}`)
    .replace('unix:/tmp/kamailio-reference/kamailio_ctl_msrp', `unix:${dir}/ctl`)
    .replace(/"use_path_addr", "[^"]*"/, `"use_path_addr", "127.0.0.1:${port}"`);
  writeFileSync(join(dir, 'msrp.cfg'), cfg);
  const kam = await startKamailio({ cfg: join(dir, 'msrp.cfg'), workers: 2, shmMb: 256 });
  return {
    port,
    stop: async () => {
      await kam.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ROUNDS = Number(process.env.MSRP_BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  console.log(`MSRP relay bench, median of ${ROUNDS} interleaved rounds (2-core machine shared with other work: figures are noisy)`);
  const srv = await startServer({ env: { SIP_AUTH: 'off', MSRP_LISTEN: 'tcp:127.0.0.1:0' } });
  const kam = kamailioVersion() !== undefined ? await startKamailioMsrp() : undefined;
  const pbxRounds: RelayFigures[] = [];
  const kamRounds: RelayFigures[] = [];
  const pipes: number[] = [];
  try {
    const port = srv.listeners.find((l) => l.protocol === 'msrp' && l.transport === 'tcp')!.port;
    // Interleaved, so a burst of load from elsewhere does not land on one side only.
    for (let r = 0; r < ROUNDS; r++) {
      pbxRounds.push(await measure('127.0.0.1', port, r === ROUNDS - 1 ? srv.proc.pid : undefined));
      // Kamailio refuses bodies over 10240 bytes (MSRP_MAX_BODY_SIZE): no 64 KiB-chunk stream for it.
      if (kam) kamRounds.push(await measure('127.0.0.1', kam.port, undefined));
      pipes.push(await pipeBaseline());
    }
  } finally {
    await kam?.stop();
    await srv.destroy();
  }
  const pbx = median(pbxRounds);
  line('PBX-lite', pbx);
  if (kamRounds.length > 0) {
    const k = median(kamRounds);
    line('Kamailio', k);
    console.log(
      `ratio PBX/Kamailio: 1 KiB frames/s ${(pbx.k1.framesPerSec / k.k1.framesPerSec).toFixed(2)}×, 64 KiB MB/s ${(pbx.k64.mbPerSec / k.k64.mbPerSec).toFixed(2)}×`,
    );
  } else console.log('Kamailio not installed: no reference figures');
  const pipe = [...pipes].sort((a, b) => a - b)[Math.floor(pipes.length / 2)]!;
  console.log(`socket.pipe() relay, same client, 64 KiB in 8 KiB chunks: ${pipe.toFixed(1)} MB/s; PBX-lite 64 KiB/8 KiB is ${((pbx.k64.mbPerSec / pipe) * 100).toFixed(0)} % of it`);
}

await main();
