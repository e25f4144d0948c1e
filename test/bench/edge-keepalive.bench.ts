/**
 * Keep-alives on the RFC 5626 edge (role: edge), with the CPU they cost:
 *
 * - STUN: Binding requests (RFC 5389) on the edge's SIP UDP port from
 *   sockets in this process, a closed loop of STUN_WINDOW requests in
 *   flight per socket for STUN_SEC; answers/s and the edge's CPU (its one
 *   Node process, /proc utime+stime), so answers per core-second. Bar:
 *   ≥ 20,000 answers/s on one core.
 * - CRLF: FLOWS TCP connections each REGISTER through the edge (a flow per
 *   connection, REGISTER_WINDOW at a time), then sit idle sending a
 *   double-CRLF every 25 s (RFC 5626 §4.4.1; spread evenly over the
 *   period). Two windows, each with the edge's CPU share, its RSS (peak of
 *   one sample a second) and the pongs counted:
 *   - after the burst: the first SETTLE_PERIODS keep-alive periods (25 s
 *     each, one line each) right after the registrations. Registering
 *     10,000 flows in a few seconds leaves the edge's heap grown with what
 *     lived through those seconds (requests in flight, transactions); V8
 *     hands it back on its own once the process quiets (its memory
 *     reducer: here 30–50 s after the burst, with a few full collections
 *     of the heap the flows hold);
 *   - held: the IDLE_SEC after that, the flows' steady state. Bar: < 5 % of
 *     a core and < 200 MB RSS for 10,000 flows.
 *
 *   node scripts/run-bench.mjs edge-keepalive
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { startEdgePair } from '../edge/bench-pair.js';
import { fmtInt, loadAverage, ownCpuSeconds, waitUntilIdle } from './support/index.js';

const STUN_SOCKETS = 4;
const STUN_WINDOW = 64;
const STUN_SEC = Number(process.env.EDGE_STUN_SEC ?? 5);
const FLOWS = Number(process.env.EDGE_FLOWS ?? 10_000);
const KEEPALIVE_MS = 25_000;
const SETTLE_PERIODS = 3;
const IDLE_SEC = Number(process.env.EDGE_IDLE_SEC ?? 50);
const REGISTER_WINDOW = 200;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function bindingRequest(seq: number): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt32BE(0x2112a442, 4);
  b.writeUInt32BE(seq, 16);
  return b;
}

async function stun(port: number, pid: number): Promise<void> {
  const sockets: UdpSocket[] = [];
  let answers = 0;
  let running = true;
  let seq = 0;
  for (let i = 0; i < STUN_SOCKETS; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.on('message', (m) => {
      if (m.readUInt16BE(0) !== 0x0101) return;
      answers++;
      if (running) s.send(bindingRequest(++seq), port, '127.0.0.1');
    });
    sockets.push(s);
  }
  await waitUntilIdle(pid, { maxMs: 5_000 });
  const cpu0 = ownCpuSeconds(pid);
  const t0 = Date.now();
  for (const s of sockets) for (let w = 0; w < STUN_WINDOW; w++) s.send(bindingRequest(++seq), port, '127.0.0.1');
  // A lost datagram shrinks the window; refill it every 100 ms so the loop never starves.
  const refill = setInterval(() => {
    for (const s of sockets) s.send(bindingRequest(++seq), port, '127.0.0.1');
  }, 100);
  await new Promise((r) => setTimeout(r, STUN_SEC * 1000));
  running = false;
  clearInterval(refill);
  const sec = (Date.now() - t0) / 1000;
  const cores = (ownCpuSeconds(pid) - cpu0) / sec;
  for (const s of sockets) s.close();
  const rate = answers / sec;
  console.log(`STUN: ${fmtInt(rate)} Binding answers/s over ${sec.toFixed(1)} s, edge at ${(cores * 100).toFixed(0)}% of a core → ${fmtInt(rate / Math.max(cores, 0.01))} answers per core-second (bar: ≥ 20,000/s on one core)`);
}

/** One TCP flow: a connection that registered through the edge and answers nothing else. */
async function openFlow(port: number, i: number, pongs: { n: number }): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('error', reject);
  });
  const user = `ka${i}`;
  const body = [
    'REGISTER sip:example.com SIP/2.0',
    `Via: SIP/2.0/TCP 127.0.0.1:${s.localPort};branch=z9hG4bKka${i};rport`,
    'Max-Forwards: 70',
    `From: <sip:${user}@example.com>;tag=t${i}`,
    `To: <sip:${user}@example.com>`,
    `Call-ID: ka${i}@bench`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:${user}@127.0.0.1:${s.localPort};transport=tcp>`,
    'Expires: 3600',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) {
        s.off('data', onData);
        if (buf.startsWith('SIP/2.0 200')) resolve();
        else reject(new Error(`flow ${i}: ${buf.split('\r\n')[0]}`));
      }
    };
    s.on('data', onData);
    s.write(body);
  });
  s.on('data', (d: Buffer) => {
    // Each pong is one CRLF (RFC 5626 §4.4.1).
    for (let k = 0; k + 1 < d.length; k += 2) if (d[k] === 13 && d[k + 1] === 10) pongs.n++;
  });
  s.on('error', () => {});
  return s;
}

async function crlf(port: number, pid: number): Promise<void> {
  await waitUntilIdle(pid, { maxMs: 10_000 });
  const idle0 = ownCpuSeconds(pid);
  await new Promise((r) => setTimeout(r, 10_000));
  const baseRss = rssMb(pid);
  console.log(`edge before any flow: ${((ownCpuSeconds(pid) - idle0) / 10 * 100).toFixed(2)}% of a core idle, RSS ${baseRss.toFixed(0)} MB`);
  const pongs = { n: 0 };
  const flows: Socket[] = [];
  const t0 = Date.now();
  for (let i = 0; i < FLOWS; i += REGISTER_WINDOW) {
    const batch = await Promise.all(Array.from({ length: Math.min(REGISTER_WINDOW, FLOWS - i) }, (_, k) => openFlow(port, i + k, pongs)));
    flows.push(...batch);
  }
  console.log(`CRLF: ${fmtInt(flows.length)} TCP flows registered through the edge in ${((Date.now() - t0) / 1000).toFixed(1)} s; edge RSS ${rssMb(pid).toFixed(0)} MB`);
  await waitUntilIdle(pid, { maxMs: 10_000 });
  // Flow i pings at i/FLOWS of the period, then every KEEPALIVE_MS.
  const timers: NodeJS.Timeout[] = [];
  flows.forEach((s, i) => {
    timers.push(
      setTimeout(() => {
        s.write('\r\n\r\n');
        timers.push(setInterval(() => s.write('\r\n\r\n'), KEEPALIVE_MS));
      }, Math.floor((i / flows.length) * KEEPALIVE_MS)),
    );
  });
  const window = async (label: string, seconds: number, bar: string): Promise<void> => {
    const cpu0 = ownCpuSeconds(pid);
    const pongs0 = pongs.n;
    const start = Date.now();
    let peakRss = rssMb(pid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 1_000);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(sampler);
    const sec = (Date.now() - start) / 1000;
    const cores = (ownCpuSeconds(pid) - cpu0) / sec;
    const expected = Math.floor(flows.length * (sec / (KEEPALIVE_MS / 1000)));
    console.log(
      `CRLF ${label}: ${fmtInt(flows.length)} idle flows, a double-CRLF each per 25 s, over ${sec.toFixed(0)} s: ${fmtInt(pongs.n - pongs0)} pongs (≈${fmtInt(expected)} pings sent), ` +
        `edge at ${(cores * 100).toFixed(2)}% of a core, RSS peak ${peakRss.toFixed(0)} MB, at the end ${rssMb(pid).toFixed(0)} MB${bar}`,
    );
  };
  for (let k = 1; k <= SETTLE_PERIODS; k++) await window(`after the burst, period ${k}`, KEEPALIVE_MS / 1000, '');
  await window('held', IDLE_SEC, ' (bar: < 5 % of a core, < 200 MB)');
  for (const t of timers) clearTimeout(t);
  for (const s of flows) s.destroy();
}

async function main(): Promise<void> {
  // The edge's own database holds only the admin account: on the local PostgreSQL (BACKEND=pglite for the
  // embedded one, which adds its engine to the edge's RSS).
  const pair = await startEdgePair('', process.env.BACKEND === 'pglite' ? 'pglite' : 'postgres');
  try {
    const pid = pair.edge.proc.pid!;
    console.log(`edge keep-alives, load average ${loadAverage().join(' ')}`);
    await stun(pair.edge.sip('udp').port, pid);
    await crlf(pair.edge.sip('tcp').port, pid);
    console.log(`load average after: ${loadAverage().join(' ')} (other work on the machine moves every figure)`);
  } finally {
    await pair.stop();
  }
}

await main();
