import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@pbx/core';
import { MemoryLocationStore } from './memory-location-store.js';
import { peer, registerRequest, setup, T0 } from './spec-support.js';

const C1 = '<sip:alice@192.0.2.10:5060>';

describe('usrloc expiry (timer_interval, event_route[usrloc:contact-expired])', () => {
  test('sweep() removes expired bindings and reports one `expired` event per binding', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: [`${C1};expires=60`, '<sip:alice@192.0.2.10:5070>;expires=120'] }));
    s.events.length = 0;
    s.clock.advance(59_999);
    assert.equal(await s.location.sweep(), 0);
    s.clock.advance(1);
    assert.equal(await s.location.sweep(), 1);
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0]!.reason, 'expired');
    assert.equal(s.events[0]!.changed[0]!.contact, 'sip:alice@192.0.2.10:5060');
    assert.equal(s.events[0]!.bindings.length, 1);
    s.clock.advance(60_000);
    assert.equal(await s.location.sweep(), 1);
    assert.equal(s.location.users, 0);
    assert.equal(s.location.contacts, 0);
    assert.equal(s.stats.snapshot().usrloc!['location-expires'], 2);
  });

  test('usrloc timer: a refreshed binding is not expired by its old expiry', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, expires: 60, cseq: 1 }));
    s.clock.advance(50_000);
    await s.save(registerRequest({ contact: C1, expires: 60, cseq: 2 }));
    s.clock.advance(20_000);
    assert.equal(await s.location.sweep(), 0);
    assert.equal(s.location.peek('alice').length, 1);
  });

  test('the timer registered by start() runs the sweep every usrloc.timer_interval seconds', async () => {
    const s = setup({}, { timer_interval: 30 });
    await s.location.start();
    await s.save(registerRequest({ contact: C1, expires: 60 }));
    s.clock.advance(61_000);
    s.timers.fire(30_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(s.location.users, 0);
    await s.location.stop();
    assert.equal(s.timers.active.size, 0);
  });

  test('usrloc: an expired binding still in memory is reported expired when its AoR next changes', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: `${C1};expires=60`, callId: 'a' }));
    s.clock.advance(61_000);
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5070>', callId: 'b' }));
    assert.deepEqual(s.events.map((e) => e.reason), ['added', 'added', 'expired']);
    assert.equal(s.location.contacts, 1);
  });

  test('close_expired_tcp 1: the connection of an expired stream binding is closed; 0 (default) keeps it', async () => {
    const on = setup({}, { close_expired_tcp: 1 });
    await on.save(registerRequest({ contact: C1, expires: 60 }), peer({ transport: 'tcp', connectionId: 5 }));
    on.clock.advance(60_000);
    await on.location.sweep();
    assert.deepEqual(on.closed, [5]);
    const off = setup();
    await off.save(registerRequest({ contact: C1, expires: 60 }), peer({ transport: 'tcp', connectionId: 5 }));
    off.clock.advance(60_000);
    await off.location.sweep();
    assert.deepEqual(off.closed, []);
  });
});

describe('usrloc handle_lost_tcp', () => {
  test('handle_lost_tcp 1: a closed connection removes the bindings made over it (db_mode 0), not others', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, callId: 'a' }), peer({ transport: 'tcp', connectionId: 5 }));
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5070>', callId: 'b' }), peer({ transport: 'tcp', connectionId: 6 }));
    await s.save(registerRequest({ to: 'sip:bob@example.com', contact: '<sip:bob@192.0.2.20>' }), peer({ transport: 'tcp', connectionId: 5 }));
    assert.equal(await s.location.connectionClosed(5), 2);
    assert.equal(s.location.peek('alice').length, 1);
    assert.equal(s.location.peek('bob').length, 0);
    assert.deepEqual(s.events.slice(-2).map((e) => e.reason), ['removed', 'removed']);
  });

  test('handle_lost_tcp 1: a binding refreshed over a new connection survives the close of the old one', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, cseq: 1 }), peer({ transport: 'tcp', connectionId: 5 }));
    await s.save(registerRequest({ contact: C1, cseq: 2 }), peer({ transport: 'tcp', connectionId: 8 }));
    assert.equal(await s.location.connectionClosed(5), 0);
    assert.equal(s.location.peek('alice').length, 1);
  });

  test('handle_lost_tcp 0: bindings stay when the connection closes', async () => {
    const s = setup({}, { handle_lost_tcp: 0 });
    await s.save(registerRequest({ contact: C1 }), peer({ transport: 'tcp', connectionId: 5 }));
    assert.equal(await s.location.connectionClosed(5), 0);
    assert.equal(s.location.peek('alice').length, 1);
  });

  test('handle_lost_tcp 1, db_mode 3: the rows of this server on that connection are deleted', async () => {
    const s = setup({}, { db_mode: 3, server_id: 4 });
    await s.save(registerRequest({ contact: C1 }), peer({ transport: 'tls', connectionId: 5 }));
    assert.equal(s.store.rows.size, 1);
    assert.equal(await s.location.connectionClosed(5), 1);
    assert.equal(s.store.rows.size, 0);
    assert.equal(s.events.at(-1)!.reason, 'removed');
  });
});

