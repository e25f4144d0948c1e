import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InboxCache } from './inbox-cache.js';
import type { SiloRow } from './silo-message.js';
import { message, rig, T0, type Rig } from './spec-support.js';

const NOW = T0 / 1000;
const BOB = 'sip:bob@example.com';
const KEY = 'bob@example.com';
const PHONE = { uri: 'sip:bob@192.0.2.50:5062;transport=udp' };

function row(id: number, extra: Partial<SiloRow> = {}): SiloRow {
  return { id, status: 0, srcAddr: 'sip:a@x', dstAddr: BOB, username: 'bob', domain: 'example.com', incTime: NOW, expTime: NOW + 60, sndTime: 0, contentType: 'text/plain', body: Buffer.from(`m${id}`), extraHdrs: '', callId: '', ...extra };
}

/** Counts the queries a dump makes. */
function countPending(r: Rig): { readonly calls: number } {
  const counter = { calls: 0 };
  const pending = r.store.pending.bind(r.store);
  r.store.pending = (...a) => {
    counter.calls++;
    return pending(...a);
  };
  return counter;
}

describe('InboxCache: the rows of inboxes followed from empty', () => {
  test('rows of a followed owner come back in id order, not expired, after afterId, at most limit', () => {
    const c = new InboxCache(1 << 20);
    c.add(KEY, 1, row(1));
    assert.equal(c.count(KEY), null, 'not followed: nothing kept');
    c.start(KEY);
    c.add(KEY, 3, row(3));
    c.add(KEY, 2, row(2));
    c.add(KEY, 4, row(4, { expTime: NOW - 1 }));
    assert.deepEqual(c.pending(KEY, NOW, 0, 10).map((r) => r.id), [2, 3]);
    assert.deepEqual(c.pending(KEY, NOW, 2, 10).map((r) => r.id), [3]);
    assert.deepEqual(c.pending(KEY, NOW, 0, 1).map((r) => r.id), [2]);
    assert.equal(c.count(KEY), 3);
    c.remove(KEY, 3);
    assert.deepEqual(c.pending(KEY, NOW - 10, 0, 10).map((r) => r.id), [2, 4]);
  });

  test('a reminder or a row beyond the memory budget stops following the owner; an emptied inbox is let go', () => {
    const c = new InboxCache(1 << 20);
    c.start(KEY);
    c.add(KEY, 1, row(1));
    c.add(KEY, 2, row(2, { sndTime: NOW + 60 }));
    assert.equal(c.count(KEY), null, 'a reminder changes in place: read from the table');
    assert.equal(c.size, 0);
    const small = new InboxCache(1000);
    small.start(KEY);
    small.add(KEY, 1, row(1));
    assert.equal(small.count(KEY), 1);
    small.add(KEY, 2, row(2, { body: Buffer.alloc(1000) }));
    assert.equal(small.count(KEY), null);
    small.start(KEY);
    small.add(KEY, 5, row(5));
    small.remove(KEY, 5);
    assert.equal(small.count(KEY), null);
    assert.equal(small.size, 0);
  });
});

describe('MessageSilo with the inbox cache (m_dump of a backlog stored since the start)', () => {
  test('a backlog stored since the start is dumped without a query, in storage order', async () => {
    const r = rig({ add_date: 0 });
    await r.silo.start();
    const q = countPending(r);
    for (let i = 0; i < 5; i++) await r.silo.store(message({ body: `m${i}` }));
    const report = await r.silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(report.delivered, 5);
    assert.deepEqual(r.sender.bodies(), ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.equal(q.calls, 0);
    assert.equal(r.store.size, 0);
    await r.silo.stop();
  });

  test('rows from before the start (a restart) are read from the table, and so are the ones stored after them', async () => {
    const r = rig({ add_date: 0 });
    await r.store.insert({ ...row(0), body: Buffer.from('from before') });
    await r.silo.start();
    await r.silo.store(message({ body: 'after' }));
    const q = countPending(r);
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 2);
    assert.deepEqual(r.sender.bodies(), ['from before', 'after']);
    assert.equal(q.calls, 1);
    await r.silo.stop();
  });

  test('a message deleted through the API or expired is not sent from the cache', async () => {
    const r = rig({ add_date: 0, expire_time: 60 });
    await r.silo.start();
    const first = await r.silo.store(message({ body: 'deleted' }));
    assert.ok(first.ok);
    await r.silo.store(message({ body: 'kept' }));
    assert.equal(await r.silo.delete(first.id), true);
    r.clock.advance(30_000);
    await r.silo.store(message({ body: 'later' }));
    r.clock.advance(40_000); // 'kept' is past its expire_time, 'later' is not
    const q = countPending(r);
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 1);
    assert.deepEqual(r.sender.bodies(), ['later']);
    assert.equal(q.calls, 0);
    await r.silo.stop();
  });

  test('a store still waiting for its INSERT sends the dump to the table (the counts differ)', async () => {
    const r = rig({ add_date: 0 });
    await r.silo.start();
    await r.silo.store(message({ body: 'committed' }));
    const insert = r.store.insert.bind(r.store);
    let commit!: () => void;
    r.store.insert = (m) => new Promise((resolve) => (commit = () => void insert(m).then(resolve)));
    const pendingStore = r.silo.store(message({ body: 'in flight' }));
    const q = countPending(r);
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 1);
    assert.equal(q.calls, 1);
    commit();
    assert.equal((await pendingStore).status, 202);
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 1);
    assert.deepEqual(r.sender.bodies(), ['committed', 'in flight']);
    await r.silo.stop();
  });

  test('reloadIndex (rows written behind msilo) drops the cache; maxCachedBytes 0 turns it off', async () => {
    const r = rig({ add_date: 0 });
    await r.silo.start();
    await r.silo.store(message({ body: 'cached' }));
    await r.store.insert({ ...row(0), body: Buffer.from('restored') });
    await r.silo.reloadIndex();
    const q = countPending(r);
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 2);
    assert.equal(q.calls, 1);
    await r.silo.stop();

    const off = rig({ add_date: 0 }, { limits: { maxCachedBytes: 0 } });
    await off.silo.start();
    await off.silo.store(message({ body: 'one' }));
    const q2 = countPending(off);
    assert.equal((await off.silo.dump(BOB, { destinations: [PHONE] })).delivered, 1);
    assert.equal(q2.calls, 1);
    await off.silo.stop();
  });
});
