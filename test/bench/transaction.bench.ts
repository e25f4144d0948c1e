/**
 * Transaction layer and proxy throughput (RFC 3261 §17, §16).
 * Run: npx tsc -b test && node test/dist/bench/transaction.bench.js [msPerRun]
 *
 * 1. Non-INVITE server transactions on a manual scheduler, no sockets:
 *    receive (match + create) → respond 200 (build + serialize) → end.
 *    "reliable" ends at the final response (Timer J = 0); "UDP" also arms
 *    the abandon guard and leaves a wait record for Timer J on the manual
 *    heap, fired once per batch inside the timing; "UDP + parse" adds
 *    parseMessage of each datagram.
 * 2. A MESSAGE proxied statefully on a manual scheduler, no sockets: parse
 *    → server transaction → ProxyCore.forward (copy, Max-Forwards, Via) →
 *    client transaction → the next hop's 200 (parsed) → relayed upstream →
 *    both transactions wait out J/K. The next hop's own work (parse the
 *    forwarded request, build and serialize the 200) is inside the timing.
 * 3. The same over loopback UDP through SipTransportLayer with real timers,
 *    a client socket keeping WINDOW requests outstanding and a UAS socket
 *    answering 200, all in this process.
 *
 * Each figure is the median of 5 runs (after a warm-up run), as
 * transactions per wall-clock second and per CPU-second of this process
 * (user + system, all threads: GC included); the second is the steadier one
 * on a shared machine. Figures are printed, never asserted.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createResponse, parseMessage, SipTransportLayer, type Peer, type SendTarget, type SipRequest } from '@pbx/sip';
import type * as TransactionArea from '../../libs/sip/dist/transaction/index.js';
import type * as ProxyArea from '../../libs/sip/dist/proxy/index.js';

// The transaction and proxy areas are loaded from the built package until
// libs/sip/src/index.ts re-exports them; then these become plain imports from '@pbx/sip'.
const sipDist = new URL('../../../libs/sip/dist/', import.meta.url);
const { ManualScheduler, TransactionLayer, transactionTimers } = (await import(new URL('transaction/index.js', sipDist).href)) as typeof TransactionArea;
const { ProxyCore } = (await import(new URL('proxy/index.js', sipDist).href)) as typeof ProxyArea;
type TransactionLayer = TransactionArea.TransactionLayer;
type TransactionCore = TransactionArea.TransactionCore;
type ProxyCore = ProxyArea.ProxyCore;

const RUN_MS = Number(process.argv[2] ?? 1000);
const RUNS = 5;
const BATCH = 10_000;
const WINDOW = 32;
const HOST = '127.0.0.1';
const timers = transactionTimers({ t1: 500, t2: 4000, t4: 5000 });

function message(n: number, sentBy: string, transport = 'UDP'): string {
  return (
    `MESSAGE sip:bob@example.com SIP/2.0\r\n` +
    `Via: SIP/2.0/${transport} ${sentBy};branch=z9hG4bK-bench${n};rport\r\n` +
    `Max-Forwards: 70\r\n` +
    `From: <sip:alice@example.com>;tag=a${n}\r\n` +
    `To: <sip:bob@example.com>\r\n` +
    `Call-ID: bench-${n}@192.0.2.10\r\n` +
    `CSeq: 1 MESSAGE\r\n` +
    `Content-Type: text/plain\r\n` +
    `Content-Length: 5\r\n\r\nhello`
  );
}

interface Rate {
  wall: number;
  cpu: number;
}

/** Runs `fn` (which returns transactions done) and converts to rates. */
function measure(fn: () => number): Rate {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = fn();
  const wall = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  return { wall: (n / wall) * 1000, cpu: n / ((cu.user + cu.system) / 1e6) };
}

async function measureAsync(fn: () => Promise<number>): Promise<Rate> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const wall = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  return { wall: (n / wall) * 1000, cpu: n / ((cu.user + cu.system) / 1e6) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function report(label: string, rates: Rate[]): void {
  const f = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9);
  console.log(`${label.padEnd(66)} ${f(median(rates.map((r) => r.wall)))} tx/s  ${f(median(rates.map((r) => r.cpu)))} tx/CPU-s`);
}

