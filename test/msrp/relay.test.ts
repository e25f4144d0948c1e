import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { startServer, type TestServer } from '../support/server.js';
import { MsrpTestClient, tid, type Frame } from './msrp-client.js';

const DOMAIN = 'example.com';
const USERS = [
  { username: 'alice', password: 'alice-secret-1' },
  { username: 'bob', password: 'bob-secret-1' },
];

function msrpPort(srv: TestServer, transport: string): number {
  const l = srv.listeners.find((x) => x.protocol === 'msrp' && x.transport === transport);
  if (!l) throw new Error(`no msrp ${transport} listener`);
  return l.port;
}

async function withSubscribers(srv: TestServer): Promise<string> {
  const token = await srv.login();
  for (const u of USERS) {
    const r = await srv.api('/api/subscribers', { method: 'POST', token, body: { ...u, domain: DOMAIN } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  return token;
}

/** Two logged-in clients on `srv` and their Use-Paths. */
async function pair(srv: TestServer, ta: 'tcp' | 'tls' | 'ws' = 'tcp', tb: 'tcp' | 'tls' | 'ws' = 'tcp') {
  const a = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, ta), transport: ta });
  const b = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, tb), transport: tb });
  const useA = await a.login('alice', 'alice-secret-1');
  const useB = await b.login('bob', 'bob-secret-1');
  return { a, b, useA, useB };
}

