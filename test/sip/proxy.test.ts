import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';

const DOMAIN = 'example.com';

/** The server as a stateful proxy between registered user agents (RFC 3261 §16), SIP_AUTH off so the UAs need no digest. */
describe('proxying to registered contacts', () => {
  let srv: TestServer;
  let token: string;
  const open: SipTestClient[] = [];
  before(async () => {
    srv = await startServer({ env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN } });
    token = await srv.login();
  });
  after(async () => {
    for (const c of open) c.close();
    await srv?.destroy();
  });

  async function ua(): Promise<SipTestClient> {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    open.push(c);
    return c;
  }

  async function register(c: SipTestClient, user: string, q?: number): Promise<void> {
    const res = await c.call({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      from: `sip:${user}@${DOMAIN}`,
      to: `sip:${user}@${DOMAIN}`,
      contact: `<sip:${user}@127.0.0.1:${c.localPort}>${q === undefined ? '' : `;q=${q}`}`,
      headers: ['Expires: 300', 'Allow: INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS'],
    });
    assert.equal(res.status, 200);
  }

  test('RFC 3428 / §16.6: a MESSAGE reaches the registered contact and its 200 comes back', async () => {
    const bob = await ua();
    const alice = await ua();
    await register(bob, 'bob');
    const r = alice.request({ method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, from: `sip:alice@${DOMAIN}`, body: 'hi bob', contentType: 'text/plain' });
    alice.send(r.text);
    const got = await bob.incoming('MESSAGE');
    assert.equal(got.requestUri, `sip:bob@127.0.0.1:${bob.localPort}`, 'Request-URI is the contact');
    assert.equal(got.body.toString(), 'hi bob');
    assert.equal(got.vias().length, 2, 'the proxy added its Via (§16.6 step 8)');
    assert.equal(got.maxForwards(), 69, 'Max-Forwards decremented (§16.6 step 3)');
    bob.answer(got, 200);
    const res = await alice.response(r.callId);
    assert.equal(res.status, 200);
    assert.equal(res.vias().length, 1, 'our Via is removed from the response (§16.7 step 3)');
  });

  test('§16.7: INVITE forked in parallel to two contacts; one 486, one 200: the caller gets the 200, the dialog is record-routed', async () => {
    const desk = await ua();
    const soft = await ua();
    const caller = await ua();
    await register(desk, 'carl');
    await register(soft, 'carl');
    const r = caller.request({ method: 'INVITE', uri: `sip:carl@${DOMAIN}`, from: `sip:dora@${DOMAIN}`, contact: `<sip:dora@127.0.0.1:${caller.localPort}>` });
    caller.send(r.text);
    const [a, b] = await Promise.all([desk.incoming('INVITE'), soft.incoming('INVITE')]);
    assert.equal(a.recordRoute().length, 1, 'Record-Route inserted for INVITE');
    desk.answer(a, 486);
    const ackToDesk = await desk.incoming('ACK'); // the proxy ACKs the non-2xx itself (§17.1.1.3)
    assert.equal(ackToDesk.cseq().method, 'ACK');
    soft.answer(b, 200, { headers: [['Contact', `<sip:carl@127.0.0.1:${soft.localPort}>`]] });
    const ok = await caller.response(r.callId, { method: 'INVITE' });
    assert.equal(ok.status, 200);
    assert.equal(ok.recordRoute().length, 1, 'the 2xx carries the Record-Route back');
    // The ACK for the 2xx follows the route set (loose routing, §16.12) to the callee.
    const rr = ok.recordRoute()[0]!.toString();
    caller.send(
      caller.request({
        method: 'ACK',
        uri: `sip:carl@127.0.0.1:${soft.localPort}`,
        from: `sip:dora@${DOMAIN}`,
        to: `sip:carl@${DOMAIN}`,
        toTag: ok.to().tag,
        callId: r.callId,
        fromTag: r.fromTag,
        cseq: 1,
        headers: [`Route: ${rr}`],
      }).text,
    );
    const ack = await soft.incoming('ACK');
    assert.equal(ack.callId(), r.callId);
    assert.equal(ack.route().length, 0, 'our Route entry was consumed');
  });

  test('§16.7 step 6 / §9.2: CANCEL of a ringing INVITE gets 200, the callee is cancelled and the caller gets 487', async () => {
    const callee = await ua();
    const caller = await ua();
    await register(callee, 'erik');
    const r = caller.request({ method: 'INVITE', uri: `sip:erik@${DOMAIN}`, from: `sip:fred@${DOMAIN}` });
    caller.send(r.text);
    const inv = await callee.incoming('INVITE');
    callee.answer(inv, 180);
    const ringing = await caller.receive((m) => m.kind === 'response' && m.callId() === r.callId && m.status === 180);
    assert.equal(ringing.kind, 'response', '180 relayed upstream (§16.7 step 5)');
    caller.send(caller.request({ method: 'CANCEL', uri: `sip:erik@${DOMAIN}`, from: `sip:fred@${DOMAIN}`, callId: r.callId, fromTag: r.fromTag, branch: r.branch, cseq: 1 }).text);
    assert.equal((await caller.response(r.callId, { method: 'CANCEL' })).status, 200);
    const cancel = await callee.incoming('CANCEL');
    callee.answer(cancel, 200);
    callee.answer(inv, 487);
    assert.equal((await caller.response(r.callId, { method: 'INVITE' })).status, 487);
  });

  test('§17.2.1: a retransmitted REGISTER is absorbed by its transaction and the same response is sent again', async () => {
    const c = await ua();
    const r = c.request({ method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `sip:gail@${DOMAIN}`, to: `sip:gail@${DOMAIN}`, contact: `<sip:gail@127.0.0.1:${c.localPort}>`, headers: ['Expires: 300'] });
    c.send(r.text);
    const first = await c.receiveRaw((m) => m.kind === 'response' && m.callId() === r.callId);
    c.send(r.text);
    const again = await c.receiveRaw((m) => m.kind === 'response' && m.callId() === r.callId);
    assert.equal(again.raw.toString('latin1'), first.raw.toString('latin1'));
    const reg = await srv.api(`/api/registrations/gail@${DOMAIN}`, { token });
    assert.equal(reg.body.contacts.length, 1);
  });

  test('RFC 3261 §21.4.18: a known but unregistered user is 480, an unknown one 404', async () => {
    const made = await srv.api('/api/subscribers', { method: 'POST', token, body: { username: 'hana', domain: DOMAIN, password: 'hana-secret-1' } });
    assert.equal(made.status, 201);
    const c = await ua();
    assert.equal((await c.call({ method: 'INVITE', uri: `sip:hana@${DOMAIN}`, from: `sip:ivan@${DOMAIN}` })).status, 480);
    assert.equal((await c.call({ method: 'INVITE', uri: `sip:nobody@${DOMAIN}`, from: `sip:ivan@${DOMAIN}` })).status, 404);
  });
});

