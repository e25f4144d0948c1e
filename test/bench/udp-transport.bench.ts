/**
 * UDP echo round trips per second through SipTransportLayer, against a plain
 * `dgram` echo measured in the same process, so the ratio holds on any
 * machine. One client socket keeps WINDOW requests outstanding; the echo
 * server answers each datagram to its source (the layer: `send(data, peer)`
 * from `onMessage`, no callback — the hot path).
 *
 * Run: npx tsc -b test && node test/dist/bench/udp-transport.bench.js [msPerRun]
 * Figures are printed, never asserted. Each is the median of 7 alternating
 * runs (after a warm-up run of each); the ratio is the median of the per-pair
 * ratios, which shrugs off load from other processes better than a ratio of medians.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { SipTransportLayer, type Peer } from '@pbx/sip';

const RUN_MS = Number(process.argv[2] ?? 1000);
const RUNS = 7;
const WINDOW = 64;
const HOST = '127.0.0.1';

// A typical small request: an OPTIONS keep-alive of ~350 bytes.
const PAYLOAD = Buffer.from(
  'OPTIONS sip:pbx.example.com SIP/2.0\r\n' +
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n' +
    'Max-Forwards: 70\r\n' +
    'To: <sip:pbx.example.com>\r\n' +
    'From: <sip:alice@pbx.example.com>;tag=1928301774\r\n' +
    'Call-ID: a84b4c76e66710@pc33.example.com\r\n' +
    'CSeq: 63104 OPTIONS\r\n' +
    'Contact: <sip:alice@192.0.2.10:5060>\r\n' +
    'Accept: application/sdp\r\n' +
    'Content-Length: 0\r\n\r\n',
);

interface EchoServer {
  port: number;
  close(): Promise<void>;
}

async function plainEcho(): Promise<EchoServer> {
  const s = createSocket('udp4');
  s.on('message', (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address));
  s.bind(0, HOST);
  await once(s, 'listening');
  return { port: s.address().port, close: () => new Promise((r) => s.close(() => r())) };
}

async function layerEcho(): Promise<EchoServer> {
  const layer: SipTransportLayer = new SipTransportLayer({
    listen: [{ transport: 'udp', host: HOST, port: 0 }],
    limits: { maxMessageSize: 65535 },
    idleTimeoutMs: 0,
    handler: {
      onMessage: (data: Buffer, source: Peer) => {
        layer.send(data, source);
      },
    },
  });
  await layer.start();
  return { port: layer.listeners()[0]!.boundPort, close: () => layer.stop() };
}

/** Round trips per second with WINDOW outstanding, for RUN_MS. Lost datagrams are re-sent by a watchdog. */
async function measure(port: number): Promise<{ perSec: number; lost: number }> {
  const client: Socket = createSocket('udp4');
  client.bind(0, HOST);
  await once(client, 'listening');
  let received = 0;
  let running = true;
  client.on('message', () => {
    received++;
    if (running) client.send(PAYLOAD, port, HOST);
  });
  // If the window drained (datagrams dropped), refill it; counts how often.
  let lost = 0;
  let seen = -1;
  const watchdog = setInterval(() => {
    if (received === seen && running) {
      lost++;
      for (let i = 0; i < WINDOW; i++) client.send(PAYLOAD, port, HOST);
    }
    seen = received;
  }, 100);
  for (let i = 0; i < WINDOW; i++) client.send(PAYLOAD, port, HOST);
  const t0 = performance.now();
  const r0 = received;
  await new Promise((r) => setTimeout(r, RUN_MS));
  const n = received - r0;
  const ms = performance.now() - t0;
  running = false;
  clearInterval(watchdog);
  await new Promise<void>((r) => client.close(() => r()));
  return { perSec: (n / ms) * 1000, lost };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const plain = await plainEcho();
const layer = await layerEcho();
await measure(plain.port); // warm-up
await measure(layer.port);
const plainRuns: number[] = [];
const layerRuns: number[] = [];
let lost = 0;
for (let i = 0; i < RUNS; i++) {
  const p = await measure(plain.port);
  const l = await measure(layer.port);
  plainRuns.push(p.perSec);
  layerRuns.push(l.perSec);
  lost += p.lost + l.lost;
}
await plain.close();
await layer.close();

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(8);
const p = median(plainRuns);
const l = median(layerRuns);
const ratios = plainRuns.map((x, i) => layerRuns[i]! / x);
console.log(`UDP echo, window ${WINDOW}, ${PAYLOAD.length}-byte datagrams, median of ${RUNS} runs of ${RUN_MS} ms:`);
console.log(`  plain dgram echo        ${fmt(p)} round trips/s`);
console.log(`  SipTransportLayer echo  ${fmt(l)} round trips/s`);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
console.log(
  `  layer / plain, per pair: median ${pct(median(ratios))} (range ${pct(Math.min(...ratios))}–${pct(Math.max(...ratios))})`,
);
if (lost > 0) console.log(`  (window refilled ${lost} times after drops)`);
