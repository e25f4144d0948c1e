import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ownerKey, SiloIndex, type OwnerCount } from './silo-index.js';
import type { NewSiloMessage } from './silo-message.js';
import { message, rig, T0 } from './spec-support.js';

const NOW = T0 / 1000;
const BOB = 'sip:bob@example.com';
const PHONE = { uri: 'sip:bob@192.0.2.50:5062;transport=udp' };

function row(username: string, body = 'x', extra: Partial<NewSiloMessage> = {}): NewSiloMessage {
  return { srcAddr: 'sip:a@x', dstAddr: `sip:${username}@example.com`, username, domain: 'example.com', incTime: NOW, expTime: NOW + 3600, sndTime: 0, contentType: 'text/plain', body: Buffer.from(body), extraHdrs: '', callId: '', ...extra };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SiloIndex: which owners have stored messages (m_dump without a query)', () => {
  test('before the first load every owner may have messages; after it only counted ones', async () => {
    const ix = new SiloIndex();
    assert.equal(ix.mayHave('bob@example.com'), true, 'not loaded: ask the database');
    await ix.reload(async () => [{ username: 'bob', domain: 'example.com', count: 2 }]);
    assert.equal(ix.ready, true);
    assert.equal(ix.mayHave('bob@example.com'), true);
    assert.equal(ix.mayHave('ann@example.com'), false);
    assert.equal(ix.count('bob@example.com'), 2);
  });

  test('add and remove keep a count per owner; at zero the owner is gone; never below zero', async () => {
    const ix = new SiloIndex();
    await ix.reload(async () => []);
    ix.add('a@x');
    ix.add('a@x');
    ix.remove('a@x');
    assert.equal(ix.count('a@x'), 1);
    ix.remove('a@x', 5);
    assert.equal(ix.count('a@x'), 0);
    assert.equal(ix.mayHave('a@x'), false);
    assert.equal(ix.owners, 0);
  });

  test('during a reload every owner may have messages; additions made meanwhile are replayed, removals are not (over-count, never under-count)', async () => {
    const ix = new SiloIndex();
    await ix.reload(async () => [{ username: 'b', domain: 'x', count: 1 }]);
    const gate = deferred<OwnerCount[]>();
    const loading = ix.reload(() => gate.promise);
    assert.equal(ix.mayHave('z@x'), true, 'unknown while loading');
    ix.add('c@x'); // stored while the snapshot is read: maybe not in it
    ix.remove('b@x'); // deleted: maybe already missing from the snapshot
    gate.resolve([{ username: 'b', domain: 'x', count: 3 }]);
    await loading;
    assert.equal(ix.count('c@x'), 1);
    assert.equal(ix.count('b@x'), 3, 'the snapshot wins for removals');
    assert.equal(ix.mayHave('z@x'), false);
  });

  test('a failed reload keeps the counts it had (and what was added meanwhile)', async () => {
    const ix = new SiloIndex();
    await ix.reload(async () => [{ username: 'b', domain: 'x', count: 1 }]);
    const failing = ix.reload(async () => {
      ix.add('c@x');
      throw new Error('db down');
    });
    await assert.rejects(failing, /db down/);
    assert.equal(ix.count('b@x'), 1);
    assert.equal(ix.count('c@x'), 1);
  });
});