describe('usrloc db_mode 1 (write-through)', () => {
  test('db_mode 1: the 200 comes after the row is written; concurrent REGISTERs are committed together', async () => {
    const s = setup({}, { db_mode: 1 });
    const saves = ['alice', 'bob', 'carol'].map((u) => s.save(registerRequest({ to: `sip:${u}@example.com`, contact: `<sip:${u}@192.0.2.10>` })));
    const res = await Promise.all(saves);
    assert.deepEqual(res.map((r) => r.status), [200, 200, 200]);
    assert.equal(s.store.rows.size, 3);
    assert.equal(s.store.batches.length, 1, 'one group commit');
  });

  test('REGISTERs for one AoR are processed in arrival order (RFC 3261 §10.3)', async () => {
    const s = setup({}, { db_mode: 1 });
    const a = s.save(registerRequest({ contact: C1, cseq: 1, expires: 100 }));
    const b = s.save(registerRequest({ contact: C1, cseq: 2, expires: 200 }));
    assert.deepEqual((await Promise.all([a, b])).map((r) => r.status), [200, 200]);
    assert.equal([...s.store.rows.values()][0]!.cseq, 2);
  });

  test('db_mode 1: expired bindings are deleted from the database by the timer', async () => {
    const s = setup({}, { db_mode: 1 });
    await s.save(registerRequest({ contact: C1, expires: 60 }));
    s.clock.advance(60_000);
    await s.location.sweep();
    await new Promise((r) => setImmediate(r));
    assert.equal(s.store.rows.size, 0);
  });

  test('db_mode 1 + preload: bindings are back after a restart, with connection ids forgotten', async () => {
    const s = setup({}, { db_mode: 1 });
    await s.save(registerRequest({ contact: C1 }), peer({ transport: 'tcp', connectionId: 9 }));
    const again = setup({}, { db_mode: 1 }, { store: s.store, clock: s.clock });
    await again.location.start();
    const [b] = again.location.peek('alice');
    assert.equal(b!.contact, 'sip:alice@192.0.2.10:5060');
    assert.equal(b!.connectionId, 0);
    assert.equal([...s.store.rows.values()][0]!.connectionId, 0);
    await again.location.stop();
  });
});

describe('usrloc db_mode 2 (write-back)', () => {
  test('db_mode 2: nothing is written until flush(); refreshes of one binding are written once', async () => {
    const s = setup({}, { db_mode: 2 });
    await s.save(registerRequest({ contact: C1, cseq: 1 }));
    await s.save(registerRequest({ contact: C1, cseq: 2 }));
    await s.save(registerRequest({ contact: C1, cseq: 3 }));
    assert.equal(s.store.rows.size, 0);
    assert.equal(s.location.pendingWrites, 1);
    await s.location.flush();
    assert.equal(s.store.batches.length, 1);
    assert.equal([...s.store.rows.values()][0]!.cseq, 3);
  });

  test('write_back_batch bounds the rows per statement', async () => {
    const s = setup({}, { db_mode: 2, write_back_batch: 2 });
    for (const u of ['a', 'b', 'c', 'd', 'e']) await s.save(registerRequest({ to: `sip:${u}@example.com`, contact: `<sip:${u}@192.0.2.10>` }));
    await s.location.flush();
    assert.deepEqual(s.store.batches.map((b) => b.upserts.length), [2, 2, 1]);
  });

  test('the write-back timer runs every write_back_interval_ms, and stop() flushes the rest', async () => {
    const s = setup({}, { db_mode: 2, write_back_interval_ms: 500 });
    await s.location.start();
    await s.save(registerRequest({ contact: C1 }));
    s.timers.fire(500);
    await new Promise((r) => setImmediate(r));
    assert.equal(s.store.rows.size, 1);
    await s.save(registerRequest({ contact: '*', expires: 0, cseq: 2 }));
    await s.location.stop();
    assert.equal(s.store.rows.size, 0);
  });

  test('db_mode 2: a failed flush keeps the changes for the next one; the SIP side is not affected', async () => {
    const s = setup({}, { db_mode: 2 });
    await s.save(registerRequest({ contact: C1 }));
    s.store.failNext = 1;
    await assert.rejects(s.location.flush());
    assert.equal(s.location.pendingWrites, 1);
    await s.location.flush();
    assert.equal(s.store.rows.size, 1);
  });

  test('db_mode 2 + preload: bindings are back after a restart', async () => {
    const s = setup({}, { db_mode: 2 });
    await s.save(registerRequest({ contact: C1 }));
    await s.location.stop();
    const again = setup({}, { db_mode: 2 }, { store: s.store, clock: s.clock });
    await again.location.start();
    assert.equal(again.location.peek('alice').length, 1);
    assert.equal((await again.registrar.lookup('sip:alice@example.com')).ok, true);
    await again.location.stop();
  });

  test('usrloc.preload without `location`: nothing is loaded', async () => {
    const s = setup({}, { db_mode: 2 });
    await s.save(registerRequest({ contact: C1 }));
    await s.location.stop();
    const again = setup({}, { db_mode: 2, preload: [] }, { store: s.store, clock: s.clock });
    await again.location.start();
    assert.equal(again.location.users, 0);
    await again.location.stop();
  });
});