// ---------------------------------------------------------------- part 1

function serverTransactions(kind: 'reliable' | 'udp' | 'udp+parse'): number {
  const scheduler = new ManualScheduler();
  const core: TransactionCore = {
    onRequest(req, _source, tx) {
      tx!.respond(createResponse(req, 200, undefined, { toTag: 'bench' }));
    },
    onStrayResponse() {},
  };
  const layer = new TransactionLayer({ timers, scheduler, transport: { send: () => true }, core });
  const reliable = kind === 'reliable';
  const peer: Peer = { transport: reliable ? 'tcp' : 'udp', address: '192.0.2.10', port: 5060, connectionId: reliable ? 1 : 0, localAddress: '192.0.2.1', localPort: 5060 };
  const wires = Array.from({ length: BATCH }, (_, i) => Buffer.from(message(i, '192.0.2.10:5060', reliable ? 'TCP' : 'UDP').replace(';rport', ''), 'latin1'));
  const parsed = wires.map((w) => {
    const r = parseMessage(w, { stream: reliable });
    if (!r.ok) throw new Error(r.error.reason);
    return r.message as SipRequest;
  });
  let done = 0;
  const end = performance.now() + RUN_MS;
  while (performance.now() < end) {
    if (kind === 'udp+parse') {
      for (const w of wires) {
        const r = parseMessage(w);
        if (r.ok) layer.receive(r.message, peer);
      }
    } else {
      // The same parsed requests again: each is a new transaction once the previous one ended.
      for (const req of parsed) layer.receive(req, peer);
    }
    if (!reliable) scheduler.advance(timers.jUnreliable + timers.t2);
    done += BATCH;
  }
  if (layer.size() !== 0) throw new Error(`${layer.size()} transactions left`);
  layer.stop();
  return done;
}

// ---------------------------------------------------------------- part 2

function proxiedInProcess(): number {
  const scheduler = new ManualScheduler();
  let out: Buffer | null = null;
  const transport = {
    send(data: Buffer, _t: SendTarget, cb?: (e: null, v: null) => void) {
      out = data;
      if (cb) queueMicrotask(() => cb(null, null));
      return true;
    },
  };
  const targets = [{ uri: 'sip:bob@192.0.2.20:5060' }];
  let proxy: ProxyCore | null = null;
  const layer = new TransactionLayer({
    timers,
    scheduler,
    transport,
    core: {
      onRequest: (_req, _s, tx) => void proxy!.forward(tx!, { targets }),
      onStrayResponse: () => {},
    },
  });
  proxy = new ProxyCore({ layer, localAddress: () => ({ address: '192.0.2.1', port: 5060 }) });
  const caller: Peer = { transport: 'udp', address: '192.0.2.10', port: 5060, connectionId: 0, localAddress: '192.0.2.1', localPort: 5060 };
  const callee: Peer = { ...caller, address: '192.0.2.20' };
  const wires = Array.from({ length: BATCH }, (_, i) => Buffer.from(message(i, '192.0.2.10:5060'), 'latin1'));
  let done = 0;
  const end = performance.now() + RUN_MS;
  while (performance.now() < end) {
    for (const w of wires) {
      const r = parseMessage(w);
      if (!r.ok) throw new Error(r.error.reason);
      layer.receive(r.message, caller);
      const fwd = parseMessage(out!);
      if (!fwd.ok || fwd.message.kind !== 'request') throw new Error('forwarded request does not parse');
      const res = parseMessage(createResponse(fwd.message, 200, undefined, { toTag: 'uas' }).serialize());
      if (!res.ok) throw new Error('response does not parse');
      layer.receive(res.message, callee);
    }
    scheduler.advance(timers.jUnreliable + timers.t2);
    done += BATCH;
  }
  if (layer.size() !== 0 || proxy.size() !== 0) throw new Error('transactions left');
  layer.stop();
  return done;
}

// ---------------------------------------------------------------- part 3

interface ProxySetup {
  proxyPort: number;
  proxy: ProxyCore;
  layer: TransactionLayer;
  stop(): Promise<void>;
}

