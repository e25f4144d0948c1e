import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, flushMicrotasks, message, rig, T0 } from './spec-support.js';
import { formatSendTime } from './silo-time.js';

const BOB = 'sip:bob@example.com';
const NOW = T0 / 1000;
const ON = { send_time: 60, reminder: 'sip:reminder@example.org' };
const at = (sec: number): [string, string] => ['X-Send-Time', formatSendTime(sec)];

describe('reminders (reminder, send_time, snd_time_avp -> send_time_header)', () => {
  test('a MESSAGE with X-Send-Time is stored with snd_time and sent from `reminder` when due, to every binding', async () => {
    const r = rig(ON, { withLocator: true });
    r.locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }, { uri: 'sip:bob@192.0.2.51' }]);
    r.silo.start();
    const stored = await r.silo.store(message({ body: 'call mum', headers: [at(NOW + 300)] }));
    assert.equal(stored.status, 202);
    assert.equal((await r.store.get(1))!.sndTime, NOW + 300);
    await advance(r, 240_000);
    assert.equal(r.sender.sent.length, 0, 'not before its time');
    await advance(r, 60_000);
    const sent = r.sender.of('reminder');
    assert.deepEqual(sent.map((s) => s.req.requestUri).sort(), ['sip:bob@192.0.2.50', 'sip:bob@192.0.2.51']);
    const req = sent[0]!.req;
    assert.equal(req.from().uri.toString(), 'sip:reminder@example.org');
    assert.equal(req.to().uri.toString(), BOB);
    assert.equal(req.has('Date'), false, 'Kamailio sends reminders without Date');
    assert.equal(req.body.toString(), '[Reminder message - Wed Jan  1 00:05:00 2025] call mum');
    assert.equal(r.store.size, 0);
    assert.equal(r.stat('dumped_reminders'), 1);
    assert.equal(r.stat('dumped_messages'), 0);
    const e = r.events.find((x) => x.name === 'message.dumped')!.payload as { reminder: boolean };
    assert.equal(e.reminder, true);
    await r.silo.stop();
  });

  test('a reminder is not dumped on registration before its time', async () => {
    const r = rig(ON);
    await r.silo.store(message({ headers: [at(NOW + 300)] }));
    const d = await r.silo.dump(BOB, { destinations: [{ uri: 'sip:bob@192.0.2.50' }] });
    assert.equal(d.sent, 0);
    assert.equal(r.store.size, 1);
  });

  test('send_time = 0 (default): reminders are off; the header is ignored and the message is an ordinary offline one', async () => {
    const r = rig({ reminder: 'sip:reminder@example.org' });
    await r.silo.store(message({ headers: [at(NOW + 300)] }));
    assert.equal((await r.store.get(1))!.sndTime, 0);
    r.silo.start();
    assert.equal(r.scheduler.active, 1, 'only the check_time timer');
    await r.silo.stop();
  });

  test('reminder unset: reminders are off even with send_time > 0', async () => {
    const r = rig({ send_time: 60 });
    await r.silo.store(message({ headers: [at(NOW + 300)] }));
    assert.equal((await r.store.get(1))!.sndTime, 0);
    assert.equal(r.silo.remindersEnabled, false);
  });

  test('send_time: the timer runs every send_time seconds and takes everything due at that moment or before', async () => {
    const r = rig({ ...ON, send_time: 120 }, { withLocator: true });
    r.locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }]);
    r.silo.start();
    await r.silo.store(message({ headers: [at(NOW + 10)] }));
    await r.silo.store(message({ headers: [at(NOW + 100)] }));
    await advance(r, 119_000);
    assert.equal(r.sender.sent.length, 0, 'the timer has not run yet');
    await advance(r, 1_000);
    assert.equal(r.sender.sent.length, 2);
    await r.silo.stop();
  });

  test('a reminder answered without 2xx: failed_reminders; it becomes an ordinary offline message, delivered at the next registration', async () => {
    const r = rig(ON, { withLocator: true });
    r.locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }]);
    await r.silo.store(message({ body: 'x', headers: [at(NOW)] }));
    r.sender.reply = () => 480;
    await r.silo.runReminders();
    assert.equal(r.stat('failed_reminders'), 1);
    assert.equal((await r.store.get(1))!.sndTime, 0, 'ms_reset_stime');
    r.sender.reply = () => 200;
    await r.silo.runReminders();
    assert.equal(r.sender.sent.length, 1, 'not retried as a reminder');
    const d = await r.silo.dump(BOB, { destinations: [{ uri: 'sip:bob@192.0.2.50' }] });
    assert.equal(d.delivered, 1);
    assert.equal(r.store.size, 0);
  });

  test('a reminder for an AoR with no binding: failed (480), kept as an offline message', async () => {
    const r = rig(ON, { withLocator: true });
    await r.silo.store(message({ headers: [at(NOW)] }));
    await r.silo.runReminders();
    assert.equal(r.sender.sent.length, 0);
    assert.equal(r.stat('failed_reminders'), 1);
    assert.equal((await r.store.get(1))!.sndTime, 0);
    const e = r.events.find((x) => x.name === 'message.failed')!.payload as { status: number; reminder: boolean };
    assert.deepEqual([e.status, e.reminder], [480, true]);
  });

  test('without a locator (or with outbound_proxy) a reminder goes to the AoR for the proxy to route', async () => {
    const a = rig(ON);
    await a.silo.store(message({ headers: [at(NOW)] }));
    await a.silo.runReminders();
    assert.equal(a.sender.sent[0]!.req.requestUri, BOB);
    const b = rig({ ...ON, outbound_proxy: 'sip:proxy.example.com' }, { withLocator: true });
    b.locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }]);
    await b.silo.store(message({ headers: [at(NOW)] }));
    await b.silo.runReminders();
    assert.equal(b.sender.sent[0]!.req.requestUri, BOB);
    assert.equal(b.sender.sent[0]!.opts.outboundProxy, 'sip:proxy.example.com');
  });

  test('add_date=0: the reminder body is sent unchanged', async () => {
    const r = rig({ ...ON, add_date: 0 });
    await r.silo.store(message({ body: 'plain', headers: [at(NOW)] }));
    await r.silo.runReminders();
    assert.equal(r.sender.sent[0]!.req.body.toString(), 'plain');
  });

  test('a reminder still waiting for its answer is not sent again by the next run', async () => {
    const r = rig(ON);
    await r.silo.store(message({ headers: [at(NOW)] }));
    r.sender.reply = () => 'defer';
    const first = r.silo.runReminders();
    await flushMicrotasks(50);
    await r.silo.runReminders();
    assert.equal(r.sender.sent.length, 1);
    r.sender.sent[0]!.answer(200);
    await first;
    assert.equal(r.store.size, 0);
  });

  test('a malformed send time is refused 400 Bad Send Time (YYYYMMDDHHMMSS, UTC)', async () => {
    const r = rig(ON);
    const res = await r.silo.store(message({ headers: [['X-Send-Time', '2025-01-01 10:00']] }));
    assert.deepEqual([res.status, res.ok ? '' : res.reason], [400, 'Bad Send Time']);
    assert.equal(r.store.size, 0);
  });

  test('send_time_header names the header read', async () => {
    const r = rig({ ...ON, send_time_header: 'X-Remind-At' });
    await r.silo.store(message({ headers: [['X-Remind-At', formatSendTime(NOW + 60)]] }));
    assert.equal((await r.store.get(1))!.sndTime, NOW + 60);
  });

  test('expire_time of a reminder counts from its send time, so it cannot expire unsent', async () => {
    const r = rig({ ...ON, expire_time: 3600 });
    await r.silo.store(message({ headers: [at(NOW + 86_400)] }));
    assert.equal((await r.store.get(1))!.expTime, NOW + 86_400 + 3600);
  });

  test('the send time given by the API (StoreOptions.sendTime, ms) wins over the header', async () => {
    const r = rig(ON);
    await r.silo.store(message({ headers: [at(NOW + 60)] }), { sendTime: (NOW + 600) * 1000 });
    assert.equal((await r.store.get(1))!.sndTime, NOW + 600);
  });
});