describe('MSRP relay over TCP, TLS and WebSocket (RFC 4975, RFC 4976, RFC 7977)', () => {
  let srv: TestServer;
  let token: string;
  before(async () => {
    srv = await startServer({ env: { SIP_DOMAINS: DOMAIN, MSRP_LISTEN: 'tcp:127.0.0.1:0,tls:127.0.0.1:0,ws:127.0.0.1:0' } });
    token = await withSubscribers(srv);
  });
  after(async () => {
    await srv?.destroy();
  });

  it('RFC 4976 §5: AUTH is challenged 401, then 200 with Use-Path (fresh session id, ;tcp) and Expires', async () => {
    const c = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, 'tcp') });
    const first = await c.response(c.authRequest());
    assert.equal(first.head.status, 401);
    assert.match(first.head.get('WWW-Authenticate')!, /^Digest realm="example.com"/);
    assert.equal(first.head.toPath[0], c.uri);
    const ok = await c.auth('alice', 'alice-secret-1');
    assert.equal(ok.head.status, 200);
    const use = ok.head.get('Use-Path')!;
    assert.match(use, new RegExp(`^msrp://127\\.0\\.0\\.1:${msrpPort(srv, 'tcp')}/[A-Za-z0-9_-]{20};tcp$`));
    assert.equal(ok.head.get('Expires'), '3600');
    const list = await srv.api('/api/msrp/sessions', { token });
    const s = list.body.find((x: { uri: string }) => x.uri === use);
    assert.equal(s.user, 'alice');
    assert.equal(s.transport, 'tcp');
    c.close();
  });

  it('RFC 4976 §5: a wrong password is challenged again, never given a session', async () => {
    const c = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, 'tcp') });
    const r = await c.auth('alice', 'wrong-password');
    assert.equal(r.head.status, 401);
    c.close();
  });

  it('auth_min_expires / auth_max_expires: 423 with Min-Expires or Max-Expires', async () => {
    const c = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, 'tcp') });
    const low = await c.auth('alice', 'alice-secret-1', ['Expires: 10']);
    assert.equal(low.head.status, 423);
    assert.equal(low.head.get('Min-Expires'), '60');
    const high = await c.auth('alice', 'alice-secret-1', ['Expires: 7200']);
    assert.equal(high.head.status, 423);
    assert.equal(high.head.get('Max-Expires'), '3600');
    const ok = await c.auth('alice', 'alice-secret-1', ['Expires: 120']);
    assert.equal(ok.head.status, 200);
    assert.equal(ok.head.get('Expires'), '120');
    c.close();
  });

  it('RFC 4976 §7.1: SEND is answered 200 hop by hop and relayed with the relay moved from To-Path to From-Path', async () => {
    const { a, b, useA, useB } = await pair(srv);
    const t = a.send([useB, b.uri], 'Hello Bob');
    const ok = await a.response(t);
    assert.equal(ok.head.status, 200);
    const got = await b.next((f) => f.head.method === 'SEND');
    assert.deepEqual(got.head.toPath, [b.uri]);
    assert.deepEqual(got.head.fromPath, [useB, a.uri]);
    assert.equal(got.body.toString(), 'Hello Bob');
    assert.equal(got.head.tid, t);
    b.respond(got, 200, 'OK');
    // And back: Bob to Alice through Alice's session.
    b.send([useA, a.uri], 'Hi Alice');
    const back = await a.next((f) => f.head.method === 'SEND');
    assert.equal(back.body.toString(), 'Hi Alice');
    assert.deepEqual(back.head.fromPath, [useA, b.uri]);
    a.close();
    b.close();
  });

  it('RFC 4975 §7.1.2: a failure from the next hop comes back as a REPORT with Status 000 <code>', async () => {
    const { a, b, useB } = await pair(srv);
    const t = a.send([useB, b.uri], 'refuse me', { messageId: 'fail-1' });
    const got = await b.next((f) => f.head.tid === t);
    b.respond(got, 415, 'Unsupported Media Type');
    const rep = await a.next((f) => f.head.method === 'REPORT');
    assert.equal(rep.head.get('Status'), '000 415 Unsupported Media Type');
    assert.equal(rep.head.get('Message-ID'), 'fail-1');
    assert.deepEqual(rep.head.toPath, [a.uri]);
    a.close();
    b.close();
  });

  it('RFC 4975 §7.1: a 1 MiB message in 64 KiB chunks arrives whole and in order', async () => {
    const { a, b, useB } = await pair(srv);
    const msg = randomBytes(1 << 20);
    const chunk = 64 * 1024;
    for (let off = 0; off < msg.length; off += chunk) {
      const end = Math.min(msg.length, off + chunk);
      a.send([useB, b.uri], msg.subarray(off, end), { messageId: 'big', byteRange: `${off + 1}-${end}/${msg.length}`, flag: end === msg.length ? '$' : '+', failureReport: 'no' });
    }
    const parts: Buffer[] = [];
    for (let i = 0; i < msg.length / chunk; i++) {
      const f = await b.next((x) => x.head.method === 'SEND');
      assert.equal(f.head.get('Byte-Range'), `${i * chunk + 1}-${(i + 1) * chunk}/${msg.length}`);
      assert.equal(f.flag, i === msg.length / chunk - 1 ? '$' : '+');
      parts.push(f.body);
    }
    const sha = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    assert.equal(sha(Buffer.concat(parts)), sha(msg));
    a.close();
    b.close();
  });

  it('frames split across reads and merged within one read are relayed exactly', async () => {
    const { a, b, useB } = await pair(srv);
    const frames = [0, 1, 2, 3].map((i) => MsrpTestClient.sendFrame(tid(), [useB, b.uri], [a.uri], `message ${i}`, { failureReport: 'no' }));
    // Two merged into one write, then two written a few bytes at a time.
    a.write(Buffer.concat([frames[0]!, frames[1]!]));
    const rest = Buffer.concat([frames[2]!, frames[3]!]);
    for (let i = 0; i < rest.length; i += 7) {
      a.write(rest.subarray(i, i + 7));
      await new Promise((r) => setImmediate(r));
    }
    for (let i = 0; i < 4; i++) {
      const f = await b.next((x) => x.head.method === 'SEND');
      assert.equal(f.body.toString(), `message ${i}`);
    }
    a.close();
    b.close();
  });

  it('481 for an unknown session, 501 for an unknown method, 400 for a frame without From-Path', async () => {
    const c = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, 'tcp') });
    const t1 = c.send([`msrp://127.0.0.1:${msrpPort(srv, 'tcp')}/nosuchsession;tcp`, 'msrp://127.0.0.1:9/x;tcp'], 'x');
    assert.equal((await c.response(t1)).head.status, 481);
    const t2 = tid();
    c.write(`MSRP ${t2} FROB\r\nTo-Path: ${c.relayUri}\r\nFrom-Path: ${c.uri}\r\n-------${t2}$\r\n`);
    assert.equal((await c.response(t2)).head.status, 501);
    const t3 = tid();
    c.write(`MSRP ${t3} SEND\r\nTo-Path: ${c.relayUri}\r\nBogus\r\n-------${t3}$\r\n`);
    const bad = await c.response(t3);
    assert.equal(bad.head.status, 400);
    c.close();
  });

  it('garbage closes that connection, and a new AUTH still succeeds (the process never crashes)', async () => {
    const g = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, 'tcp') });
    g.write(randomBytes(4096));
    await g.waitClosed();
    const g2 = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, 'tcp') });
    g2.write('MSRP abcd1 SEND\r\nTo-Path: x\r\n' + 'X-Long: ' + 'y'.repeat(20_000));
    await g2.waitClosed();
    const c = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, 'tcp') });
    assert.equal((await c.auth('alice', 'alice-secret-1')).head.status, 200);
    c.close();
  });

  it('TLS: Use-Path is msrps for the TLS client and msrp for the TCP one, and they chat', async () => {
    const { a, b, useA, useB } = await pair(srv, 'tls', 'tcp');
    assert.match(useA, /^msrps:\/\/127\.0\.0\.1:\d+\/[\w-]+;tcp$/);
    assert.match(useB, /^msrp:\/\//);
    a.send([useB, b.uri], 'over tls');
    assert.equal((await b.next((f) => f.head.method === 'SEND')).body.toString(), 'over tls');
    b.send([useA, a.uri], 'back over tls');
    assert.equal((await a.next((f) => f.head.method === 'SEND')).body.toString(), 'back over tls');
    const s = (await srv.api('/api/msrp/sessions', { token })).body.find((x: { uri: string }) => x.uri === useA);
    assert.equal(s.transport, 'tls');
    a.close();
    b.close();
  });

  it('RFC 7977: a WebSocket client (subprotocol msrp) gets a ;ws Use-Path and chats with a TCP client', async () => {
    // RFC 7977 §4.1: without the msrp subprotocol the handshake is refused.
    const plain = new WebSocket(`ws://127.0.0.1:${msrpPort(srv, 'ws')}/`, 'sip');
    const refused = await new Promise<string>((resolve) => {
      plain.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      plain.once('open', () => resolve('open'));
      plain.once('error', (e) => resolve(e.message));
    });
    plain.terminate();
    assert.equal(refused, '400');
    const { a, b, useA, useB } = await pair(srv, 'ws', 'tcp');
    assert.match(useA, /^msrp:\/\/127\.0\.0\.1:\d+\/[\w-]+;ws$/);
    a.send([useB, b.uri], 'from the browser');
    assert.equal((await b.next((f) => f.head.method === 'SEND')).body.toString(), 'from the browser');
    b.send([useA, a.uri], 'to the browser');
    assert.equal((await a.next((f) => f.head.method === 'SEND')).body.toString(), 'to the browser');
    a.close();
    b.close();
  });

  it('DELETE /api/msrp/sessions/:id drops the client; stats are on /api/stats and /metrics', async () => {
    const { a, b, useA } = await pair(srv);
    assert.equal((await srv.api('/api/msrp/sessions', { token: null })).status, 401);
    const list = (await srv.api('/api/msrp/sessions', { token })).body as Array<{ id: string; uri: string }>;
    const s = list.find((x) => x.uri === useA)!;
    assert.equal((await srv.api(`/api/msrp/sessions/${s.id}`, { method: 'DELETE', token })).status, 204);
    await a.waitClosed();
    assert.equal((await srv.api(`/api/msrp/sessions/${s.id}`, { method: 'DELETE', token })).status, 404);
    const stats = (await srv.api('/api/stats', { token })).body;
    const msrp = stats.msrp ?? stats.modules?.msrp ?? JSON.stringify(stats);
    assert.ok(JSON.stringify(msrp).includes('auth_sessions'), JSON.stringify(stats).slice(0, 400));
    const metrics = await fetch(srv.httpUrl + '/metrics', { headers: { authorization: `Bearer ${token}` } });
    assert.match(await metrics.text(), /pbx_msrp_relayed_frames/);
    b.close();
  });

  it('socket.io: msrp.session.opened, msrp.traffic and msrp.session.closed reach the dashboard', async () => {
    const socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const within = <T>(p: Promise<T>, what: string) =>
        Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000))]);
      const opened = new Promise<{ id: string; user: string; uri: string }>((resolve) => socket.on('msrp.session.opened', resolve));
      const { a, b, useA, useB } = await pair(srv);
      const ev = await within(opened, 'msrp.session.opened');
      assert.ok([useA, useB].includes(ev.uri));
      a.send([useB, b.uri], 'counted', { failureReport: 'no' });
      await b.next((f) => f.head.method === 'SEND');
      const idB = useB.split('/').pop()!.split(';')[0]!;
      const traffic = await within(
        new Promise<{ sessions: Array<{ id: string; framesOut: number }> }>((resolve) =>
          socket.on('msrp.traffic', (t: { sessions: Array<{ id: string; framesOut: number }> }) => {
            if (t.sessions.some((s) => s.id === idB && s.framesOut >= 1)) resolve(t);
          }),
        ),
        'msrp.traffic',
      );
      assert.ok(traffic.sessions.length >= 2);
      const closed = new Promise<{ id: string; reason: string }>((resolve) =>
        socket.on('msrp.session.closed', (e: { id: string; reason: string }) => e.id === idB && resolve(e)),
      );
      b.close();
      assert.equal((await within(closed, 'msrp.session.closed')).reason, 'closed');
      a.close();
    } finally {
      socket.close();
    }
  });

  it('stress: 2,000 concurrent sessions doing AUTH/SEND/close cycles in parallel, every frame reaches the right peer', async () => {
    const port = msrpPort(srv, 'tcp');
    const PAIRS = 1_000;
    const CYCLES = 2;
    const MSGS = 5;
    let delivered = 0;
    const cycle = async (i: number, c: number) => {
      const a = await MsrpTestClient.connect({ host: '127.0.0.1', port });
      const b = await MsrpTestClient.connect({ host: '127.0.0.1', port });
      const useB = await b.login('bob', 'bob-secret-1');
      await a.login('alice', 'alice-secret-1');
      for (let m = 0; m < MSGS; m++) a.send([useB, b.uri], `pair ${i} cycle ${c} msg ${m}`, { failureReport: 'no' });
      for (let m = 0; m < MSGS; m++) {
        const f = await b.next((x) => x.head.method === 'SEND', 60_000);
        assert.equal(f.body.toString(), `pair ${i} cycle ${c} msg ${m}`);
        assert.deepEqual(f.head.toPath, [b.uri]);
        assert.deepEqual(f.head.fromPath, [useB, a.uri]);
        delivered++;
      }
      a.close();
      b.close();
      await b.waitClosed();
    };
    const one = async (i: number) => {
      for (let c = 0; c < CYCLES; c++) await cycle(i, c);
    };
    await Promise.all(Array.from({ length: PAIRS }, (_, i) => one(i)));
    assert.equal(delivered, PAIRS * CYCLES * MSGS);
    // Every closed connection took its session out of the map.
    const deadline = Date.now() + 10_000;
    let left = -1;
    while (Date.now() < deadline) {
      const list = (await srv.api('/api/msrp/sessions', { token })).body as Array<{ id: string }>;
      left = list.length;
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(left, 0);
  });
});

