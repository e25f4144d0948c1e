import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SipRequest, SipResponse } from '@pbx/sip';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';
import { AOR, DOMAIN, Handset, lampsOf, sdp } from './handset.js';

const BOB = `sip:bob@${DOMAIN}`;

function configFile(yaml: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'pbx-sca-')), 'pbx.yaml');
  writeFileSync(f, yaml);
  return f;
}

async function registerBob(srv: TestServer): Promise<SipTestClient> {
  const bob = await SipTestClient.open('udp', srv.sip('udp'));
  const res = await bob.call({
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
    from: BOB,
    to: BOB,
    contact: `<sip:bob@127.0.0.1:${bob.localPort}>`,
    headers: ['Expires: 300'],
  });
  assert.equal(res.status, 200);
  return bob;
}

describe('shared call appearances over UDP (BroadWorks SIP Access Side Extensions §2–4, kamailio-sca.txt)', () => {
  let srv: TestServer;
  let token: string;
  let bob: SipTestClient;
  const phones: Handset[] = [];
  before(async () => {
    srv = await startServer({
      env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN, PBX_CONFIG: configFile('sca:\n  max_appearances: 2\n  purge_expired_interval: 1\n  line_seize_max_expires: 2\n') },
    });
    token = await srv.login();
    bob = await registerBob(srv);
    for (const name of ['A', 'B', 'C']) phones.push(await Handset.open(srv.sip('udp'), name));
  });
  after(async () => {
    for (const p of phones) p.close();
    bob?.close();
    await srv?.destroy();
  });

  test('call-info SUBSCRIBE: 200 with capped Expires and a NOTIFY in the dialog showing every line idle (RFC 6665 §4.2.1)', async () => {
    for (const p of phones) {
      const res = await p.subscribe('call-info', { expires: 999_999 });
      assert.equal(res.status, 200);
      assert.equal(res.get('Expires'), '3600', 'call_info_max_expires caps it');
      assert.ok(res.get('Contact'), 'the 200 carries our Contact');
      const n = await p.notify((m) => m.get('Event') === 'call-info');
      assert.equal(n.callId(), p.dialog!.callId);
      assert.equal(n.from().tag, p.dialog!.toTag);
      assert.equal(n.to().tag, p.dialog!.fromTag);
      assert.match(n.get('Subscription-State')!, /^active;expires=\d+$/);
      assert.equal(lampsOf(n).get('*'), 'idle');
    }
    const subs = await srv.api('/api/sca/subscriptions', { token });
    assert.equal(subs.status, 200);
    assert.equal(subs.body.items.filter((s: { event: string }) => s.event === 'call-info').length, 3);
  });

  test('seize → ringing → active → held → retrieved by another member → released by the remote BYE; the group follows each step', async () => {
    const [a, b, c] = phones as [Handset, Handset, Handset];
    // BroadWorks §3: line-seize reserves the lowest idle appearance, index 1.
    assert.equal((await a.subscribe('line-seize')).status, 200);
    const seize = await a.notify((n) => n.get('Event') === 'line-seize');
    assert.match(seize.get('Call-Info')!, /appearance-index=1/);
    await b.lamp(1, 'seized');
    await c.lamp(1, 'seized');

    const call = a.invite(BOB, { index: 1 });
    const inv = await bob.incoming('INVITE');
    assert.equal(inv.has('Call-Info'), false, 'the SCA Call-Info is consumed before forwarding');
    bob.answer(inv, 180);
    await b.lamp(1, 'ringing');
    await c.lamp(1, 'ringing');
    const bobContact = `<sip:bob@127.0.0.1:${bob.localPort}>`;
    bob.answer(inv, 200, { headers: [['Contact', bobContact]], body: sdp('sendrecv'), contentType: 'application/sdp' });
    const ok = (await a.ua.response(call.callId, { method: 'INVITE' })) as SipResponse;
    assert.equal(ok.status, 200);
    const active = await b.lamp(1, 'active');
    assert.match(active.get('Call-Info')!, /appearance-uri="<sip:bob@example.com>"/);
    await c.lamp(1, 'active');
    const rr = ok.getAll('Record-Route');
    const bobTag = ok.to().tag!;

    // A puts the call on hold: re-INVITE with a=sendonly (RFC 3264 §8.4).
    const hold = a.ua.request({
      method: 'INVITE',
      uri: `sip:bob@127.0.0.1:${bob.localPort}`,
      from: AOR,
      fromTag: call.fromTag,
      to: BOB,
      toTag: bobTag,
      callId: call.callId,
      cseq: 2,
      contact: `<${a.contact}>`,
      headers: rr.map((r) => `Route: ${r}`),
      body: sdp('sendonly'),
      contentType: 'application/sdp',
    });
    a.ua.send(hold.text);
    const reinv = await bob.incoming('INVITE');
    bob.answer(reinv, 200, { headers: [['Contact', bobContact]], toTag: bobTag });
    await b.lamp(1, 'held');
    await c.lamp(1, 'held');

    // B retrieves it: a line-seize naming the held appearance is granted, then B's INVITE with Replaces takes it over.
    assert.equal((await b.subscribe('line-seize', { index: 1 })).status, 200);
    assert.match((await b.notify((n) => n.get('Event') === 'line-seize')).get('Call-Info')!, /appearance-index=1/);
    const retrieve = b.invite(BOB, { index: 1, replaces: `${call.callId};to-tag=${bobTag};from-tag=${call.fromTag}` });
    const inv2 = await bob.incoming('INVITE');
    assert.equal(inv2.callId(), retrieve.callId);
    bob.answer(inv2, 200, { headers: [['Contact', bobContact]], toTag: 'bob2' });
    await c.lamp(1, 'active');
    const apps = await srv.api('/api/sca/appearances', { token });
    assert.equal(apps.body.items.length, 1);
    assert.equal(apps.body.items[0].owner, b.contact, 'the appearance moved to B');
    assert.equal(apps.body.items[0].index, 1);

    // The remote party hangs up: the BYE comes from the other side of the dialog.
    const rr2 = inv2.getAll('Record-Route');
    const byeReq = bob.request({
      method: 'BYE',
      uri: b.contact,
      from: BOB,
      fromTag: 'bob2',
      to: AOR,
      toTag: retrieve.fromTag,
      callId: retrieve.callId,
      cseq: 1,
      headers: rr2.map((r) => `Route: ${r}`),
    });
    bob.send(byeReq.text);
    const byeAtB = await b.ua.incoming('BYE');
    b.ua.answer(byeAtB, 200);
    await c.lamp(1, 'idle');
    await a.lamp(1, 'idle');
    // The line-seize that reserved the appearance ends with its call.
    const end = await b.notify((n) => n.get('Event') === 'line-seize' && /^terminated/.test(n.get('Subscription-State') ?? ''));
    assert.equal(end.get('Subscription-State'), 'terminated;reason=noresource');
    assert.equal((await srv.api('/api/sca/appearances', { token })).body.items.length, 0);
  });

  test('a CANCELled call releases its appearance (487), and the group sees idle', async () => {
    const [a, b] = phones as [Handset, Handset];
    b.forget();
    const call = a.invite(BOB);
    const inv = await bob.incoming('INVITE');
    bob.answer(inv, 180);
    await b.lamp(1, 'ringing');
    // The CANCEL carries the INVITE's Via and branch (RFC 3261 §9.1): taken from the 180 that echoes it.
    // The 180 to A and the NOTIFY to B leave together, to different sockets: wait for A's own copy.
    const ringing = await a.ua.receiveRaw((m) => m.kind === 'response' && m.status === 180 && m.callId() === call.callId);
    const invText = ringing.raw.toString('latin1');
    const via = /^Via: (.*)$/m.exec(invText)![1]!.trim();
    a.ua.send(
      [`CANCEL ${BOB} SIP/2.0`, `Via: ${via}`, 'Max-Forwards: 70', `From: <${AOR}>;tag=${call.fromTag}`, `To: <${BOB}>`, `Call-ID: ${call.callId}`, 'CSeq: 1 CANCEL', 'Content-Length: 0', '', ''].join('\r\n'),
    );
    const fwdCancel = await bob.incoming('CANCEL');
    bob.answer(fwdCancel, 200);
    bob.answer(inv, 487);
    await b.lamp(1, 'idle');
  });

  test('every appearance in use: the line-seize is refused with 480 and Retry-After (BroadWorks §3)', async () => {
    const [a, b, c] = phones as [Handset, Handset, Handset];
    assert.equal((await a.subscribe('line-seize')).status, 200);
    assert.equal((await b.subscribe('line-seize')).status, 200);
    const res = await c.subscribe('line-seize');
    assert.equal(res.status, 480);
    assert.equal(res.get('Retry-After'), '2');
  });

  test('expired line-seizes are purged with a terminal NOTIFY and the group sees the lines idle again (purge_expired_interval)', async () => {
    const [a, , c] = phones as [Handset, Handset, Handset];
    const end = await a.notify((n) => n.get('Event') === 'line-seize' && n.get('Subscription-State') === 'terminated;reason=timeout', 8000);
    assert.ok(end);
    await c.notify((n) => n.get('Event') === 'call-info' && [...lampsOf(n).entries()].every(([i, s]) => i === '*' || s === 'idle'), 8000);
    const apps = await srv.api('/api/sca/appearances', { token });
    assert.equal(apps.body.items.length, 0);
  });

  test('in-dialog refresh and unsubscribe: Expires 0 gets a terminal NOTIFY; an unknown dialog is 481', async () => {
    const c = phones[2]!;
    const refresh = await c.subscribe('call-info', { inDialog: true, expires: 120 });
    assert.equal(refresh.status, 200);
    assert.equal(refresh.get('Expires'), '120');
    await c.notify((n) => n.get('Event') === 'call-info' && n.get('Subscription-State') === 'active;expires=120');
    const un = await c.subscribe('call-info', { inDialog: true, expires: 0 });
    assert.equal(un.status, 200);
    await c.notify((n) => n.get('Event') === 'call-info' && n.get('Subscription-State') === 'terminated');
    const again = await c.subscribe('call-info', { inDialog: true, expires: 60 });
    assert.equal(again.status, 481, 'RFC 6665 §4.1.2.2: the subscription is gone');
  });

  test('REST equivalents of sca.seize/update/release_appearance NOTIFY the group as the RPC does', async () => {
    const [a, b] = phones as [Handset, Handset];
    b.forget();
    const seized = await srv.api('/api/sca/appearances/seize', { method: 'POST', token, body: { aor: AOR, contact: a.contact } });
    assert.equal(seized.status, 200);
    assert.equal(seized.body.index, 1);
    await b.lamp(1, 'seized');
    const upd = await srv.api('/api/sca/appearances/update', { method: 'POST', token, body: { aor: AOR, index: 1, state: 'held-private', display: 'Front desk' } });
    assert.equal(upd.status, 200);
    await b.lamp(1, 'held-private');
    const rel = await srv.api('/api/sca/appearances/release', { method: 'POST', token, body: { aor: AOR, index: 1 } });
    assert.equal(rel.status, 200);
    await b.lamp(1, 'idle');
    assert.equal((await srv.api('/api/sca/appearances/release', { method: 'POST', token, body: { aor: AOR, index: 1 } })).status, 404);
    const bad = await srv.api('/api/sca/appearances/update', { method: 'POST', token, body: { aor: AOR, index: 0, state: 'nope' } });
    assert.equal(bad.status, 400);
    const stats = await srv.api('/api/stats', { token });
    assert.ok(stats.body.sca.sca_notifies_sent > 0);
  });

  test('a NOTIFY answered 481 ends the subscription (RFC 6665 §4.2.2)', async () => {
    const b = phones[1]!;
    b.notifyAnswer = 481;
    await srv.api('/api/sca/appearances/seize', { method: 'POST', token, body: { aor: AOR, contact: 'sip:desk@127.0.0.1' } });
    await b.lamp(1, 'seized');
    let subs: Array<{ subscriber: string; event: string }> = [];
    for (let i = 0; i < 50; i++) {
      subs = (await srv.api('/api/sca/subscriptions', { token })).body.items;
      if (!subs.some((s) => s.subscriber === b.contact)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(!subs.some((s) => s.subscriber === b.contact));
    await srv.api('/api/sca/appearances/release', { method: 'POST', token, body: { aor: AOR, index: 1 } });
  });
});

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`call-info subscriptions survive a restart (${backend}, db_update_interval + shutdown flush)`, () => {
    test('after a restart the phone keeps getting NOTIFYs in its old dialog without resubscribing', async () => {
      const first = await startServer({ backend, env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN } });
      const phone = await Handset.open(first.sip('udp'), 'A');
      try {
        assert.equal((await phone.subscribe('call-info')).status, 200);
        await phone.notify((n) => n.get('Event') === 'call-info');
        assert.equal(await first.stop('SIGTERM'), 0);
        const second = await startServer({ backend, dataDir: first.dataDir, databaseUrl: first.databaseUrl, env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN } });
        phone.rehome(second.sip('udp'));
        try {
          const token = await second.login();
          const subs = await second.api('/api/sca/subscriptions', { token });
          assert.equal(subs.body.items.length, 1);
          assert.equal(subs.body.items[0].subscriber, phone.contact);
          await second.api('/api/sca/appearances/seize', { method: 'POST', token, body: { aor: AOR, contact: 'sip:desk@127.0.0.1' } });
          const n: SipRequest = await phone.lamp(1, 'seized');
          assert.equal(n.callId(), phone.dialog!.callId, 'same subscription dialog');
          assert.equal(n.from().tag, phone.dialog!.toTag);
        } finally {
          await second.stop();
        }
      } finally {
        phone.close();
        await first.destroy();
      }
    });
  });
}
