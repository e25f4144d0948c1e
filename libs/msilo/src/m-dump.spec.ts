import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUriOrThrow, type SipUri } from '@pbx/sip';
import { MemorySiloStore } from './memory-silo-store.js';
import { flushMicrotasks, message, register, rig, T0 } from './spec-support.js';
import type { SiloLimits } from './silo-api.js';

const BOB = 'sip:bob@example.com';
const PHONE = { uri: 'sip:bob@192.0.2.50:5062;transport=udp' };
const NOW = T0 / 1000;

describe('m_dump', () => {
  test('sends each stored message to the contact that registered, From the original sender, To dst_addr; deletes it after 2xx', async () => {
    const { silo, store, sender, stat } = rig();
    await silo.store(message({ from: 'sip:alice@example.com', body: 'one' }));
    const report = await silo.dump(BOB, { destinations: [PHONE] });
    assert.deepEqual(report, { owner: BOB, targets: 1, sent: 1, delivered: 1, failed: 0, skipped: 0 });
    const [s] = sender.of('dump');
    assert.equal(s!.req.method, 'MESSAGE');
    assert.equal(s!.req.requestUri, PHONE.uri);
    assert.equal(s!.req.from().uri.toString(), 'sip:alice@example.com');
    assert.ok(s!.req.from().tag, 'From has a tag');
    assert.equal(s!.req.to().uri.toString(), BOB);
    assert.equal(s!.req.to().tag, undefined, 'RFC 3428: no To tag');
    assert.equal(s!.req.cseq().method, 'MESSAGE');
    assert.equal(s!.req.maxForwards(), 70);
    assert.equal(s!.req.vias().length, 0, 'the sender adds the Via');
    assert.equal(s!.req.contentType()!.mediaType, 'text/plain');
    assert.deepEqual(s!.opts, { purpose: 'dump', destination: PHONE });
    assert.equal(store.size, 0);
    assert.equal(stat('dumped_messages'), 1);
  });

  test('mayHaveMessages (asked on every REGISTER): false with nothing stored for the owner, true once a message is; the domain in any case', async () => {
    const { silo } = rig();
    await silo.start();
    const uri = (s: string) => parseUriOrThrow(s) as SipUri;
    assert.equal(silo.mayHaveMessages(uri('sip:bob@example.com')), false);
    await silo.store(message({ body: 'one' }));
    assert.equal(silo.mayHaveMessages(uri('sip:bob@EXAMPLE.com')), true);
    assert.equal(silo.mayHaveMessages(uri('sip:ann@example.com')), false);
    await silo.stop();
  });

  test('a backlog is deleted in grouped statements: the 2xx that arrive while a DELETE runs share the next one', async () => {
    const { silo, store, sender, stat } = rig();
    for (let i = 0; i < 200; i++) await silo.store(message({ body: `m${i}` }));
    sender.reply = () => 'defer';
    const statements: number[] = [];
    const del = store.delete.bind(store);
    store.delete = (ids) => {
      statements.push(ids.length);
      return del(ids);
    };
    const dump = silo.dump(BOB, { destinations: [PHONE] });
    // Answer every MESSAGE as it goes out (the window refills as answers come in).
    for (let answered = 0, rounds = 0; answered < 200 && rounds < 1000; rounds++) {
      await flushMicrotasks();
      for (const s of sender.sent.slice(answered)) s.answer(200);
      answered = sender.sent.length;
    }
    assert.equal((await dump).delivered, 200);
    assert.equal(store.size, 0);
    assert.equal(stat('dumped_messages'), 200);
    assert.equal(statements.reduce((a, b) => a + b, 0), 200, 'each row deleted once');
    assert.ok(statements.length < 20, `${statements.length} DELETE statements for 200 messages`);
  });

  test('nothing is lost when delivery fails: 480 keeps the message and counts failed_messages; the next dump delivers it', async () => {
    const { silo, store, sender, stat, events } = rig();
    await silo.store(message({ body: 'keep me' }));
    sender.reply = () => 480;
    const r1 = await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(r1.failed, 1);
    assert.equal(store.size, 1, 'still stored');
    assert.equal(stat('failed_messages'), 1);
    assert.equal(events.at(-1)!.name, 'message.failed');
    sender.reply = () => 200;
    const r2 = await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(r2.delivered, 1);
    assert.equal(store.size, 0);
    assert.deepEqual(sender.bodies().map((b) => b.endsWith('keep me')), [true, true]);
    assert.equal(stat('dumped_messages'), 1);
  });

  test('a 408 (Timer F) and a sender that rejects both count as failures and keep the message', async () => {
    const { silo, store, sender, stat } = rig();
    await silo.store(message());
    await silo.store(message());
    let n = 0;
    sender.reply = () => (n++ === 0 ? 408 : 'throw');
    const r = await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(r.failed, 2);
    assert.equal(store.size, 2);
    assert.equal(stat('failed_messages'), 2);
  });

  test('exactly once: a message already being delivered is not sent again by an overlapping dump', async () => {
    const { silo, store, sender } = rig();
    await silo.store(message({ body: 'a' }));
    await silo.store(message({ body: 'b' }));
    sender.reply = () => 'defer';
    const first = silo.dump(BOB, { destinations: [PHONE] });
    await flushMicrotasks(50);
    assert.equal(sender.sent.length, 2);
    // The phone re-registers before answering: the second dump must not resend.
    const second = await silo.dump(BOB, { destinations: [PHONE] });
    assert.deepEqual([second.sent, second.skipped], [0, 2]);
    assert.equal(silo.delivering, 2);
    for (const s of sender.sent) s.answer(200);
    const r = await first;
    assert.equal(r.delivered, 2);
    assert.equal(store.size, 0);
    assert.equal(sender.sent.length, 2, 'each message sent exactly once');
  });

  test('exactly-once deletion: a 2xx whose delete fails is not resent; the check_time sweep deletes it', async () => {
    const store = new MemorySiloStore();
    const realDelete = store.delete.bind(store);
    let down = true;
    store.delete = async (ids) => {
      if (down) throw new Error('database down');
      return realDelete(ids);
    };
    const { silo, sender, stat } = rig({}, { store });
    await silo.store(message());
    const r = await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(r.delivered, 1);
    assert.equal(stat('dumped_messages'), 1);
    assert.equal(store.size, 1, 'not deleted yet');
    const again = await silo.dump(BOB, { destinations: [PHONE] });
    assert.deepEqual([again.sent, again.skipped], [0, 1], 'delivered once: not sent again');
    down = false;
    await silo.runCheckCycle();
    assert.equal(store.size, 0);
    assert.equal(silo.delivering, 0);
    assert.equal(sender.sent.length, 1);
  });

  test('messages of a dump go out in storage order, also across pages', async () => {
    const { silo, sender } = rig({ add_date: 0 }, { limits: { dumpPageSize: 3, maxInFlight: 2 } });
    for (let i = 1; i <= 10; i++) await silo.store(message({ body: `m${i}` }));
    const r = await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(r.delivered, 10);
    assert.deepEqual(sender.bodies(), Array.from({ length: 10 }, (_, i) => `m${i + 1}`));
  });

  /**
   * Stores `count` messages of `body`, dumps them to a phone that answers
   * only when told, and returns how many were sent before any answer and
   * after the first one; then lets the dump finish and checks it delivered all.
   */
  async function deliveriesAwaitingAnswer(limits: Partial<SiloLimits>, count: number, body?: string): Promise<[number, number]> {
    const { silo, sender } = rig({}, { limits });
    for (let i = 0; i < count; i++) await silo.store(message(body === undefined ? {} : { body }));
    sender.reply = () => 'defer';
    const p = silo.dump(BOB, { destinations: [PHONE] });
    await flushMicrotasks(50);
    const before = sender.sent.length;
    sender.sent[0]!.answer(200);
    await flushMicrotasks(50);
    const after = sender.sent.length;
    sender.reply = () => 200;
    for (const s of sender.sent) s.answer(200);
    await flushMicrotasks(50);
    for (const s of sender.sent) s.answer(200);
    assert.equal((await p).delivered, count);
    return [before, after];
  }

  test('maxInFlight bounds the deliveries of one dump that wait for an answer', async () => {
    assert.deepEqual(await deliveriesAwaitingAnswer({ maxInFlight: 3 }, 7), [3, 4]);
  });

  test('maxInFlightBytes bounds the bytes of the deliveries awaiting an answer (wireSizeOf: 400 + body)', async () => {
    const body = 'x'.repeat(600);
    assert.deepEqual(await deliveriesAwaitingAnswer({ maxInFlight: 100, maxInFlightBytes: 2 * (400 + body.length) }, 5, body), [2, 3]);
  });

  test('only the owner\'s messages, not reminders (snd_time set), not expired ones', async () => {
    const { silo, store, sender } = rig();
    await silo.store(message({ body: 'mine' }));
    await silo.store(message({ to: 'sip:carol@example.com', body: 'carol' }));
    await store.insert({ srcAddr: 'sip:a@x', dstAddr: BOB, username: 'bob', domain: 'example.com', incTime: NOW, expTime: NOW + 100, sndTime: NOW + 50, contentType: 'text/plain', body: Buffer.from('reminder'), extraHdrs: '', callId: '' });
    await store.insert({ srcAddr: 'sip:a@x', dstAddr: BOB, username: 'bob', domain: 'example.com', incTime: NOW - 10, expTime: NOW, sndTime: 0, contentType: 'text/plain', body: Buffer.from('expired'), extraHdrs: '', callId: '' });
    const r = await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(r.sent, 1);
    assert.ok(sender.bodies()[0]!.endsWith('mine'));
  });

  test('add_date=1 (default): Date header with the stored time and "[Offline message - …] " prefix on text/plain', async () => {
    const { silo, sender, clock } = rig();
    await silo.store(message({ body: 'hi' }));
    clock.advance(3_600_000);
    await silo.dump(BOB, { destinations: [PHONE] });
    const req = sender.sent[0]!.req;
    assert.equal(req.get('Date'), 'Wed, 01 Jan 2025 00:00:00 GMT');
    assert.equal(req.body.toString(), '[Offline message - Wed Jan  1 00:00:00 2025] hi');
  });

  test('add_date=1: a body that is not text/plain is delivered unchanged (a prefix would corrupt it)', async () => {
    const { silo, sender } = rig();
    await silo.store(message({ contentType: 'message/cpim', body: 'From: <sip:a@x>\r\n\r\nContent-Type: text/plain\r\n\r\nhi' }));
    await silo.dump(BOB, { destinations: [PHONE] });
    assert.ok(sender.sent[0]!.req.body.toString().startsWith('From: <sip:a@x>'));
    assert.ok(sender.sent[0]!.req.has('Date'));
  });

  test('date_in_header (with add_date=1): the stored time only in the Date header, the body verbatim', async () => {
    const { silo, sender } = rig({ date_in_header: true });
    await silo.store(message({ body: 'verbatim' }));
    await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(sender.sent[0]!.req.body.toString(), 'verbatim');
    assert.equal(sender.sent[0]!.req.get('Date'), 'Wed, 01 Jan 2025 00:00:00 GMT');
  });

  test('add_date=0: delivered unchanged, no prefix and no Date header', async () => {
    const { silo, sender } = rig({ add_date: 0 });
    await silo.store(message({ body: 'plain' }));
    await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(sender.sent[0]!.req.body.toString(), 'plain');
    assert.equal(sender.sent[0]!.req.has('Date'), false);
  });

  test('add_contact=0 (default, RFC 3428): no Contact; add_contact=1: Contact <src_addr>;msilo=yes', async () => {
    const a = rig();
    await a.silo.store(message());
    await a.silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(a.sender.sent[0]!.req.has('Contact'), false);
    const b = rig({ add_contact: 1 });
    await b.silo.store(message());
    await b.silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(b.sender.sent[0]!.req.get('Contact'), '<sip:alice@example.com>;msilo=yes');
  });

  test('extra_hdrs: added to every dumped message, pseudo-variables read from the REGISTER', async () => {
    const { silo, sender } = rig({ extra_hdrs: 'X-Extra: $tu\r\nY-Extra: foo\r\n' });
    await silo.store(message());
    await silo.dump(BOB, { destinations: [PHONE], register: register({ aor: 'sip:bob@example.com' }) });
    assert.equal(sender.sent[0]!.req.get('X-Extra'), 'sip:bob@example.com');
    assert.equal(sender.sent[0]!.req.get('Y-Extra'), 'foo');
  });

  test('extra_hdrs_avp: headers stored with the message come back on delivery', async () => {
    const { silo, sender } = rig({ extra_hdrs_avp: 'Subject,X-App' });
    await silo.store(message({ headers: [['Subject', 'lunch?'], ['X-App', 'chat']] }));
    await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(sender.sent[0]!.req.get('Subject'), 'lunch?');
    assert.equal(sender.sent[0]!.req.get('X-App'), 'chat');
  });

  test('use_mode=1: the stored Call-ID is reused on delivery; use_mode=0: a new one', async () => {
    const a = rig({ use_mode: 1 });
    await a.silo.store(message({ callId: 'orig-1@phone' }));
    await a.silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(a.sender.sent[0]!.req.callId(), 'orig-1@phone');
    const b = rig();
    await b.silo.store(message({ callId: 'orig-1@phone' }));
    await b.silo.dump(BOB, { destinations: [PHONE] });
    assert.notEqual(b.sender.sent[0]!.req.callId(), 'orig-1@phone');
  });

  test('a binding\'s Path becomes the Route set of the delivery (RFC 3327 §5.3)', async () => {
    const { silo, sender } = rig();
    await silo.store(message());
    await silo.dump(BOB, { destinations: [{ uri: PHONE.uri, path: ['<sip:edge.example.com;lr>'] }] });
    assert.deepEqual(sender.sent[0]!.req.getAll('Route'), ['<sip:edge.example.com;lr>']);
  });

  test('no destination and no locator: each message goes to its dst_addr for the proxy to route (Kamailio m_dump)', async () => {
    const { silo, sender } = rig();
    await silo.store(message({ to: 'sip:bob@example.com;user=phone' }), { owner: BOB });
    await silo.dump(BOB);
    assert.equal(sender.sent[0]!.req.requestUri, 'sip:bob@example.com;user=phone');
    assert.equal(sender.sent[0]!.opts.destination, undefined);
  });

  test('outbound_proxy: dumps go to dst_addr with the proxy as next hop, whatever bindings are given', async () => {
    const { silo, sender } = rig({ outbound_proxy: 'sip:proxy.example.com;transport=tcp' });
    await silo.store(message());
    await silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(sender.sent[0]!.req.requestUri, BOB);
    assert.deepEqual(sender.sent[0]!.opts, { purpose: 'dump', outboundProxy: 'sip:proxy.example.com;transport=tcp' });
  });

  test('dump_to_all_bindings: every current binding gets each message; the first 2xx deletes it, counted once', async () => {
    const { silo, store, sender, locator, stat } = rig({ dump_to_all_bindings: true }, { withLocator: true });
    locator.bindings.set(BOB, [{ uri: 'sip:bob@192.0.2.50' }, { uri: 'sip:bob@192.0.2.51' }]);
    await silo.store(message());
    sender.reply = (req) => (req.requestUri.endsWith('.51') ? 200 : 415);
    const r = await silo.dump(BOB, { destinations: [PHONE] });
    await silo.settled();
    assert.deepEqual(sender.sent.map((s) => s.req.requestUri).sort(), ['sip:bob@192.0.2.50', 'sip:bob@192.0.2.51']);
    assert.equal(r.delivered, 1);
    assert.equal(store.size, 0);
    assert.equal(stat('dumped_messages'), 1);
    assert.equal(stat('failed_messages'), 0);
  });

  test('dump_to_all_bindings with no binding: nothing is sent, nothing deleted', async () => {
    const { silo, store, sender } = rig({ dump_to_all_bindings: true }, { withLocator: true });
    await silo.store(message());
    const r = await silo.dump(BOB);
    assert.deepEqual([r.targets, r.sent], [0, 0]);
    assert.equal(sender.sent.length, 0);
    assert.equal(store.size, 1);
  });

  test('message.dumped carries the status, the target and reminder=false', async () => {
    const { silo, events } = rig();
    await silo.store(message());
    await silo.dump(BOB, { destinations: [PHONE] });
    const e = events.find((x) => x.name === 'message.dumped')!.payload as { status: number; target: string; reminder: boolean };
    assert.deepEqual([e.status, e.target, e.reminder], [200, PHONE.uri, false]);
  });

  test('a bad owner is refused with SiloError bad_owner', async () => {
    const { silo } = rig();
    await assert.rejects(silo.dump('sip:example.com'), { name: 'SiloError', code: 'bad_owner' });
  });

  test('a stored address that no longer parses fails that message only (kept, counted), the rest go out', async () => {
    const { silo, store, sender, stat } = rig();
    await store.insert({ srcAddr: 'sip:bad address@x', dstAddr: BOB, username: 'bob', domain: 'example.com', incTime: NOW, expTime: NOW + 100, sndTime: 0, contentType: 'text/plain', body: Buffer.from('x'), extraHdrs: '', callId: '' });
    await silo.store(message({ body: 'good' }));
    const r = await silo.dump(BOB, { destinations: [PHONE] });
    assert.deepEqual([r.delivered, r.failed], [1, 1]);
    assert.equal(sender.sent.length, 1);
    assert.equal(store.size, 1);
    assert.equal(stat('failed_messages'), 1);
  });
});
