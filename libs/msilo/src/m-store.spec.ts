import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySiloStore } from './memory-silo-store.js';
import { message, rig, T0 } from './spec-support.js';

const NOW = T0 / 1000;

describe('m_store', () => {
  test('answers 202 Accepted only once the row is committed (nothing acknowledged is lost)', async () => {
    const store = new MemorySiloStore();
    let commit!: () => void;
    const gate = new Promise<void>((r) => (commit = r));
    const slow = Object.assign(Object.create(store) as MemorySiloStore, {
      insert: async (m: Parameters<MemorySiloStore['insert']>[0]) => {
        await gate;
        return store.insert(m);
      },
    });
    const { silo } = rig({}, { store: slow });
    let answered = false;
    const p = silo.store(message()).then((r) => {
      answered = true;
      return r;
    });
    for (let i = 0; i < 20; i++) await Promise.resolve();
    assert.equal(answered, false, 'no answer before the commit');
    commit();
    const r = await p;
    assert.deepEqual(r, { ok: true, status: 202, reason: 'Accepted', id: 1 });
    assert.equal(store.size, 1);
  });

  test('stores src_addr, dst_addr, owner, body, ctype (charset kept) and inc_time (seed §1)', async () => {
    const { silo, store } = rig();
    await silo.store(message({ from: 'sip:alice@example.com;transport=tcp', to: 'sip:Bob@Example.COM', contentType: 'text/plain;charset=UTF-8', body: 'héllo' }));
    const row = (await store.get(1))!;
    assert.equal(row.srcAddr, 'sip:alice@example.com;transport=tcp');
    assert.equal(row.dstAddr, 'sip:Bob@Example.COM');
    assert.equal(row.username, 'Bob');
    assert.equal(row.domain, 'example.com', 'the owner domain is lower-cased');
    assert.equal(row.contentType, 'text/plain;charset=UTF-8');
    assert.equal(row.body.toString('utf8'), 'héllo');
    assert.equal(row.incTime, NOW);
    assert.equal(row.sndTime, 0);
    assert.equal(row.status, 0);
  });

  test('owner: the R-URI when it is a full AoR (user@host)', async () => {
    const { silo, store } = rig();
    await silo.store(message({ ruri: 'sip:carol@example.org', to: 'sip:bob@example.com' }));
    const row = (await store.get(1))!;
    assert.deepEqual([row.username, row.domain], ['carol', 'example.org']);
    assert.equal(row.dstAddr, 'sip:bob@example.com');
  });

  test('owner: the To URI when the R-URI is not an AoR (no user part)', async () => {
    const { silo, store } = rig();
    await silo.store(message({ ruri: 'sip:192.0.2.99:5070', to: 'sip:bob@example.com' }));
    const row = (await store.get(1))!;
    assert.deepEqual([row.username, row.domain], ['bob', 'example.com']);
  });

  test('m_store(owner): the failure route stores under the AoR it names (R-URI is a contact)', async () => {
    const { silo, store } = rig();
    const r = await silo.store(message({ ruri: 'sip:bob@192.0.2.50:5062;transport=udp' }), { owner: 'sip:bob@example.com' });
    assert.equal(r.status, 202);
    const row = (await store.get(1))!;
    assert.deepEqual([row.username, row.domain], ['bob', 'example.com']);
  });

  test('m_store(owner): an owner without a user part is refused (400 Bad Owner Address)', async () => {
    const { silo, store } = rig();
    const r = await silo.store(message(), { owner: 'sip:example.com' });
    assert.deepEqual(r, { ok: false, status: 400, reason: 'Bad Owner Address', code: 'bad_owner', detail: 'sip:example.com' });
    assert.equal(store.size, 0);
  });

  test('no AoR in R-URI nor To: 484 Address Incomplete', async () => {
    const { silo } = rig();
    const r = await silo.store(message({ ruri: 'sip:example.com', to: 'sip:example.com' }));
    assert.equal(r.status, 484);
  });

  test('m_store_addrs(owner, srcaddr, dstaddr): the given addresses replace From and To', async () => {
    const { silo, store } = rig();
    await silo.store(message(), { owner: 'sip:bob@a.com', srcAddr: 'sip:alice@a.com', dstAddr: 'sip:bob@a.com' });
    const row = (await store.get(1))!;
    assert.deepEqual([row.srcAddr, row.dstAddr, row.username, row.domain], ['sip:alice@a.com', 'sip:bob@a.com', 'bob', 'a.com']);
  });

  test('m_store refuses an empty body (400), a body without Content-Type (400) and an oversized body (513)', async () => {
    const { silo, store } = rig({}, { limits: { maxBodySize: 10 } });
    assert.equal((await silo.store(message({ body: '' }))).status, 400);
    const noCt = await silo.store(message({ contentType: null }));
    assert.equal(noCt.ok ? 0 : noCt.code, 'missing_content_type');
    const big = await silo.store(message({ body: 'x'.repeat(11) }));
    assert.equal(big.status, 513);
    assert.equal(store.size, 0);
  });

  test('a Content-Type longer than the ctype column keeps its media type; a media type longer still is refused 415', async () => {
    const { silo, store } = rig();
    await silo.store(message({ contentType: 'text/plain; charset=utf-8; format=flowed; delsp=yes' }));
    assert.equal((await store.get(1))!.contentType, 'text/plain');
    const r = await silo.store(message({ contentType: 'application/vnd.example.very-long-type+xml' }));
    assert.equal(r.status, 415);
  });

  test('a database failure answers 503 and counts nothing (seed sample config: m_store fails -> 503)', async () => {
    const store = new MemorySiloStore();
    store.insert = async () => {
      throw new Error('connection refused');
    };
    const { silo, stat, warnings } = rig({}, { store });
    const r = await silo.store(message());
    assert.deepEqual(r, { ok: false, status: 503, reason: 'Service Unavailable', code: 'store_failed' });
    assert.equal(stat('stored_messages'), 0);
    assert.match(warnings[0]!, /connection refused/);
  });

  test('expire_time: exp_time = inc_time + expire_time (default 259200 s, 72 h)', async () => {
    const { silo, store } = rig();
    await silo.store(message());
    assert.equal((await store.get(1))!.expTime, NOW + 259_200);
  });

  test('expire_time: a shorter Expires in the MESSAGE wins; a longer one does not extend it', async () => {
    const { silo, store } = rig({ expire_time: 3600 });
    await silo.store(message({ headers: [['Expires', '600']] }));
    await silo.store(message({ headers: [['Expires', '7200']] }));
    assert.equal((await store.get(1))!.expTime, NOW + 600);
    assert.equal((await store.get(2))!.expTime, NOW + 3600);
  });

  test('max_messages: the message beyond the limit is refused 486 Inbox Full, other inboxes are unaffected', async () => {
    const { silo, store } = rig({ max_messages: 2 });
    assert.equal((await silo.store(message())).status, 202);
    assert.equal((await silo.store(message())).status, 202);
    const r = await silo.store(message());
    assert.deepEqual(r, { ok: false, status: 486, reason: 'Inbox Full', code: 'inbox_full' });
    assert.equal((await silo.store(message({ to: 'sip:carol@example.com' }))).status, 202);
    assert.equal(store.size, 3);
  });

  test('max_messages: a burst of concurrent MESSAGEs cannot overshoot the limit', async () => {
    const { silo, store } = rig({ max_messages: 5 });
    await silo.store(message());
    const results = await Promise.all(Array.from({ length: 20 }, () => silo.store(message())));
    assert.equal(results.filter((r) => r.status === 202).length, 4);
    assert.equal(results.filter((r) => r.status === 486).length, 16);
    assert.equal(await store.count('bob', 'example.com'), 5);
  });

  test('max_messages: room freed by a delivery is seen by the next store', async () => {
    const { silo, store } = rig({ max_messages: 1 });
    await silo.store(message());
    assert.equal((await silo.store(message())).status, 486);
    await silo.dump('sip:bob@example.com', { destinations: [{ uri: 'sip:bob@192.0.2.50' }] });
    assert.equal(store.size, 0);
    assert.equal((await silo.store(message())).status, 202);
  });

  test('max_messages = 0 (default): no limit', async () => {
    const { silo, store } = rig();
    for (let i = 0; i < 50; i++) await silo.store(message());
    assert.equal(store.size, 50);
  });

  test('stored_messages counts and message.stored announces a plain JSON payload', async () => {
    const { silo, stat, events } = rig();
    await silo.store(message({ body: 'see you at 5' }));
    assert.equal(stat('stored_messages'), 1);
    assert.equal(events.length, 1);
    const e = events[0]!;
    assert.equal(e.name, 'message.stored');
    assert.deepEqual(JSON.parse(JSON.stringify(e.payload)), {
      id: 1,
      owner: 'sip:bob@example.com',
      from: 'sip:alice@example.com',
      to: 'sip:bob@example.com',
      contentType: 'text/plain',
      time: T0,
      expires: T0 + 259_200_000,
      sendTime: null,
      bodySize: 12,
      bodyPreview: 'see you at 5',
    });
  });

  test('use_mode=0: the Call-ID is not stored', async () => {
    const { silo, store } = rig();
    await silo.store(message({ callId: 'abc@host' }));
    assert.equal((await store.get(1))!.callId, '');
  });

  test('use_mode=1: the Call-ID of the MESSAGE is stored', async () => {
    const { silo, store } = rig({ use_mode: 1 });
    await silo.store(message({ callId: 'abc@host' }));
    assert.equal((await store.get(1))!.callId, 'abc@host');
  });

  test('extra_hdrs_avp unset: no headers are kept with the message', async () => {
    const { silo, store } = rig();
    await silo.store(message({ headers: [['Subject', 'hi'], ['X-App', '1']] }));
    assert.equal((await store.get(1))!.extraHdrs, '');
  });

  test('extra_hdrs_avp: the headers it names are kept, in order (compact forms match)', async () => {
    const { silo, store, warnings } = rig({ extra_hdrs_avp: 'Subject, X-App, $avp(x)' });
    await silo.store(message({ headers: [['s', 'hi'], ['X-Other', 'no'], ['x-app', '1'], ['X-App', '2']] }));
    assert.equal((await store.get(1))!.extraHdrs, 's: hi\r\nx-app: 1\r\nX-App: 2\r\n');
    assert.match(warnings[0]!, /\$avp\(x\)/);
  });

  test('extra_hdrs_avp: headers beyond the limit are refused 513, not cut', async () => {
    const { silo } = rig({ extra_hdrs_avp: 'X-Big' }, { limits: { maxStoredHeaders: 20 } });
    const r = await silo.store(message({ headers: [['X-Big', 'y'.repeat(30)]] }));
    assert.equal(r.ok ? 0 : r.code, 'headers_too_large');
  });

  test('the body is copied: reusing the received buffer later cannot change the stored message', async () => {
    const { silo, store } = rig();
    const req = message({ body: 'original' });
    await silo.store(req);
    req.body.fill(0x41);
    assert.equal((await store.get(1))!.body.toString(), 'original');
  });
});
