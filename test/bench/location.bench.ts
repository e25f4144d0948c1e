/**
 * The location service at scale (issue: ≤ 1.5 KiB of heap per binding at
 * 1,000,000 bindings, lookup of one AoR among them ≤ 2 µs), in-process:
 * the registrar library as the server runs it in usrloc `db_mode` 0
 * (Registrar + Location over a MemoryLocationStore, the system clock, the
 * statistics registry, the expiry timer), fed real REGISTERs.
 *
 * - Fill: BINDINGS REGISTERs, one AoR each, as a phone behind NAT sends
 *   them through an edge proxy: a Contact with a private address (so the
 *   source is stored as `received`), a Path (`registrar.use_path` 1), a
 *   User-Agent and an Allow. Each is parsed from its bytes (as off the
 *   wire) and saved with `processNow`, as the SIP server does.
 * - Memory: V8 heap used after a full collection, before and after the
 *   fill, over BINDINGS (the messages are gone by then: what stays is the
 *   bindings and their indexes). RSS growth per binding beside it.
 * - Lookup: `lookupLocal` of random AoRs among them, for an INVITE, with
 *   the Request-URI already parsed (as the proxy has it): the LOCATION
 *   block's whole lookup, targets built. Median of LOOKUP_RUNS runs; also
 *   with the Request-URI as a string (parsed inside each lookup).
 *
 * Run: npx tsc -p test && node test/dist/bench/location.bench.js [bindings=1000000]
 * Figures are printed, never asserted; the last line is one JSON object.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance } from 'node:perf_hooks';
import { StatsRegistry, systemClock } from '@pbx/core';
import { parseMessage, parseUriOrThrow, type Peer, type SipRequest, type SipUri } from '@pbx/sip';
import { Location, MemoryLocationStore, Registrar, nodeTimers, registrarConfigSchema, usrlocConfigSchema } from '@pbx/registrar';

const BINDINGS = Number(process.argv[2] ?? 1_000_000);
const LOOKUPS = 200_000;
const LOOKUP_RUNS = 5;
const DOMAIN = 'pbx.example.com';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function fullGc(): void {
  // Twice: the first collection's finalizers can free more for the second.
  gc();
  gc();
}

const user = (i: number) => `u${i}`;

/** A desk phone's REGISTER behind NAT, through an edge proxy that adds Path. */
function register(i: number): Buffer {
  const u = user(i);
  const lan = `192.168.${(i >> 8) & 255}.${i & 255}`;
  return Buffer.from(
    `REGISTER sip:${DOMAIN} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-edge-${i}\r\n` +
      `Via: SIP/2.0/UDP ${lan}:5060;received=203.0.113.${i % 250};rport=${1024 + (i % 60000)};branch=z9hG4bK-${i}\r\n` +
      'Max-Forwards: 69\r\n' +
      `From: <sip:${u}@${DOMAIN}>;tag=${(i * 2654435761) >>> 0}\r\n` +
      `To: <sip:${u}@${DOMAIN}>\r\n` +
      `Call-ID: ${(i * 40503) >>> 0}-${i}@${lan}\r\n` +
      'CSeq: 1 REGISTER\r\n' +
      `Contact: <sip:${u}@${lan}:5060;transport=udp>\r\n` +
      'Path: <sip:198.51.100.7;lr>\r\n' +
      'Supported: path\r\n' +
      'Expires: 3600\r\n' +
      'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REFER, MESSAGE, UPDATE\r\n' +
      'User-Agent: Yealink SIP-T46S 66.86.0.15\r\n' +
      'Content-Length: 0\r\n\r\n',
    'latin1',
  );
}

