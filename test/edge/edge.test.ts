import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'socket.io-client';
import type { SipRequest } from '@pbx/sip';
import { SipTestClient, type ClientTransport, type TestServer } from '../support/index.js';
import { DOMAIN, REGISTRAR_YAML, dashboardSocket, nextEvent, obRegister, serverWith, startEdge, urn } from './edge-support.js';

/**
 * RFC 5626 §5 edge role (seeds/kamailio-outbound.txt, Edge Proxy
 * Configuration): two appliance processes on loopback — an edge (role: edge)
 * in front of a registrar — and user agents in this process registering
 * through the edge on UDP, TCP and WS.
 */
describe('edge role in front of the appliance registrar', () => {
  let registrar: TestServer;
  let edge: TestServer;
  let token = '';
  let events: Socket;
  const open: SipTestClient[] = [];

  before(async () => {
    registrar = await serverWith(REGISTRAR_YAML);
    edge = await startEdge(registrar.sip('udp'), 20);
    token = await edge.login();
    events = await dashboardSocket(edge, token);
  });
  after(async () => {
    for (const c of open) c.close();
    events?.close();
    await edge?.destroy();
    await registrar?.destroy();
  });

  async function ua(transport: ClientTransport): Promise<SipTestClient> {
    const c = await SipTestClient.open(transport, edge.sip(transport));
    open.push(c);
    return c;
  }
  async function caller(): Promise<SipTestClient> {
    const c = await SipTestClient.open('udp', registrar.sip('udp'));
    open.push(c);
    return c;
  }
  function message(from: SipTestClient, user: string) {
    const r = from.request({ method: 'MESSAGE', uri: `sip:${user}@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, body: 'over the flow', contentType: 'text/plain' });
    from.send(r.text);
    return r;
  }

  for (const transport of ['udp', 'tcp', 'ws'] as const) {
    test(`RFC 5626 §5.1 over ${transport}: REGISTER through the edge gets Path with a flow token and ;ob, and the 2xx carries the edge's Flow-Timer`, async () => {
      const phone = await ua(transport);
      const user = `reg${transport}`;
      const opened = nextEvent<{ flow: { aor: string; transport: string } }>(events, 'flow.opened', (e) => e.flow.aor === `sip:${user}@${DOMAIN}`);
      const res = await phone.call(obRegister(user, `127.0.0.1:${phone.localPort}`, urn(), 1));
      assert.equal(res.status, 200, `${res.status} ${res.reason}`);
      assert.ok(res.getAll('Require').join(',').includes('outbound'), 'the registrar accepted outbound (Require: outbound)');
      assert.equal(res.flowTimer(), 20, 'seed onreply_route: Flow-Timer from edge.flow_timer');
      assert.equal((await opened).flow.transport, transport);

      const b = await registrar.api(`/api/registrations/${user}@${DOMAIN}`, { token: await registrar.login() });
      assert.equal(b.status, 200);
      const path: string[] = b.body.contacts[0].path;
      assert.equal(path.length, 1);
      const edgeUdp = edge.sip('udp');
      assert.match(path[0]!, new RegExp(`^<sip:[A-Za-z0-9_-]{30,}@127\\.0\\.0\\.1:${edgeUdp.port};lr;ob>$`), `Path ${path[0]}`);

      const flows = await edge.api('/api/flows', { token });
      const mine = flows.body.find((f: { aor: string }) => f.aor === `sip:${user}@${DOMAIN}`);
      assert.ok(mine, 'GET /api/flows lists the flow');
      assert.equal(mine.regId, 1);
      assert.equal(mine.peer, `127.0.0.1:${phone.localPort}`);
      assert.equal(mine.flowTimer, 20);
    });

    test(`RFC 5626 §5.3 over ${transport}: a MESSAGE and a call from the registrar reach the UA over its flow; BYE follows the flow-token Record-Route`, async () => {
      const phone = await ua(transport);
      const user = `call${transport}`;
      assert.equal((await phone.call(obRegister(user, `127.0.0.1:${phone.localPort}`, urn(), 1))).status, 200);
      const c = await caller();

      const m = message(c, user);
      const got = await phone.incoming('MESSAGE');
      assert.equal(got.requestUri, `sip:${user}@127.0.0.1:${phone.localPort};ob`, 'Request-URI is the registered Contact');
      assert.equal(got.route().length, 0, 'the edge consumed its Route');
      phone.answer(got, 200);
      assert.equal((await c.response(m.callId)).status, 200);

      const inv = c.request({ method: 'INVITE', uri: `sip:${user}@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, contact: `<sip:carla@127.0.0.1:${c.localPort}>` });
      c.send(inv.text);
      const invite = await phone.incoming('INVITE');
      const rr = invite.recordRoute().map((r) => r.uri.toString());
      assert.ok(rr.some((u) => /^sip:[A-Za-z0-9_-]{30,}@127\.0\.0\.1:\d+;lr/.test(u)), `flow-token Record-Route: ${rr.join(' | ')}`);
      phone.answer(invite, 200, { toTag: 'uas1', headers: [['Contact', `<sip:${user}@127.0.0.1:${phone.localPort};ob>`]] });
      const ok = await c.response(inv.callId, { method: 'INVITE' });
      assert.equal(ok.status, 200);

      // The caller's route set is the 200's Record-Route; its BYE goes registrar → edge → flow.
      const routeSet = ok.getAll('Record-Route').flatMap((v) => v.split(/,(?=\s*<)/)).map((v) => v.trim());
      const bye = c.request({
        method: 'BYE',
        uri: `sip:${user}@127.0.0.1:${phone.localPort};ob`,
        from: `sip:carla@${DOMAIN}`,
        to: `sip:${user}@${DOMAIN}`,
        toTag: 'uas1',
        callId: inv.callId,
        fromTag: inv.fromTag,
        cseq: 2,
        headers: routeSet.map((r) => `Route: ${r}`),
      });
      c.send(bye.text);
      const gotBye = await phone.incoming('BYE');
      phone.answer(gotBye, 200, { toTag: 'uas1' });
      assert.equal((await c.response(inv.callId, { method: 'BYE' })).status, 200);
    });
  }

  test('RFC 5626 §4.4.2 / RFC 5389: a STUN Binding request on the SIP UDP port is answered with XOR-MAPPED-ADDRESS and booked on the flow', async () => {
    const phone = await ua('udp');
    assert.equal((await phone.call(obRegister('stun', `127.0.0.1:${phone.localPort}`, urn(), 1))).status, 200);
    // The same socket sends the STUN keep-alive (the UA's flow).
    const sock = (phone as unknown as { udp: ReturnType<typeof createSocket> }).udp;
    const txid = Buffer.from('0102030405060708090a0b0c', 'hex');
    const req = Buffer.alloc(20);
    req.writeUInt16BE(0x0001, 0);
    req.writeUInt32BE(0x2112a442, 4);
    txid.copy(req, 8);
    const reply = new Promise<Buffer>((resolve) => {
      const on = (m: Buffer) => {
        if (m[0] !== 0x01 || m[1] !== 0x01) return;
        sock.off('message', on);
        resolve(m);
      };
      sock.on('message', on);
    });
    sock.send(req, edge.sip('udp').port, '127.0.0.1');
    const res = await reply;
    assert.ok(res.subarray(8, 20).equals(txid), 'same transaction id');
    assert.equal(res.readUInt16BE(20), 0x0020, 'XOR-MAPPED-ADDRESS');
    assert.equal(res.readUInt16BE(26) ^ 0x2112, phone.localPort, 'X-Port is the UA port');
    assert.equal([...res.subarray(28, 32)].map((b, i) => b ^ [0x21, 0x12, 0xa4, 0x42][i]!).join('.'), '127.0.0.1');
    const flows = (await edge.api('/api/flows', { token })).body as Array<{ aor: string; keepAlives: number; lastKeepAliveAt: string | null }>;
    const f = flows.find((x) => x.aor === `sip:stun@${DOMAIN}`)!;
    assert.ok(f.keepAlives >= 1 && f.lastKeepAliveAt !== null, 'keep-alive booked on the flow');
  });

  for (const transport of ['tcp', 'ws'] as const) {
    test(`RFC 5626 §4.4.1 over ${transport}: a double-CRLF keep-alive is answered with one CRLF`, async () => {
      const phone = await ua(transport);
      assert.equal((await phone.call(obRegister(`crlf${transport}`, `127.0.0.1:${phone.localPort}`, urn(), 1))).status, 200);
      const pong = phone.nextPong();
      phone.send('\r\n\r\n');
      await pong;
      const flows = (await edge.api('/api/flows', { token })).body as Array<{ aor: string; keepAlives: number; lastKeepAliveAt: string | null }>;
      const f = flows.find((x) => x.aor === `sip:crlf${transport}@${DOMAIN}`)!;
      assert.ok(f.keepAlives >= 1 && f.lastKeepAliveAt !== null, 'keep-alive booked on the flow');
      assert.ok(findStat((await edge.api('/api/stats', { token })).body, 'crlf_keepalives') >= 1, 'crlf_keepalives on /api/stats');
    });
  }

  test('RFC 5626 §5.2: a request whose Route carries a forged or altered flow token is refused with 403', async () => {
    const phone = await ua('tcp');
    assert.equal((await phone.call(obRegister('forge', `127.0.0.1:${phone.localPort}`, urn(), 1))).status, 200);
    const b = await registrar.api(`/api/registrations/forge@${DOMAIN}`, { token: await registrar.login() });
    const tokenUser = /^<sip:([^@]+)@/.exec(b.body.contacts[0].path[0] as string)![1]!;
    const attacker = await ua('udp');
    const e = edge.sip('udp');
    const flipped = tokenUser.slice(0, 10) + (tokenUser[10] === 'A' ? 'B' : 'A') + tokenUser.slice(11);
    for (const user of [flipped, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await attacker.call({
        method: 'MESSAGE',
        uri: `sip:forge@127.0.0.1:${phone.localPort}`,
        from: 'sip:mallory@evil.example',
        headers: [`Route: <sip:${user}@127.0.0.1:${e.port};lr>`],
        body: 'hijack',
        contentType: 'text/plain',
      });
      assert.equal(res.status, 403, `${res.status} ${res.reason}`);
    }
    assert.equal(phone.pending().length, 0, 'nothing reached the UA');
  });

  test('seed edge config: a request from a UA without a user part in its Request-URI is 484; in-dialog without a route through us is 404', async () => {
    const phone = await ua('udp');
    const res = await phone.call({ method: 'MESSAGE', uri: `sip:${DOMAIN}`, body: 'x', contentType: 'text/plain' });
    assert.equal(res.status, 484);
    const dlg = await phone.call({ method: 'INFO', uri: `sip:bob@${DOMAIN}`, toTag: 'abc' });
    assert.equal(dlg.status, 404);
  });

  test('RFC 5626 §5.3: with one flow\'s connection gone the edge answers 430 and the registrar fails over to the instance\'s second flow', async () => {
    const inst = urn();
    const one = await ua('tcp');
    const two = await ua('tcp');
    assert.equal((await one.call(obRegister('fail', `127.0.0.1:${one.localPort}`, inst, 1))).status, 200);
    assert.equal((await two.call(obRegister('fail', `127.0.0.1:${two.localPort}`, inst, 2))).status, 200);
    // The registrar tries the most recently registered flow first (reg-id 2): that is the one lost.
    const closed = nextEvent<{ flow: { regId: number; aor: string }; reason: string }>(
      events,
      'flow.closed',
      (e) => e.flow.aor === `sip:fail@${DOMAIN}` && e.flow.regId === 2,
    );
    two.close();
    assert.equal((await closed).reason, 'connection closed');
    const before430 = await flowFailed();

    const c = await caller();
    const m = message(c, 'fail');
    const got: SipRequest = await one.incoming('MESSAGE');
    one.answer(got, 200);
    assert.equal((await c.response(m.callId)).status, 200, 'the MESSAGE reached the other flow');
    assert.ok((await flowFailed()) > before430, 'the edge answered 430 Flow Failed for the lost flow');

    // On the wire: a request carrying the lost flow's (valid) token is answered 430 by the edge itself.
    const b = await registrar.api(`/api/registrations/fail@${DOMAIN}`, { token: await registrar.login() });
    const lost = (b.body.contacts as Array<{ regId: number; path: string[] }>).find((x) => x.regId === 2)!;
    const direct = await SipTestClient.open('udp', edge.sip('udp'));
    open.push(direct);
    const res = await direct.call({
      method: 'MESSAGE',
      uri: `sip:fail@127.0.0.1:${two.localPort};ob`,
      from: `sip:carla@${DOMAIN}`,
      headers: [`Route: ${lost.path[0]}`],
      body: 'to a lost flow',
      contentType: 'text/plain',
    });
    assert.equal(res.status, 430, `${res.status} ${res.reason}`);
    assert.equal(res.reason, 'Flow Failed');
  });

  test('DELETE /api/flows/:id closes the flow\'s connection and emits flow.closed', async () => {
    const phone = await ua('tcp');
    assert.equal((await phone.call(obRegister('admin', `127.0.0.1:${phone.localPort}`, urn(), 1))).status, 200);
    const flows = (await edge.api('/api/flows', { token })).body as Array<{ id: string; aor: string }>;
    const f = flows.find((x) => x.aor === `sip:admin@${DOMAIN}`)!;
    const closed = nextEvent<{ flow: { id: string }; reason: string }>(events, 'flow.closed', (e) => e.flow.id === f.id);
    assert.equal((await edge.api(`/api/flows/${encodeURIComponent(f.id)}`, { method: 'DELETE', token })).status, 204);
    assert.equal((await closed).reason, 'closed by admin');
    assert.equal((await edge.api(`/api/flows/${encodeURIComponent(f.id)}`, { token })).status, 404);
    assert.equal((await edge.api(`/api/flows/${encodeURIComponent(f.id)}`, { method: 'DELETE', token })).status, 404);
  });

  describe('an edge with edge.flow_timer 1', () => {
    let quick: TestServer;
    let quickEvents: Socket;
    before(async () => {
      quick = await startEdge(registrar.sip('udp'), 1);
      quickEvents = await dashboardSocket(quick, await quick.login());
    });
    after(async () => {
      quickEvents?.close();
      await quick?.destroy();
    });

    test('RFC 5626 §4.4.1: a flow with no traffic past its Flow-Timer is reported by flow.silent', async () => {
      const phone = await SipTestClient.open('tcp', quick.sip('tcp'));
      open.push(phone);
      const silent = nextEvent<{ flow: { aor: string; silent: boolean; flowTimer: number } }>(quickEvents, 'flow.silent', (e) => e.flow.aor === `sip:quiet@${DOMAIN}`);
      const res = await phone.call(obRegister('quiet', `127.0.0.1:${phone.localPort}`, urn(), 1));
      assert.equal(res.flowTimer(), 1);
      const e = await silent;
      assert.equal(e.flow.silent, true);
      assert.equal(e.flow.flowTimer, 1);
    });
  });

  async function flowFailed(): Promise<number> {
    const s = (await edge.api('/api/stats', { token })).body;
    return findStat(s, 'flow_failed_replies');
  }
});

/** A statistic's value from /api/stats, whatever its grouping. */
function findStat(body: unknown, name: string): number {
  let found = NaN;
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === name && typeof x === 'number') found = x;
      else if (typeof x === 'object' && x !== null && (x as { name?: unknown }).name === name && typeof (x as { value?: unknown }).value === 'number') found = (x as { value: number }).value;
      else walk(x);
    }
  };
  walk(body);
  return found;
}
