import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';

const DOMAIN = 'example.com';

/** msilo over the wire: m_store for unreachable users, m_dump when they register (kamailio-msilo.txt §1). */
describe('offline messages (msilo)', () => {
  let srv: TestServer;
  let token: string;
  let socket: Socket;
  const open: SipTestClient[] = [];
  before(async () => {
    srv = await startServer({ env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN } });
    token = await srv.login();
    socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
  });
  after(async () => {
    socket?.close();
    for (const c of open) c.close();
    await srv?.destroy();
  });

  async function ua(): Promise<SipTestClient> {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    open.push(c);
    return c;
  }
  const register = (c: SipTestClient, user: string) =>
    c.call({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      from: `sip:${user}@${DOMAIN}`,
      to: `sip:${user}@${DOMAIN}`,
      contact: `<sip:${user}@127.0.0.1:${c.localPort}>`,
      headers: ['Expires: 300', 'Allow: INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS'],
    });

  test('a MESSAGE for an offline user is stored (202), listed, and delivered when the user registers, then deleted', async () => {
    const sender = await ua();
    const stored = new Promise<{ id: number; state: string }>((resolve) => socket.once('message.stored', resolve));
    const res = await sender.call({ method: 'MESSAGE', uri: `sip:jane@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body: 'call me back', contentType: 'text/plain' });
    assert.equal(res.status, 202, 'm_store answers 202 Accepted');
    const ev = await stored;
    assert.equal(ev.state, 'stored');
    const list = await srv.api(`/api/messages?to=jane@${DOMAIN}`, { token });
    assert.equal(list.status, 200);
    assert.equal(list.body.total, 1);
    assert.equal(list.body.items[0].from, `sip:kim@${DOMAIN}`);

    const jane = await ua();
    const delivered = new Promise<{ id: number; state: string }>((resolve) => socket.once('message.dumped', resolve));
    assert.equal((await register(jane, 'jane')).status, 200);
    const msg = await jane.incoming('MESSAGE');
    assert.match(msg.body.toString(), /call me back/);
    assert.equal(msg.from().uri.toString(), `sip:kim@${DOMAIN}`);
    jane.answer(msg, 200);
    const d = await delivered;
    assert.equal(d.id, ev.id);
    assert.equal(d.state, 'delivered');
    assert.equal((await srv.api(`/api/messages?to=jane@${DOMAIN}`, { token })).body.total, 0, 'deleted only after the 2xx');
  });

  test('m_dump (kamailio-msilo.txt §4.3): messages arrive in the order they were stored, each once', async () => {
    const COUNT = 30;
    const sender = await ua();
    for (let i = 0; i < COUNT; i++) {
      const r = await sender.call({ method: 'MESSAGE', uri: `sip:olga@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body: `order-${i}`, contentType: 'text/plain' });
      assert.equal(r.status, 202);
    }
    const olga = await ua();
    assert.equal((await register(olga, 'olga')).status, 200);
    const got: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const msg = await olga.incoming('MESSAGE');
      olga.answer(msg, 200);
      got.push(/order-\d+$/.exec(msg.body.toString())?.[0] ?? msg.body.toString());
    }
    assert.deepEqual(got, Array.from({ length: COUNT }, (_, i) => `order-${i}`));
    // Nothing more is sent: the inbox is empty once the deletes commit.
    const deadline = Date.now() + 5_000;
    let total = -1;
    while (Date.now() < deadline && (total = (await srv.api(`/api/messages?to=olga@${DOMAIN}`, { token })).body.total) !== 0) await new Promise((r) => setTimeout(r, 50));
    assert.equal(total, 0);
    assert.deepEqual(olga.pending().filter((m) => m.kind === 'request'), [], 'no MESSAGE twice');
  });

  test('index (issue 5): a user with nothing stored registers without a look-up; one stored afterwards is still delivered at the next REGISTER', async () => {
    const pia = await ua();
    assert.equal((await register(pia, 'pia')).status, 200);
    assert.equal((await register(pia, 'pia')).status, 200, 'refresh: nothing to send');
    assert.deepEqual(pia.pending().filter((m) => m.kind === 'request'), []);
    // Unregister so the next MESSAGE is stored, then register again.
    const unreg = await pia.call({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      from: `sip:pia@${DOMAIN}`,
      to: `sip:pia@${DOMAIN}`,
      contact: `<sip:pia@127.0.0.1:${pia.localPort}>`,
      headers: ['Expires: 0'],
    });
    assert.equal(unreg.status, 200);
    const sender = await ua();
    assert.equal((await sender.call({ method: 'MESSAGE', uri: `sip:pia@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body: 'after the index', contentType: 'text/plain' })).status, 202);
    assert.equal((await register(pia, 'pia')).status, 200);
    const msg = await pia.incoming('MESSAGE');
    assert.match(msg.body.toString(), /after the index$/);
    pia.answer(msg, 200);
  });

  test('a delivery answered with an error keeps the message stored (nothing lost)', async () => {
    const sender = await ua();
    assert.equal((await sender.call({ method: 'MESSAGE', uri: `sip:lena@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body: 'second try', contentType: 'text/plain' })).status, 202);
    const lena = await ua();
    const failed = new Promise<{ state: string }>((resolve) => socket.once('message.failed', resolve));
    assert.equal((await register(lena, 'lena')).status, 200);
    const msg = await lena.incoming('MESSAGE');
    lena.answer(msg, 486);
    assert.equal((await failed).state, 'failed');
    assert.equal((await srv.api(`/api/messages?to=lena@${DOMAIN}`, { token })).body.total, 1);
  });

  test('failure_route: a registered user whose phone answers 480 gets the MESSAGE stored (202 upstream)', async () => {
    const mona = await ua();
    assert.equal((await register(mona, 'mona')).status, 200);
    const sender = await ua();
    const r = sender.request({ method: 'MESSAGE', uri: `sip:mona@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body: 'are you there', contentType: 'text/plain' });
    sender.send(r.text);
    const msg = await mona.incoming('MESSAGE');
    mona.answer(msg, 480);
    assert.equal((await sender.response(r.callId)).status, 202);
    assert.equal((await srv.api(`/api/messages?to=mona@${DOMAIN}`, { token })).body.total, 1);
  });


  test('m_dump (kamailio-msilo.txt §4.3) sends "to the contact address in the registration", not to a better-ranked binding of the AoR', async () => {
    // desk (q=1.0) is registered and refuses the MESSAGE, so it is stored (failure_route).
    const desk = await ua();
    const reg = (c: SipTestClient, q: string) =>
      c.call({
        method: 'REGISTER',
        uri: `sip:${DOMAIN}`,
        from: `sip:nina@${DOMAIN}`,
        to: `sip:nina@${DOMAIN}`,
        contact: `<sip:nina@127.0.0.1:${c.localPort}>;q=${q}`,
        headers: ['Expires: 300', 'Allow: INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS'],
      });
    assert.equal((await reg(desk, '1.0')).status, 200);
    const sender = await ua();
    const r = sender.request({ method: 'MESSAGE', uri: `sip:nina@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body: 'for the mobile', contentType: 'text/plain' });
    sender.send(r.text);
    desk.answer(await desk.incoming('MESSAGE'), 480);
    assert.equal((await sender.response(r.callId)).status, 202);
    // The mobile registers with a lower q: lookup() would rank desk first, but the dump is for the registering contact.
    const mobile = await ua();
    assert.equal((await reg(mobile, '0.5')).status, 200);
    const msg = await mobile.incoming('MESSAGE');
    assert.match(msg.body.toString(), /for the mobile$/);
    assert.equal(msg.requestUri, `sip:nina@127.0.0.1:${mobile.localPort}`);
    mobile.answer(msg, 200);
  });
  test('admin API: compose stores for an offline user, validation names the field, delete removes', async () => {
    const bad = await srv.api('/api/messages', { method: 'POST', token, body: { to: 'not-an-aor', from: `sip:admin@${DOMAIN}`, body: 'x' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'to');
    const missing = await srv.api('/api/messages', { method: 'POST', token, body: { to: `sip:nora@${DOMAIN}`, from: `sip:admin@${DOMAIN}` } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.errors[0].field, 'body');
    const made = await srv.api('/api/messages', { method: 'POST', token, body: { to: `sip:nora@${DOMAIN}`, from: `sip:admin@${DOMAIN}`, body: 'welcome' } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.outcome, 'stored');
    const one = await srv.api(`/api/messages/${made.body.id}`, { token });
    assert.equal(one.body.body, 'welcome');
    assert.equal((await srv.api(`/api/messages/${made.body.id}`, { method: 'DELETE', token })).status, 204);
    assert.equal((await srv.api(`/api/messages/${made.body.id}`, { token })).status, 404);
  });
});