describe('MSRP relay chain: client → relay 1 → relay 2 → client (RFC 4976 §7.1, two appliances)', () => {
  let r1: TestServer;
  let r2: TestServer;
  before(async () => {
    // One after the other: two cold starts at once on a busy 2-core machine can exceed the ready timeout.
    r1 = await startServer({ env: { SIP_DOMAINS: DOMAIN } });
    r2 = await startServer({ env: { SIP_DOMAINS: DOMAIN } });
    await Promise.all([withSubscribers(r1), withSubscribers(r2)]);
  });
  after(async () => {
    await Promise.all([r1?.destroy(), r2?.destroy()]);
  });

  it('a SEND crosses both relays and back, each relay prepending itself to From-Path', async () => {
    const a = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(r1, 'tcp') });
    const b = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(r2, 'tcp') });
    const useA = await a.login('alice', 'alice-secret-1');
    const useB = await b.login('bob', 'bob-secret-1');
    const t = a.send([useA, useB, b.uri], 'through two relays');
    assert.equal((await a.response(t)).head.status, 200);
    const got: Frame = await b.next((f) => f.head.method === 'SEND');
    assert.equal(got.body.toString(), 'through two relays');
    assert.deepEqual(got.head.fromPath, [useB, useA, a.uri]);
    b.respond(got, 200, 'OK');
    b.send([useB, useA, a.uri], 'and back');
    const back = await a.next((f) => f.head.method === 'SEND');
    assert.equal(back.body.toString(), 'and back');
    assert.deepEqual(back.head.fromPath, [useA, useB, b.uri]);
    a.close();
    b.close();
  });

  it('RFC 4976 §5.2: an AUTH for relay 2 sent through relay 1 is challenged and answered back along the path', async () => {
    const a = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(r1, 'tcp') });
    const useA = await a.login('alice', 'alice-secret-1');
    const r2uri = `msrp://127.0.0.1:${msrpPort(r2, 'tcp')};tcp`;
    const res = await a.auth('alice', 'alice-secret-1', [], `${useA} ${r2uri}`);
    assert.equal(res.head.status, 200);
    assert.deepEqual(res.head.toPath, [a.uri]);
    assert.match(res.head.get('Use-Path')!, new RegExp(`^msrp://127\\.0\\.0\\.1:${msrpPort(r2, 'tcp')}/[\\w-]+;tcp$`));
    a.close();
  });
});

