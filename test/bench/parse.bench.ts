/**
 * SIP parser throughput on one core (RFC 3261 message model in libs/sip/src/message).
 * Run: npx tsc -b test && node test/dist/bench/parse.bench.js [msPerRun]
 *
 * Each figure is the median of 5 runs of ~1 s (after a warm-up), in messages
 * per second. The naive-split and JSON.parse baselines of
 * shared/kamailio-reference/tools/parse_bench.mjs are measured in the same
 * process so the ratios hold on any machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createResponse, parseMessage, type SipRequest, type SipUri } from '@pbx/sip';

const ms = Number(process.argv[2] ?? 1000);
// The reference message (shared/kamailio-reference); libs/sip/fixtures holds a byte-identical copy.
const shared = new URL('../../../../shared/kamailio-reference/sample-register.sip', import.meta.url);
const REGISTER = readFileSync(existsSync(shared) ? shared : new URL('../../../libs/sip/fixtures/sample-register.sip', import.meta.url));

const sdp = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.101',
  's=-',
  'c=IN IP4 192.0.2.101',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 97 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:97 iLBC/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');
const INVITE = Buffer.from(
  [
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    'Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport',
    'Max-Forwards: 70',
    'To: Bob <sip:bob@biloxi.example.com>',
    'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
    'CSeq: 314159 INVITE',
    'Contact: <sip:alice@192.0.2.101:5060;transport=udp;ob>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"',
    'Route: <sip:proxy.atlanta.example.com;lr>',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, REFER, UPDATE',
    'Supported: replaces, timer, outbound, path, gruu',
    'User-Agent: PBX-lite-bench/1.0',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n'),
  'latin1',
);

// --- baselines, as in shared/kamailio-reference/tools/parse_bench.mjs ---
const registerText = REGISTER.toString('latin1');
type Split = { method: string; uri: string; version: string; headers: Record<string, string | string[]>; body: string };
function splitParse(text: string): Split {
  const he = text.indexOf('\r\n\r\n');
  const head = he < 0 ? text : text.slice(0, he);
  const lines = head.split('\r\n');
  const sl = lines[0]!.split(' ');
  const headers: Record<string, string | string[]> = {};
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const c = l.indexOf(':');
    if (c <= 0) continue;
    const name = l.slice(0, c).trim().toLowerCase();
    const val = l.slice(c + 1).trim();
    const prev = headers[name];
    if (prev === undefined) headers[name] = val;
    else if (Array.isArray(prev)) prev.push(val);
    else headers[name] = [prev, val];
  }
  const cl = +((headers['content-length'] as string) || 0);
  const body = he < 0 ? '' : text.slice(he + 4, he + 4 + cl);
  return { method: sl[0]!, uri: sl[1]!, version: sl[2]!, headers, body };
}
const json = JSON.stringify(splitParse(registerText));

function bench(fn: () => number): number {
  let sink = 0;
  const warm = performance.now();
  while (performance.now() - warm < Math.min(300, ms)) for (let k = 0; k < 1000; k++) sink += fn();
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let k = 0; k < 1000; k++) sink += fn();
      n += 1000;
      t = performance.now();
    }
    rates.push(n / ((t - t0) / 1000));
  }
  if (sink === 0) throw new Error('benchmark produced nothing');
  rates.sort((a, b) => a - b);
  return Math.round(rates[2]!);
}

function typedAccess(buf: Buffer): number {
  const r = parseMessage(buf);
  if (!r.ok) throw new Error(r.error.reason);
  // What a registrar/proxy reads: top Via branch, From tag, To URI (AoR), Call-ID, CSeq, first Contact URI.
  const m = r.message;
  const to = m.to().uri as SipUri;
  const contact = m.contacts()[0]!.uri as SipUri;
  return m.topVia()!.branch!.length + m.from().tag!.length + to.host.length + m.callId().length + m.cseq().seq + contact.host.length + (contact.port ?? 0);
}

const results: Record<string, number> = {
  'json-parse baseline (REGISTER as JSON)': bench(() => (JSON.parse(json) as Split).method.length),
  'naive-split baseline (REGISTER, from Buffer)': bench(() => splitParse(REGISTER.toString('latin1')).method.length),
  'parse REGISTER + typed Via/From/To/Call-ID/CSeq/Contact': bench(() => typedAccess(REGISTER)),
  [`parse INVITE (${INVITE.length} B, SDP) + typed access`]: bench(() => typedAccess(INVITE)),
  'parse REGISTER + build and serialize 200 OK': bench(() => {
    const r = parseMessage(REGISTER);
    if (!r.ok) throw new Error(r.error.reason);
    return createResponse(r.message as SipRequest, 200, undefined, { toTag: 'a6c85cf' }).serialize().length;
  }),
};

// Each figure also as a ratio to the naive split measured in this process, which
// holds on any machine. The targets, on the machine where the naive split
// does ~500,000/s: parse + typed access ≥ 500,000/s (≥ 1.0 × split), parse + 200 OK
// ≥ 200,000/s (≥ 0.4 × split).
const split = results['naive-split baseline (REGISTER, from Buffer)']!;
const width = Math.max(...Object.keys(results).map((k) => k.length));
console.log(`SIP parser benchmark — node ${process.version}, median of 5 × ${ms} ms, msgs/s (REGISTER ${REGISTER.length} B), × naive split`);
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(width)}  ${v.toLocaleString('en-US').padStart(10)}  ${(v / split).toFixed(2).padStart(5)}`);
const typedRatio = results['parse REGISTER + typed Via/From/To/Call-ID/CSeq/Contact']! / split;
const replyRatio = results['parse REGISTER + build and serialize 200 OK']! / split;
console.log(`ratio parse+typed REGISTER / naive split: ${typedRatio.toFixed(2)} (target ≥ 1.00)`);
console.log(`ratio parse+200 OK REGISTER / naive split: ${replyRatio.toFixed(2)} (target ≥ 0.40)`);
console.log(JSON.stringify(results));