describe('MessageSilo with the index', () => {
  test('a dump for an owner with nothing stored asks the store nothing (REGISTER hot path)', async () => {
    const r = rig();
    await r.silo.start();
    let pendingCalls = 0;
    const pending = r.store.pending.bind(r.store);
    r.store.pending = (...a) => {
      pendingCalls++;
      return pending(...a);
    };
    const report = await r.silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(report.sent, 0);
    assert.equal(pendingCalls, 0, 'no query');
    await r.silo.store(message({ body: 'one' }));
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 1);
    const after = await r.silo.dump(BOB, { destinations: [PHONE] });
    assert.equal(after.delivered, 1);
    assert.equal(pendingCalls, 0, 'stored since the start: delivered from the inbox cache, still no query');
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 0, 'delivered and deleted: off the index');
    await r.silo.stop();
  });

  test('start() loads the counts of rows already in the table (a restart)', async () => {
    const r = rig();
    await r.store.insert(row('bob', 'from before'));
    await r.silo.start();
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 1);
    assert.deepEqual(r.sender.bodies(), []);
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 1);
    assert.match(r.sender.bodies()[0]!, /from before$/);
    await r.silo.stop();
  });

  test('rows written behind its back (a restore) are found after reloadIndex()', async () => {
    const r = rig();
    await r.silo.start();
    r.store.restore(row('bob', 'restored'));
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).sent, 0, 'not indexed yet');
    await r.silo.reloadIndex();
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 1);
    await r.silo.stop();
  });

  test('admin delete and expiry take rows off the index; a failed delivery keeps it', async () => {
    const r = rig({ expire_time: 60 });
    await r.silo.start();
    const a = await r.silo.store(message({ body: 'a' }));
    await r.silo.store(message({ body: 'b' }));
    assert.ok(a.ok);
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 2);
    assert.equal(await r.silo.delete(a.id), true);
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 1);
    r.sender.reply = () => 480;
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).failed, 1);
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 1, 'still stored, still indexed');
    r.clock.advance(61_000);
    assert.equal(await r.silo.expireNow(), 1);
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 0);
    await r.silo.stop();
  });

  test('a store that fails is taken back off the index; compose for an offline user is counted', async () => {
    const r = rig();
    await r.silo.start();
    const insert = r.store.insert.bind(r.store);
    r.store.insert = async () => {
      throw new Error('disk full');
    };
    const refused = await r.silo.store(message({ body: 'x' }));
    assert.equal(refused.ok, false);
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 0);
    r.store.insert = insert;
    const c = await r.silo.compose({ from: 'sip:admin@example.com', to: BOB, body: 'hi' });
    assert.equal(c.outcome, 'stored');
    assert.equal(r.silo.indexedCount('bob', 'example.com'), 1);
    await r.silo.stop();
  });

  test('a REGISTER racing a store sees the owner: counted before the INSERT commits', async () => {
    const r = rig();
    await r.silo.start();
    const gate = deferred<void>();
    const insert = r.store.insert.bind(r.store);
    r.store.insert = async (m) => {
      const id = await insert(m);
      await gate.promise; // committed, the 202 not out yet
      return id;
    };
    const storing = r.silo.store(message({ body: 'racing' }));
    await new Promise((res) => setImmediate(res));
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 1, 'the committed row is delivered');
    gate.resolve();
    assert.equal((await storing).ok, true);
    await r.silo.stop();
  });

  test('with `shared` (several nodes, usrloc.db_mode 3) there is no index: every dump asks the store, and claims its rows', async () => {
    const r = rig({}, { shared: true });
    await r.silo.start();
    assert.equal(r.silo.indexedCount('bob', 'example.com'), null);
    await r.store.insert(row('bob', 'written by another node'));
    let claims = 0;
    const claim = r.store.claim.bind(r.store);
    r.store.claim = (...a) => {
      claims++;
      return claim(...a);
    };
    r.sender.reply = () => 480;
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).failed, 1);
    assert.equal(claims, 1);
    const [stored] = (await r.store.list({})).rows;
    assert.equal(stored!.status, 0, 'a failed delivery gives its claim back');
    r.sender.reply = () => 200;
    assert.equal((await r.silo.dump(BOB, { destinations: [PHONE] })).delivered, 1);
    assert.equal(r.store.size, 0);
    await r.silo.stop();
  });

  test('ownerKey is user@domain as stored', () => {
    assert.equal(ownerKey('bob', 'example.com'), 'bob@example.com');
  });
});

describe('MemorySiloStore.claim: one claim per row until its lease ends', () => {
  test('a claimed row is skipped by a second claim, free again after release or when the lease runs out', async () => {
    const r = rig();
    await r.store.insert(row('bob', 'one'));
    const first = await r.store.claim('bob', 'example.com', NOW, 0, 10, NOW + 180);
    assert.equal(first.length, 1);
    assert.deepEqual(await r.store.claim('bob', 'example.com', NOW, 0, 10, NOW + 180), [], 'held by the first claim');
    assert.equal((await r.store.claim('bob', 'example.com', NOW + 180, 0, 10, NOW + 360)).length, 1, 'lease over: free again');
    await r.store.release([first[0]!.id]);
    assert.equal((await r.store.claim('bob', 'example.com', NOW, 0, 10, NOW + 180)).length, 1, 'released');
  });
});
