import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flushMicrotasks, message, rig, T0 } from './spec-support.js';
import { formatSendTime } from './silo-time.js';

const BOB = 'sip:bob@example.com';
const NOW = T0 / 1000;
const REMINDERS = { send_time: 60, reminder: 'sip:reminder@example.org' };

describe('admin operations (REST API)', () => {
  test('list: by owner (sip:user@domain, user@domain or user), by sender, by state, paged with a total', async () => {
    const r = rig(REMINDERS);
    await r.silo.store(message({ from: 'sip:alice@example.com', body: 'a1' }));
    await r.silo.store(message({ from: 'sip:carol@example.com', body: 'c1' }));
    await r.silo.store(message({ from: 'sip:alice@example.com', to: 'sip:dave@example.org', body: 'a2' }));
    await r.silo.store(message({ from: 'sip:alice@example.com', body: 'later', headers: [['X-Send-Time', formatSendTime(NOW + 600)]] }));
    const ids = (p: { items: Array<{ id: number }> }) => p.items.map((i) => i.id);
    assert.deepEqual(ids(await r.silo.list({ owner: BOB })), [1, 2, 4]);
    assert.deepEqual(ids(await r.silo.list({ owner: 'bob@EXAMPLE.com' })), [1, 2, 4]);
    assert.deepEqual(ids(await r.silo.list({ owner: 'dave' })), [3]);
    assert.deepEqual(ids(await r.silo.list({ from: 'ALICE' })), [1, 3, 4]);
    assert.deepEqual(ids(await r.silo.list({ state: 'scheduled' })), [4]);
    assert.deepEqual(ids(await r.silo.list({ state: 'stored' })), [1, 2, 3]);
    const page = await r.silo.list({ limit: 2, offset: 2 });
    assert.deepEqual([page.total, ids(page)], [4, [3, 4]]);
    const item = (await r.silo.list({ owner: 'dave' })).items[0]!;
    assert.deepEqual([item.owner, item.from, item.bodyPreview, item.state, item.sendTime], ['sip:dave@example.org', 'sip:alice@example.com', 'a2', 'stored', null]);
    assert.equal((await r.silo.list({ state: 'scheduled' })).items[0]!.sendTime, (NOW + 600) * 1000);
  });

  test('list: state "delivering" shows messages waiting for a delivery answer', async () => {
    const r = rig();
    await r.silo.store(message());
    await r.silo.store(message());
    r.sender.reply = () => 'defer';
    const d = r.silo.dump(BOB, { destinations: [{ uri: 'sip:bob@192.0.2.50' }] });
    await flushMicrotasks(50);
    const page = await r.silo.list({ state: 'delivering' });
    assert.deepEqual([page.total, page.items.map((i) => i.state)], [2, ['delivering', 'delivering']]);
    assert.equal((await r.silo.list({})).items[0]!.state, 'delivering');
    for (const s of r.sender.sent) s.answer(200);
    await d;
  });

  test('get: the whole message (body text, kept headers, Call-ID); null when unknown', async () => {
    const r = rig({ use_mode: 1, extra_hdrs_avp: 'Subject' });
    await r.silo.store(message({ callId: 'c-1@x', body: 'full text', headers: [['Subject', 'hello']] }));
    const m = (await r.silo.get(1))!;
    assert.equal(m.bodyText, 'full text');
    assert.deepEqual(m.extraHeaders, [['Subject', 'hello']]);
    assert.equal(m.callId, 'c-1@x');
    assert.equal(m.state, 'stored');
    assert.equal(m.time, T0);
    assert.equal(await r.silo.get(99), null);
  });

  test('get: a binary body has no text form and a typed preview', async () => {
    const r = rig();
    await r.silo.store(message({ contentType: 'image/png', body: '\x89PNG' }));
    const m = (await r.silo.get(1))!;
    assert.equal(m.bodyText, null);
    assert.equal(m.bodyPreview, '[image/png, 5 bytes]');
  });

  test('delete: removes the message and announces message.deleted; false when unknown', async () => {
    const r = rig();
    await r.silo.store(message());
    assert.equal(await r.silo.delete(1), true);
    assert.equal(r.store.size, 0);
    assert.equal(r.events.at(-1)!.name, 'message.deleted');
    assert.equal(await r.silo.delete(1), false);
  });

  test('dumpNow: delivers to every current binding (locator), like a registration', async () => {
    const r = rig({}, { withLocator: true });
    r.locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }]);
    await r.silo.store(message());
    const rep = await r.silo.dumpNow(BOB);
    assert.deepEqual([rep.targets, rep.delivered], [1, 1]);
    assert.equal(r.sender.sent[0]!.req.requestUri, 'sip:bob@192.0.2.50');
    assert.equal(r.store.size, 0);
  });

  test('dumpNow: an offline AoR gets nothing sent and keeps its messages', async () => {
    const r = rig({}, { withLocator: true });
    await r.silo.store(message());
    const rep = await r.silo.dumpNow(BOB);
    assert.deepEqual([rep.targets, rep.sent], [0, 0]);
    assert.equal(r.store.size, 1);
  });

  test('compose: delivered at once when the AoR is online and answers 2xx (not stored)', async () => {
    const r = rig({}, { withLocator: true });
    r.locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }]);
    const res = await r.silo.compose({ from: 'sip:admin@example.com', to: BOB, body: 'maintenance at 22:00' });
    assert.deepEqual(res, { outcome: 'delivered', status: 200 });
    assert.equal(r.store.size, 0);
    const req = r.sender.of('compose')[0]!.req;
    assert.equal(req.body.toString(), 'maintenance at 22:00');
    assert.equal(req.from().uri.toString(), 'sip:admin@example.com');
  });

  test('compose: stored when the AoR is offline or its phone refuses; counted as stored_messages', async () => {
    const r = rig({}, { withLocator: true });
    assert.deepEqual(await r.silo.compose({ from: 'sip:admin@example.com', to: BOB, body: 'x' }), { outcome: 'stored', id: 1 });
    r.locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }]);
    r.sender.reply = () => 415;
    assert.deepEqual(await r.silo.compose({ from: 'sip:admin@example.com', to: BOB, body: 'y', contentType: 'text/plain;charset=utf-8' }), { outcome: 'stored', id: 2 });
    assert.equal(r.stat('stored_messages'), 2);
    assert.equal((await r.store.get(2))!.contentType, 'text/plain;charset=utf-8');
  });

  test('compose: a send time schedules a reminder (needs send_time and reminder)', async () => {
    const r = rig(REMINDERS, { withLocator: true });
    r.locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }]);
    const res = await r.silo.compose({ from: 'sip:admin@example.com', to: BOB, body: 'x', sendTime: T0 + 3_600_000 });
    assert.deepEqual(res, { outcome: 'scheduled', id: 1 });
    assert.equal((await r.store.get(1))!.sndTime, NOW + 3600);
    assert.equal(r.sender.sent.length, 0);
    const off = rig();
    await assert.rejects(off.silo.compose({ from: 'sip:a@x', to: BOB, body: 'x', sendTime: T0 }), { code: 'reminders_disabled', status: 409 });
  });

  test('compose: bad input is refused with SiloError (code and HTTP status)', async () => {
    const r = rig({ max_messages: 1 });
    await assert.rejects(r.silo.compose({ from: 'sip:a@x', to: 'sip:example.com', body: 'x' }), { code: 'bad_owner', status: 400 });
    await assert.rejects(r.silo.compose({ from: 'not a uri', to: BOB, body: 'x' }), { code: 'bad_address', status: 400 });
    await assert.rejects(r.silo.compose({ from: 'sip:a@x', to: BOB, body: '' }), { code: 'empty_body', status: 400 });
    await r.silo.compose({ from: 'sip:a@x', to: BOB, body: 'x' });
    await assert.rejects(r.silo.compose({ from: 'sip:a@x', to: BOB, body: 'x' }), { code: 'inbox_full', status: 409 });
  });
});