describe('usrloc db_mode 3 (database only)', () => {
  test('db_mode 3: two nodes sharing one store see each other\'s registrations', async () => {
    const store = new MemoryLocationStore();
    const clock = new ManualClock(T0);
    const a = setup({}, { db_mode: 3, server_id: 1 }, { store, clock });
    const b = setup({}, { db_mode: 3, server_id: 2 }, { store, clock });
    await a.save(registerRequest({ contact: C1 }));
    assert.equal(await b.registrar.registered('sip:alice@example.com'), true);
    const res = await b.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5070>', cseq: 2 }));
    assert.equal(res.getList('Contact').length, 2);
    assert.equal(a.location.users, 0, 'nothing held in memory');
  });

  test('db_mode 3: a failed write is 500 and the database is unchanged', async () => {
    const s = setup({}, { db_mode: 3 });
    await s.save(registerRequest({ contact: C1 }));
    s.store.failNext = 1;
    const res = await s.save(registerRequest({ contact: '*', expires: 0, cseq: 2 }));
    assert.equal(res.status, 500);
    assert.equal(s.store.rows.size, 1);
  });

  test('db_mode 3: expired rows are never used; db_timer_clean 1 deletes them with an expired event', async () => {
    const s = setup({}, { db_mode: 3, db_timer_clean: 1 });
    await s.save(registerRequest({ contact: C1, expires: 60 }));
    s.clock.advance(60_000);
    assert.equal((await s.registrar.lookup('sip:alice@example.com')).ok, false);
    assert.equal(await s.location.sweep(), 1);
    assert.equal(s.store.rows.size, 0);
    assert.equal(s.events.at(-1)!.reason, 'expired');
    const keep = setup({}, { db_mode: 3 });
    await keep.save(registerRequest({ contact: C1, expires: 60 }));
    keep.clock.advance(60_000);
    assert.equal(await keep.location.sweep(), 0);
    assert.equal(keep.store.rows.size, 1);
  });

  test('db_mode 3: temp-gruu (RFC 5627) and unregister by ruid go through the database', async () => {
    const s = setup({}, { db_mode: 3 });
    const res = await s.save(registerRequest({ contact: `${C1};+sip.instance="<urn:uuid:1>"`, headers: [['Supported', 'gruu']] }));
    const temp = /temp-gruu="([^"]+)"/.exec(res.get('Contact')!)![1]!;
    assert.equal((await s.registrar.lookup(temp)).ok, true);
    const ruid = [...s.store.rows.keys()][0]!;
    assert.equal((await s.registrar.unregister(null, ruid)).length, 1);
    assert.equal(s.store.rows.size, 0);
  });
});

describe('Location.list() (admin listing)', () => {
  test('reg_fetch_contacts-style listing: search by AoR or user agent, sort, page', async () => {
    const s = setup();
    for (const [u, ua] of [['carol', 'Snom'], ['alice', 'Yealink'], ['bob', 'Yealink']] as const) {
      await s.save(registerRequest({ to: `sip:${u}@example.com`, contact: `<sip:${u}@192.0.2.10>`, headers: [['User-Agent', ua]] }));
      s.clock.advance(1000);
    }
    let page = await s.location.list({ limit: 2 });
    assert.equal(page.total, 3);
    assert.deepEqual(page.items.map((i) => i.aor), ['alice', 'bob']);
    page = await s.location.list({ search: 'yealink', sort: 'lastModified', order: 'desc' });
    assert.deepEqual(page.items.map((i) => i.aor), ['bob', 'alice']);
    page = await s.location.list({ search: 'CAR' });
    assert.deepEqual(page.items.map((i) => i.aor), ['carol']);
    page = await s.location.list({ offset: 2 });
    assert.deepEqual(page.items.map((i) => i.aor), ['carol']);
    await s.save(registerRequest({ to: 'sip:bob@example.com', contact: '<sip:bob@192.0.2.11>' }));
    page = await s.location.list({ sort: 'contacts', order: 'desc' });
    assert.deepEqual(page.items.map((i) => [i.aor, i.bindings.length]), [['bob', 2], ['alice', 1], ['carol', 1]]);
  });
});

describe('registration.changed only while watched (LocationOptions.watched)', () => {
  test('no change is built while nobody listens; the next one after a listener comes is', async () => {
    let watched = false;
    const s = setup({}, {}, { watched: () => watched });
    await s.save(registerRequest({ contact: C1, expires: 60, cseq: 1 }));
    assert.equal(s.events.length, 0);
    assert.equal(s.location.peek('alice').length, 1, 'the binding itself is stored all the same');
    watched = true;
    await s.save(registerRequest({ contact: C1, expires: 60, cseq: 2 }));
    assert.deepEqual(s.events.map((e) => e.reason), ['refreshed']);
  });
});

