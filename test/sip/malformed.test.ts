import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMessage } from '@pbx/sip';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';
// The torture expectations pinned by the parser's unit tests: the wire test holds the server to the same list.
import { RFC4475, RFC5118 } from '@pbx/sip/testing';

const FIXTURES = fileURLToPath(new URL('../../../libs/sip/fixtures/', import.meta.url));

/**
 * RFC 4475 §3.1.2 / RFC 5118: an invalid request gets 400 with a reason
 * phrase that says what is wrong when a response can be built, else it is
 * dropped and counted; either way the server keeps answering.
 */
describe('malformed input over the wire', () => {
  let srv: TestServer;
  let token: string;
  before(async () => {
    srv = await startServer({ env: { SIP_LISTEN: 'udp:127.0.0.1:0,tcp:127.0.0.1:0' } });
    token = await srv.login();
  });
  after(() => srv?.destroy());

  /** Sends an OPTIONS and waits for its 200: UDP from one socket is handled in order, so everything before it was handled. */
  async function barrier(c: SipTestClient): Promise<void> {
    const res = await c.call({ method: 'OPTIONS', uri: `sip:127.0.0.1:${c.server.port}` });
    assert.equal(res.status, 200);
  }

  const rejected = [
    ...RFC4475.filter((k) => k.verdict === 'reject').map((k) => ({ ...k, dir: 'rfc4475' })),
    ...RFC5118.filter((k) => k.verdict === 'reject').map((k) => ({ ...k, dir: 'rfc5118' })),
  ];
  for (const k of rejected) {
    test(`${k.dir} ${k.section} ${k.file}: ${k.canRespond ? `400 "${k.reason}"` : 'dropped and counted'}`, async () => {
      const c = await SipTestClient.open('udp', srv.sip('udp'));
      try {
        const before = await dropped();
        const bytes = readFileSync(`${FIXTURES}${k.dir}/${k.file}.sip`);
        c.send(bytes);
        await barrier(c);
        const parsed = parseMessage(bytes);
        assert.equal(parsed.ok, false);
        // Raw status lines: a 400 echoing a request's duplicate From (RFC 4475 §3.3.8) is itself not a valid message.
        const replies = c.received.map((b) => b.toString('latin1').split('\r\n')[0]!).filter((l) => l.startsWith('SIP/2.0 400 '));
        const isRequest = !parsed.ok && (parsed.error.message?.kind ?? 'request') === 'request';
        if (k.canRespond && isRequest && parsed.error.message?.kind === 'request' && (parsed.error.message as { method: string }).method !== 'ACK') {
          assert.equal(replies.length, 1, 'one 400');
          assert.equal(replies[0], `SIP/2.0 400 ${k.reason}`);
        } else {
          assert.equal(replies.length, 0, 'nothing can be answered');
          assert.ok((await dropped()) > before, 'the drop is counted');
        }
      } finally {
        c.close();
      }
    });
  }

  async function dropped(): Promise<number> {
    const s = await srv.api('/api/stats', { token });
    const core = s.body.core ?? s.body.stats?.core;
    return (core.drop_requests ?? 0) + (core.drop_replies ?? 0) + (core.err_requests ?? 0) + (core.bad_msg_hdr ?? 0);
  }

  test('mutation fuzz over UDP and TCP: 20,000 mutated messages, then OPTIONS is still answered', async () => {
    const corpus = [
      ...RFC4475.map((k) => readFileSync(`${FIXTURES}rfc4475/${k.file}.sip`)),
      readFileSync(`${FIXTURES}sample-register.sip`),
    ];
    let seed = 0x2545f491;
    const rnd = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const udp = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      for (let i = 0; i < 20_000; i++) {
        const base = corpus[rnd(corpus.length)]!;
        const m = Buffer.from(base);
        for (let j = 0, n = 1 + rnd(8); j < n; j++) {
          const at = rnd(m.length);
          const op = rnd(4);
          if (op === 0) m[at] = rnd(256);
          else if (op === 1) m[at] = [0x0d, 0x0a, 0x3a, 0x3b, 0x2c, 0x3c, 0x3e, 0x22, 0x20][rnd(9)]!;
          else if (op === 2) m.copyWithin(at, rnd(m.length));
          else m.fill(0x30 + rnd(10), at, Math.min(m.length, at + rnd(6)));
        }
        udp.send(m.subarray(0, 1 + rnd(m.length)));
        if (i % 500 === 499) await barrier(udp); // bounded in-flight, so the socket buffer never overflows
      }
      await barrier(udp);
    } finally {
      udp.close();
    }
    // A stream connection fed garbage is closed, not the server: a new one still works.
    const tcp = await SipTestClient.open('tcp', srv.sip('tcp'));
    tcp.send(Buffer.from('INVITE sip:x SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n'));
    tcp.close();
    const again = await SipTestClient.open('tcp', srv.sip('tcp'));
    try {
      const res = await again.call({ method: 'OPTIONS', uri: `sip:127.0.0.1:${again.server.port}` });
      assert.equal(res.status, 200);
    } finally {
      again.close();
    }
    assert.equal(srv.proc.exitCode, null, 'the server is still running');
  });
});