describe('MSRP relay on IPv6 loopback', () => {
  it('Use-Path carries the bracketed IPv6 address and a chat works', async (t) => {
    // Only where the machine has no ::1 at all is there nothing to test.
    const v6 = await new Promise<boolean>((resolve) => {
      const probe = createServer().once('error', () => resolve(false));
      probe.listen(0, '::1', () => probe.close(() => resolve(true)));
    });
    if (!v6) {
      t.diagnostic('IPv6 loopback ::1 cannot be bound on this machine');
      return;
    }
    const srv = await startServer({ env: { SIP_AUTH: 'off', MSRP_LISTEN: 'tcp:[::1]:0' } });
    try {
      const port = msrpPort(srv, 'tcp');
      const a = await MsrpTestClient.connect({ host: '::1', port });
      const b = await MsrpTestClient.connect({ host: '::1', port });
      const useA = await a.login('x', null);
      const useB = await b.login('y', null);
      assert.match(useA, new RegExp(`^msrp://\\[::1\\]:${port}/[\\w-]+;tcp$`));
      a.send([useB, b.uri], 'v6');
      assert.equal((await b.next((f) => f.head.method === 'SEND')).body.toString(), 'v6');
      a.close();
      b.close();
    } finally {
      await srv.destroy();
    }
  });
});