/** The edge proxy's hop: where every REGISTER comes from. */
const EDGE: Peer = { transport: 'udp', address: '198.51.100.7', port: 5060, connectionId: 0, localAddress: '127.0.0.1', localPort: 5060 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const stats = new StatsRegistry();
  const location = new Location({
    config: usrlocConfigSchema.parse({ db_mode: 0 }),
    clock: systemClock,
    store: new MemoryLocationStore(),
    stats,
    timers: nodeTimers,
  });
  await location.start();
  const registrar = new Registrar({
    config: registrarConfigSchema.parse({ use_path: 1, max_expires: 7200 }),
    location,
    clock: systemClock,
    stats,
  });

  fullGc();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let rejected = 0;
  for (let i = 1; i <= BINDINGS; i++) {
    const parsed = parseMessage(register(i));
    if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(`REGISTER ${i} did not parse`);
    const r = registrar.processNow(parsed.message as SipRequest, EDGE);
    const res = r instanceof Promise ? await r : r;
    if (res.status !== 200) rejected++;
  }
  const fillSec = (performance.now() - t0) / 1000;
  fullGc();
  const heap1 = process.memoryUsage().heapUsed;
  const rss1 = process.memoryUsage().rss;
  const contacts = location.contacts;
  const sample = location.peek(user(BINDINGS));
  console.log(
    `fill: ${fmt(BINDINGS)} REGISTERs in ${fillSec.toFixed(1)} s (${fmt(BINDINGS / fillSec)}/s), ${rejected} not 200; ${fmt(contacts)} bindings`,
  );
  if (sample[0]) console.log(`  e.g. contact ${sample[0].contact}, received ${sample[0].received}, path ${sample[0].path}, user agent "${sample[0].userAgent}"`);

  const heapPerBinding = (heap1 - heap0) / contacts;
  const rssPerBinding = (rss1 - rss0) / contacts;
  console.log(`memory: V8 heap ${fmt(heap0)} → ${fmt(heap1)} bytes after a full GC: ${fmt(heapPerBinding)} bytes per binding (RSS ${fmt(rssPerBinding)})`);

  // Random AoRs among the registered ones, fixed before timing (xorshift, seeded).
  let seed = 0x9e3779b9;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const PICKS = 65_536;
  const uris: SipUri[] = [];
  const texts: string[] = [];
  const keys: string[] = [];
  for (let k = 0; k < PICKS; k++) {
    const u = user(1 + Math.floor(rand() * BINDINGS));
    const text = `sip:${u}@${DOMAIN}`;
    keys.push(`${u}\0`.slice(0, -1)); // a string of its own, as a key made per request is
    texts.push(text);
    uris.push(parseUriOrThrow(text) as SipUri);
  }
  const opts = { method: 'INVITE' };
  const time = (lookupOne: (k: number) => boolean): { usPerLookup: number; runsUs: number[] } => {
    const runsUs: number[] = [];
    for (let run = -1; run < LOOKUP_RUNS; run++) {
      let found = 0;
      const start = performance.now();
      for (let n = 0; n < LOOKUPS; n++) if (lookupOne(n & (PICKS - 1))) found++;
      const us = ((performance.now() - start) * 1000) / LOOKUPS;
      if (found !== LOOKUPS) throw new Error(`${LOOKUPS - found} lookups found nothing`);
      if (run >= 0) runsUs.push(Number(us.toFixed(3))); // run -1 warms the JIT up
    }
    return { usPerLookup: median(runsUs), runsUs };
  };
  const parsedUri = time((k) => registrar.lookupLocal(uris[k]!, opts).ok);
  const stringUri = time((k) => registrar.lookupLocal(texts[k]!, opts).ok);
  const storeOnly = time((k) => location.peek(keys[k]!).length > 0);
  console.log(`lookup of one AoR among ${fmt(contacts)} (INVITE, targets built), median of ${LOOKUP_RUNS} runs of ${fmt(LOOKUPS)}:`);
  console.log(`  Request-URI parsed (as the proxy has it): ${parsedUri.usPerLookup} µs (runs ${parsedUri.runsUs.join(', ')})`);
  console.log(`  Request-URI as a string (parsed each time): ${stringUri.usPerLookup} µs (runs ${stringUri.runsUs.join(', ')})`);
  console.log(`  (the table alone: Location.peek by AoR key, no targets: ${storeOnly.usPerLookup} µs, runs ${storeOnly.runsUs.join(', ')})`);

  await location.stop();
  console.log(
    JSON.stringify({
      bench: 'location',
      bindings: contacts,
      fillPerSec: Math.round(BINDINGS / fillSec),
      heapBytesPerBinding: Math.round(heapPerBinding),
      rssBytesPerBinding: Math.round(rssPerBinding),
      lookupUs: parsedUri.usPerLookup,
      lookupWithParseUs: stringUri.usPerLookup,
      peekUs: storeOnly.usPerLookup,
    }),
  );
}

await main();
