/**
 * SCA NOTIFY fan-out: a group of GROUP call-info subscribers to one shared
 * AoR (each its own UDP socket in this process, answering every NOTIFY 200
 * at once), on the real appliance (no digest, PGlite).
 *
 * - Latency: an appearance changes state (sca.update_appearance through
 *   POST /api/sca/appearances/update, alternating active/held), timed from
 *   the request leaving this process to the last of the GROUP NOTIFYs
 *   showing the new state arriving. ROUNDS rounds, one at a time.
 * - Sustained: BURST state changes sent back to back; NOTIFYs received per
 *   second from the first change to the last NOTIFY (every NOTIFY answered,
 *   so each one is a full non-INVITE client transaction on the server).
 *
 * Everything shares the two cores with whatever else runs (the load
 * average is printed). Figures are printed, never asserted; the last line
 * is one JSON object.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createResponse, parseMessage, type SipRequest } from '@pbx/sip';
import { startServer } from '../support/index.js';
import { loadAverage } from './support/bench-report.js';
import { percentile } from './support/percentile.js';

const GROUP = 50;
const ROUNDS = 30;
const BURST = 100;
const AOR = 'sip:shared@example.com';

interface Member {
  sock: Socket;
  port: number;
  onNotify?: (state: string) => void;
}

function stateOf(req: SipRequest): string | undefined {
  for (const ci of req.callInfo()) if (ci.params.get('appearance-index') === '1') return ci.params.get('appearance-state') ?? undefined;
  return undefined;
}

async function main(): Promise<void> {
  const srv = await startServer({ env: { SIP_AUTH: 'off', SIP_DOMAINS: 'example.com' } });
  const sip = srv.sip('udp');
  let received = 0;
  const members: Member[] = [];
  try {
    for (let i = 0; i < GROUP; i++) {
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const m: Member = { sock, port: sock.address().port };
      sock.on('message', (d, rinfo) => {
        const p = parseMessage(Buffer.from(d));
        if (!p.ok || p.message.kind !== 'request' || p.message.method !== 'NOTIFY') return;
        const req = p.message;
        sock.send(createResponse(req, 200, 'OK', { toTag: 'm' }).serialize(), rinfo.port, rinfo.address);
        received++;
        const s = stateOf(req);
        if (s) m.onNotify?.(s);
      });
      members.push(m);
    }
    // Subscribe every member and wait for its first NOTIFY.
    await Promise.all(
      members.map(
        (m, i) =>
          new Promise<void>((resolve) => {
            const first = (): void => resolve();
            m.sock.once('message', first);
            const text = [
              `SUBSCRIBE ${AOR} SIP/2.0`,
              `Via: SIP/2.0/UDP 127.0.0.1:${m.port};branch=z9hG4bKbench${i};rport`,
              'Max-Forwards: 70',
              `From: <${AOR}>;tag=b${i}`,
              `To: <${AOR}>`,
              `Call-ID: bench-${i}`,
              'CSeq: 1 SUBSCRIBE',
              'Event: call-info',
              'Expires: 3600',
              `Contact: <sip:shared@127.0.0.1:${m.port}>`,
              'Content-Length: 0',
              '',
              '',
            ].join('\r\n');
            m.sock.send(text, sip.port, sip.address);
          }),
      ),
    );
    const token = await srv.login();
    await srv.api('/api/sca/appearances/seize', { method: 'POST', token, body: { aor: AOR, contact: 'sip:desk@127.0.0.1' } });

    const change = (state: string) => srv.api('/api/sca/appearances/update', { method: 'POST', token, body: { aor: AOR, index: 1, state } });
    const allSee = (state: string, n: number): Promise<void> =>
      new Promise((resolve) => {
        let left = GROUP * n;
        for (const m of members)
          m.onNotify = (s) => {
            if (s === state && --left === 0) resolve();
          };
      });

    const lat: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const state = r % 2 === 0 ? 'active' : 'held';
      const done = allSee(state, 1);
      const t0 = process.hrtime.bigint();
      void change(state);
      await done;
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }

    const before = received;
    const done = allSee('ringing', 1);
    const t0 = process.hrtime.bigint();
    // BURST changes; the last one (ringing) marks the end.
    for (let b = 0; b < BURST - 1; b++) void change(b % 2 === 0 ? 'active' : 'held');
    void change('ringing');
    await done;
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const notifies = received - before;
    const rate = notifies / secs;

    const p = (x: number) => Number(percentile(lat, x).toFixed(2));
    console.log(`SCA NOTIFY fan-out, ${GROUP} call-info subscribers, load average ${loadAverage().join(' ')}`);
    console.log(`  state change → last NOTIFY received: p50 ${p(50)} ms, p95 ${p(95)} ms, max ${p(100)} ms (${ROUNDS} rounds, via POST /api/sca/appearances/update)`);
    console.log(`  sustained: ${BURST} changes → ${notifies} NOTIFYs in ${secs.toFixed(2)} s = ${Math.round(rate)} NOTIFYs/s (each answered 200)`);
    console.log(JSON.stringify({ bench: 'sca-notify', group: GROUP, latencyMs: { p50: p(50), p95: p(95), max: p(100) }, notifiesPerSecond: Math.round(rate), load: loadAverage() }));
  } finally {
    for (const m of members) m.sock.close();
    await srv.destroy();
  }
}

await main();