describe('MSRP relay timers (msrp.timer_interval)', () => {
  it('a session past its Expires leaves the map at the next timer run (msrp.session.expired), its connection stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbx-msrp-cfg-'));
    const file = join(dir, 'pbx.yaml');
    writeFileSync(file, 'msrp:\n  timer_interval: 1\n  auth_min_expires: 1\n  auth_max_expires: 3600\n');
    const srv = await startServer({ env: { SIP_AUTH: 'off', PBX_CONFIG: file } });
    const token = await srv.login();
    const socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const c = await MsrpTestClient.connect({ host: '127.0.0.1', port: msrpPort(srv, 'tcp') });
      const ok = await c.auth('x', null, ['Expires: 1']);
      assert.equal(ok.head.get('Expires'), '1');
      const id = ok.head.get('Use-Path')!.split('/').pop()!.split(';')[0]!;
      const expired = await Promise.race([
        new Promise<{ id: string }>((resolve) => socket.on('msrp.session.expired', (e: { id: string }) => e.id === id && resolve(e))),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no msrp.session.expired within 10 s')), 10_000)),
      ]);
      assert.equal(expired.id, id);
      assert.deepEqual((await srv.api('/api/msrp/sessions', { token })).body, []);
      // The session is gone, not the connection: a SEND through it is now 481, and a new AUTH works.
      const t = c.send([ok.head.get('Use-Path')!, 'msrp://127.0.0.1:9/y;tcp'], 'late');
      assert.equal((await c.response(t)).head.status, 481);
      assert.equal((await c.auth('x', null)).head.status, 200);
      c.close();
    } finally {
      socket.close();
      await srv.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