async function proxySetup(): Promise<ProxySetup> {
  const uas: Socket = createSocket('udp4');
  uas.on('message', (data, rinfo) => {
    const r = parseMessage(data);
    if (r.ok && r.message.kind === 'request') uas.send(createResponse(r.message, 200, undefined, { toTag: 'uas' }).serialize(), rinfo.port, rinfo.address);
  });
  uas.bind(0, HOST);
  await once(uas, 'listening');
  const targets = [{ uri: `sip:bob@${HOST}:${uas.address().port}` }];
  let layer: TransactionLayer | null = null;
  let proxy: ProxyCore | null = null;
  const transport = new SipTransportLayer({
    listen: [{ transport: 'udp', host: HOST, port: 0 }],
    limits: { maxMessageSize: 65535 },
    idleTimeoutMs: 0,
    handler: {
      onMessage(data, source) {
        const r = parseMessage(data);
        if (r.ok) layer!.receive(r.message, source);
      },
    },
  });
  layer = new TransactionLayer({
    timers,
    transport,
    core: {
      onRequest: (_req, _source, tx) => void (tx && proxy!.forward(tx, { targets })),
      onStrayResponse: (res) => void proxy!.forwardResponse(res),
    },
  });
  await transport.start();
  const port = transport.listenerFor('udp')!.boundPort;
  proxy = new ProxyCore({ layer, localAddress: (t) => (t === 'udp' ? { address: HOST, port } : undefined) });
  return {
    proxyPort: port,
    proxy,
    layer,
    stop: async () => {
      layer!.stop();
      await transport.stop();
      await new Promise<void>((r) => uas.close(() => r()));
    },
  };
}

let seq = 0;

async function proxiedOverUdp(setup: ProxySetup): Promise<number> {
  const client = createSocket('udp4');
  client.bind(0, HOST);
  await once(client, 'listening');
  const sentBy = `${HOST}:${client.address().port}`;
  let running = true;
  let completed = 0;
  const send = (): void => {
    client.send(Buffer.from(message(++seq, sentBy), 'latin1'), setup.proxyPort, HOST);
  };
  client.on('message', (data) => {
    // "SIP/2.0 2xx": a final response completes a transaction (no 100 to MESSAGE).
    if (data[8] === 0x32) {
      completed++;
      if (running) send();
    }
  });
  // If the window drained (datagrams dropped under load), refill it.
  let seen = -1;
  const watchdog = setInterval(() => {
    if (running && completed === seen) for (let i = 0; i < WINDOW; i++) send();
    seen = completed;
  }, 200);
  for (let i = 0; i < WINDOW; i++) send();
  await new Promise((r) => setTimeout(r, RUN_MS));
  running = false;
  clearInterval(watchdog);
  await new Promise<void>((r) => client.close(() => r()));
  return completed;
}

async function main(): Promise<void> {
  console.log(`transaction.bench: median of ${RUNS} runs of ${RUN_MS} ms`);
  for (const kind of ['reliable', 'udp', 'udp+parse'] as const) {
    serverTransactions(kind); // warm-up
    const rates = Array.from({ length: RUNS }, () => measure(() => serverTransactions(kind)));
    const label = kind === 'reliable' ? 'reliable, J = 0' : kind === 'udp' ? 'UDP, guard + Timer J' : 'UDP + parseMessage';
    report(`non-INVITE server tx create+respond+terminate (${label})`, rates);
  }
  proxiedInProcess(); // warm-up
  report('MESSAGE proxied statefully, in process (parse incl., UDP timers)', Array.from({ length: RUNS }, () => measure(proxiedInProcess)));
  const setup = await proxySetup();
  try {
    await proxiedOverUdp(setup); // warm-up
    const rates: Rate[] = [];
    for (let i = 0; i < RUNS; i++) rates.push(await measureAsync(() => proxiedOverUdp(setup)));
    report(`MESSAGE proxied statefully over loopback UDP (window ${WINDOW})`, rates);
    const st = setup.proxy.stats();
    const ls = setup.layer.stats();
    console.log(`  proxy: forwarded ${st.forwarded}, relayed ${st.responsesRelayed}; layer: requests re-sent ${ls.requestsResent}, live ${setup.layer.size()}`);
  } finally {
    await setup.stop();
  }
}

await main();
