/**
 * The usrloc database layer against real PostgreSQL (TEST_DATABASE_URL):
 * PgLocationStore on the `location` table made by the migrations, driven
 * through TypeORM's DataSource.query as the server does, and the location
 * service's db_mode 1, 2 and 3 on top of it (restart, two nodes).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { ManualClock } from '@pbx/core';
import { migrations } from '@pbx/migrations';
import { parseMessage, type Peer, type SipRequest } from '@pbx/sip';
import { Binding, Location, PgLocationStore, Registrar, registrarConfigSchema, usrlocConfigSchema, type BindingInit } from '@pbx/registrar';
import { createTestDatabase } from '../support/index.js';

const T0 = Date.UTC(2025, 0, 1);

let db: { url: string; drop(): Promise<void> };
let ds: DataSource;
const query = (sql: string, params: unknown[]) => ds.query(sql, params) as Promise<any[]>;

before(async () => {
  db = await createTestDatabase();
  ds = new DataSource({ type: 'postgres', url: db.url, migrations, extra: { max: 4 } });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
});

after(async () => {
  await ds?.destroy();
  await db?.drop();
});

async function clear(): Promise<void> {
  await ds.query('DELETE FROM location');
}

function binding(over: Partial<BindingInit> = {}): Binding {
  return new Binding({
    ruid: 'uloc-t-1',
    aor: 'alice',
    contact: 'sip:alice@10.0.0.5:5062;transport=tcp',
    received: 'sip:203.0.113.7:40001;transport=tcp',
    path: '<sip:edge.example.net;lr;ob>,<sip:core.example.net;lr>',
    expires: T0 + 3_600_123,
    q: 700,
    callId: 'a84b4c76e66710@pc33.example.com',
    cseq: 314159,
    flags: 0,
    cflags: 64,
    userAgent: 'Phone/1.0 (ünï)',
    methods: 1 | 256,
    instance: '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>',
    regId: 2,
    serverId: 3,
    connectionId: 17,
    keepalive: 0,
    lastModified: T0 + 456,
    transport: 'tcp',
    sourceAddress: '203.0.113.7',
    sourcePort: 40001,
    localAddress: '198.51.100.1',
    localPort: 5060,
    ...over,
  });
}

describe('PgLocationStore on the migrated location table', () => {
  test('a binding written and read back keeps every field (Kamailio columns), the hop rebuilt from socket and received', async () => {
    await clear();
    const store = new PgLocationStore({ query, useDomain: false });
    const b = binding();
    await store.write({ upserts: [b], deletes: [] });
    const [r] = await store.loadAor('alice', T0);
    assert.deepEqual(r!.init(), b.init());
    const row = (await ds.query('SELECT username, domain, socket, q, methods, reg_id, connection_id FROM location'))[0];
    assert.deepEqual(row, { username: 'alice', domain: null, socket: 'tcp:198.51.100.1:5060', q: 0.7, methods: 257, reg_id: 2, connection_id: 17 });
  });

  test('usrloc.use_domain 1: username and domain columns; the key is rebuilt on read', async () => {
    await clear();
    const store = new PgLocationStore({ query, useDomain: true });
    await store.write({ upserts: [binding({ aor: 'alice@example.com', methods: null, instance: null, regId: 0, path: null, received: null, contact: 'sip:alice@192.0.2.1' })], deletes: [] });
    const row = (await ds.query('SELECT username, domain FROM location'))[0];
    assert.deepEqual(row, { username: 'alice', domain: 'example.com' });
    const [r] = await store.loadAor('alice@example.com', T0);
    assert.equal(r!.aor, 'alice@example.com');
    assert.equal(r!.methods, null);
    assert.equal(r!.sourceAddress, '192.0.2.1');
    assert.equal(r!.sourcePort, 5060);
    assert.equal((await store.loadAor('alice@other.example', T0)).length, 0);
  });

  test('one batch upserts by ruid and deletes in one statement; a failing batch changes nothing', async () => {
    await clear();
    const store = new PgLocationStore({ query, useDomain: false });
    await store.write({ upserts: [binding({ ruid: 'r1' }), binding({ ruid: 'r2' })], deletes: [] });
    await store.write({ upserts: [binding({ ruid: 'r1', cseq: 314160, expires: T0 + 7_200_000 })], deletes: ['r2'] });
    let rows = await store.loadAll(T0);
    assert.deepEqual(rows.map((x) => [x.ruid, x.cseq, x.expires]), [['r1', 314160, T0 + 7_200_000]]);
    // location.contact is varchar(512): the second row fails the statement, so the delete of r1 does not happen either
    await assert.rejects(store.write({ upserts: [binding({ ruid: 'r3' }), binding({ ruid: 'r4', contact: 'sip:' + 'x'.repeat(600) + '@h' })], deletes: ['r1'] }));
    rows = await store.loadAll(T0);
    assert.deepEqual(rows.map((x) => x.ruid), ['r1']);
  });

  test('a CSeq above 2**31-1 is stored clamped (location.cseq is integer), so later CSeqs still win', async () => {
    await clear();
    const store = new PgLocationStore({ query, useDomain: false });
    await store.write({ upserts: [binding({ cseq: 4_000_000_000 })], deletes: [] });
    assert.equal((await store.loadRuid('uloc-t-1', T0))!.cseq, 2147483647);
  });

  test('reads skip expired rows; deleteExpired removes and returns them (db_timer_clean)', async () => {
    await clear();
    const store = new PgLocationStore({ query, useDomain: false });
    await store.write({ upserts: [binding({ ruid: 'old', expires: T0 + 1000 }), binding({ ruid: 'new', expires: T0 + 5000 })], deletes: [] });
    assert.deepEqual((await store.loadAor('alice', T0 + 1000)).map((x) => x.ruid), ['new']);
    assert.equal(await store.loadRuid('old', T0 + 1000), null);
    assert.deepEqual((await store.deleteExpired(T0 + 1000)).map((x) => x.ruid), ['old']);
    assert.equal((await ds.query('SELECT count(*)::int AS n FROM location'))[0].n, 1);
  });

  test('deleteByConnection (handle_lost_tcp) touches only this server\'s rows; resetConnections forgets old ids', async () => {
    await clear();
    const store = new PgLocationStore({ query, useDomain: false });
    await store.write({
      upserts: [binding({ ruid: 'a', serverId: 1, connectionId: 5 }), binding({ ruid: 'b', serverId: 2, connectionId: 5 }), binding({ ruid: 'c', serverId: 1, connectionId: 6 })],
      deletes: [],
    });
    assert.deepEqual((await store.deleteByConnection(1, 5)).map((x) => x.ruid), ['a']);
    await store.resetConnections(1);
    const rows = await store.loadAll(T0);
    assert.deepEqual(rows.map((x) => [x.ruid, x.connectionId]).sort(), [['b', 5], ['c', 0]]);
  });

  test('search: substring of AoR or user agent, sorting and paging over AoRs', async () => {
    await clear();
    const store = new PgLocationStore({ query, useDomain: false });
    const users = ['carol', 'alice', 'bob', 'dave'];
    await store.write({
      upserts: users.flatMap((u, i) => [
        binding({ ruid: `${u}-1`, aor: u, userAgent: i % 2 ? 'Yealink T46' : 'Snom 320', lastModified: T0 + i }),
        binding({ ruid: `${u}-2`, aor: u, contact: `sip:${u}@192.0.2.2`, lastModified: T0 + i }),
      ]),
      deletes: [],
    });
    let page = await store.search({ limit: 2 }, T0);
    assert.equal(page.total, 4);
    assert.deepEqual(page.items.map((i) => [i.aor, i.bindings.length]), [['alice', 2], ['bob', 2]]);
    page = await store.search({ search: 'yealink', sort: 'lastModified', order: 'desc' }, T0);
    assert.deepEqual(page.items.map((i) => i.aor), ['dave', 'alice']);
    page = await store.search({ search: '100%_' }, T0);
    assert.equal(page.total, 0, 'LIKE wildcards in the search are literal');
    page = await store.search({ offset: 10 }, T0);
    assert.deepEqual(page, { total: 4, items: [] });
    await store.write({ upserts: [binding({ ruid: 'carol-3', aor: 'carol', contact: 'sip:carol@192.0.2.3', lastModified: T0 })], deletes: [] });
    page = await store.search({ sort: 'contacts', order: 'desc', limit: 2 }, T0);
    assert.deepEqual(page.items.map((i) => [i.aor, i.bindings.length]), [['carol', 3], ['alice', 2]]);
  });

  test('a batch of 2000 rows is one statement (write_back_batch)', async () => {
    await clear();
    const store = new PgLocationStore({ query, useDomain: false });
    const many = Array.from({ length: 2000 }, (_, i) => binding({ ruid: `m${i}`, aor: `u${i}` }));
    await store.write({ upserts: many, deletes: [] });
    assert.equal((await ds.query('SELECT count(*)::int AS n FROM location'))[0].n, 2000);
  });
});

// --- the location service on PostgreSQL ----------------------------------------

function register(user: string, contact: string, cseq = 1, extra = ''): SipRequest {
  const text =
    `REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-${user}-${cseq}\r\nMax-Forwards: 70\r\n` +
    `From: <sip:${user}@example.com>;tag=1\r\nTo: <sip:${user}@example.com>\r\nCall-ID: ${user}-reg\r\nCSeq: ${cseq} REGISTER\r\n` +
    `Contact: ${contact}\r\n${extra}Content-Length: 0\r\n\r\n`;
  const r = parseMessage(Buffer.from(text, 'latin1'));
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad test REGISTER');
  return r.message;
}

const udp: Peer = { transport: 'udp', address: '192.0.2.10', port: 5060, connectionId: 0, localAddress: '198.51.100.1', localPort: 5060 };

function node(dbMode: number, serverId: number, clock: ManualClock) {
  const store = new PgLocationStore({ query, useDomain: false });
  const location = new Location({ config: usrlocConfigSchema.parse({ db_mode: dbMode, server_id: serverId }), clock, store });
  const registrar = new Registrar({ config: registrarConfigSchema.parse({}), location, clock });
  return { store, location, registrar };
}

describe('location service on PostgreSQL (usrloc.db_mode)', () => {
  test('db_mode 1: the row is committed before the 200; the binding is back after a restart', async () => {
    await clear();
    const clock = new ManualClock(Date.now());
    const first = node(1, 1, clock);
    await first.location.start();
    const res = await first.registrar.save(register('alice', '<sip:alice@10.0.0.5>'), udp);
    assert.equal(res.status, 200);
    assert.equal((await ds.query('SELECT contact, received FROM location'))[0].received, 'sip:192.0.2.10:5060');
    await first.location.stop();
    const second = node(1, 1, clock);
    await second.location.start();
    const r = await second.registrar.lookup('sip:alice@example.com');
    assert.ok(r.ok);
    assert.equal(r.targets[0]!.uri, 'sip:alice@10.0.0.5');
    await second.location.stop();
  });

  test('db_mode 2: written on flush and on stop, back after a restart', async () => {
    await clear();
    const clock = new ManualClock(Date.now());
    const first = node(2, 1, clock);
    await first.location.start();
    await first.registrar.save(register('bob', '<sip:bob@192.0.2.10>'), udp);
    assert.equal((await ds.query('SELECT count(*)::int AS n FROM location'))[0].n, 0, 'not yet written');
    await first.location.stop();
    assert.equal((await ds.query('SELECT count(*)::int AS n FROM location'))[0].n, 1);
    const second = node(2, 1, clock);
    await second.location.start();
    assert.equal(await second.registrar.registered('sip:bob@example.com'), true);
    await second.location.stop();
  });

  test('db_mode 3: two nodes sharing the table see each other\'s registrations and removals', async () => {
    await clear();
    const clock = new ManualClock(Date.now());
    const a = node(3, 1, clock);
    const b = node(3, 2, clock);
    await a.location.start();
    await b.location.start();
    await a.registrar.save(register('carol', '<sip:carol@10.0.0.9>'), udp);
    const seen = await b.registrar.lookup('sip:carol@example.com');
    assert.ok(seen.ok);
    assert.deepEqual(seen.targets[0]!.destination, { kind: 'uri', uri: 'sip:192.0.2.10:5060' }, 'another node\'s flow: its received URI');
    const res = await b.registrar.save(register('carol', '*', 2, 'Expires: 0\r\n'), udp);
    assert.equal(res.status, 200);
    assert.equal(await a.registrar.registered('sip:carol@example.com'), false);
    await a.location.stop();
    await b.location.stop();
  });
});
