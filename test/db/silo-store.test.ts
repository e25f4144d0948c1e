/**
 * The msilo store against real databases: the PostgreSQL server
 * (TEST_DATABASE_URL, a throwaway database migrated with `npm run migrate`)
 * through TypeORM's DataSource.query, the embedded PGlite engine, and the
 * in-memory store, all held to the same contract.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { DataSource, type QueryRunner } from 'typeorm';
import { migrations } from '@pbx/migrations';
import { ManualClock } from '@pbx/core';
import { parseMessage, type SipRequest } from '@pbx/sip';
import {
  MemorySiloStore,
  MessageSilo,
  PostgresSiloStore,
  msiloConfigSchema,
  type NewSiloMessage,
  type SiloSender,
  type SiloStore,
  type SqlQuery,
} from '@pbx/msilo';
import { createTestDatabase } from '../support/index.js';

const run = promisify(execFile);
const MIGRATE = fileURLToPath(new URL('../../../apps/server/dist/migrate.js', import.meta.url));
const NOW = Date.UTC(2025, 0, 1) / 1000;

let seq = 0;
function msg(over: Partial<NewSiloMessage> = {}): NewSiloMessage {
  seq++;
  return {
    srcAddr: 'sip:alice@example.com',
    dstAddr: 'sip:bob@example.com',
    username: 'bob',
    domain: 'example.com',
    incTime: NOW,
    expTime: NOW + 3600,
    sndTime: 0,
    contentType: 'text/plain',
    body: Buffer.from(`message ${seq}`),
    extraHdrs: '',
    callId: '',
    ...over,
  };
}

interface Backend {
  name: string;
  /** A fresh store over an empty silo table. */
  fresh(): Promise<SiloStore>;
  /** The raw query function (SQL-level checks); null for the memory store. */
  query: SqlQuery | null;
  /** The database enforces the varchar widths. */
  widths: boolean;
}

function contract(get: () => Backend): void {
  let store: SiloStore;
  beforeEach(async () => {
    store = await get().fresh();
  });

  test('insert/get round trip: every column, binary body, UTF-8 text', async () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a]);
    const id = await store.insert(
      msg({ srcAddr: 'sip:jürgen@example.de', body, contentType: 'application/octet-stream', extraHdrs: 'Subject: grüße\r\n', callId: 'c1@x', sndTime: NOW + 5 }),
    );
    const row = (await store.get(id))!;
    assert.equal(row.id, id);
    assert.equal(row.srcAddr, 'sip:jürgen@example.de');
    assert.equal(row.dstAddr, 'sip:bob@example.com');
    assert.deepEqual([row.username, row.domain], ['bob', 'example.com']);
    assert.deepEqual([row.incTime, row.expTime, row.sndTime], [NOW, NOW + 3600, NOW + 5]);
    assert.equal(row.contentType, 'application/octet-stream');
    assert.ok(Buffer.isBuffer(row.body));
    assert.deepEqual([...row.body], [...body]);
    assert.equal(row.extraHdrs, 'Subject: grüße\r\n');
    assert.equal(row.callId, 'c1@x');
    assert.equal(row.status, 0);
    assert.equal(await store.get(id + 1000), null);
  });

  test('concurrent inserts: each resolves once committed, ids ascend in submit order', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => store.insert(msg({ body: Buffer.from(`m${i}`) }))));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(new Set(ids).size, 50);
    for (const [i, id] of ids.entries()) assert.equal((await store.get(id))!.body.toString(), `m${i}`);
    assert.equal(await store.count('bob', 'example.com'), 50);
  });

  test('a row the table refuses fails alone; its neighbours in the same statement are committed', async (t) => {
    if (!get().widths) return t.skip('the memory store has no column widths');
    const r = await Promise.allSettled([store.insert(msg()), store.insert(msg({ username: 'u'.repeat(65) })), store.insert(msg())]);
    assert.deepEqual(r.map((x) => x.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(await store.count('bob', 'example.com'), 2);
  });

  test('count: per owner (username and domain)', async () => {
    await store.insert(msg());
    await store.insert(msg({ sndTime: NOW + 10 }));
    await store.insert(msg({ domain: 'example.org' }));
    assert.equal(await store.count('bob', 'example.com'), 2);
    assert.equal(await store.count('bob', 'example.org'), 1);
    assert.equal(await store.count('carol', 'example.com'), 0);
  });

  test('pending: the owner\'s offline messages (snd_time = 0, exp_time > now), after an id, in storage order, limited', async () => {
    const a = await store.insert(msg());
    await store.insert(msg({ username: 'carol' }));
    await store.insert(msg({ sndTime: NOW + 100 }));
    await store.insert(msg({ expTime: NOW }));
    const b = await store.insert(msg());
    const c = await store.insert(msg());
    assert.deepEqual((await store.pending('bob', 'example.com', NOW, 0, 10)).map((r) => r.id), [a, b, c]);
    assert.deepEqual((await store.pending('bob', 'example.com', NOW, a, 1)).map((r) => r.id), [b]);
    assert.deepEqual((await store.pending('bob', 'example.com', NOW + 3600, 0, 10)).map((r) => r.id), []);
  });

  test('claim: takes the owner\'s pending rows until the lease ends (status = lease end); a second claim skips them; release frees them', async () => {
    const a = await store.insert(msg());
    await store.insert(msg({ username: 'carol' }));
    await store.insert(msg({ sndTime: NOW + 100 }));
    const b = await store.insert(msg());
    const first = await store.claim('bob', 'example.com', NOW, 0, 10, NOW + 180);
    assert.deepEqual(first.map((r) => [r.id, r.status]), [[a, NOW + 180], [b, NOW + 180]]);
    assert.deepEqual(await store.claim('bob', 'example.com', NOW + 179, 0, 10, NOW + 359), [], 'held until the lease ends');
    await store.release([a]);
    assert.deepEqual((await store.claim('bob', 'example.com', NOW + 1, 0, 10, NOW + 181)).map((r) => r.id), [a], 'released');
    assert.deepEqual((await store.claim('bob', 'example.com', NOW + 180, 0, 10, NOW + 360)).map((r) => r.id), [b], 'a lease that ran out is free again');
  });

  test('claimDueReminders: due reminders, earliest first, each in one claim; a failed one (clearSendTime) is free again as an offline message', async () => {
    const late = await store.insert(msg({ sndTime: NOW - 5 }));
    const early = await store.insert(msg({ sndTime: NOW - 10 }));
    await store.insert(msg({ sndTime: NOW + 100 }));
    assert.deepEqual((await store.claimDueReminders(NOW, 10, NOW + 180)).map((r) => r.id), [early, late]);
    assert.deepEqual(await store.claimDueReminders(NOW, 10, NOW + 180), [], 'claimed');
    assert.equal(await store.clearSendTime(early), true);
    assert.deepEqual((await store.pending('bob', 'example.com', NOW, 0, 10)).map((r) => [r.id, r.status]), [[early, 0]]);
    assert.deepEqual((await store.claim('bob', 'example.com', NOW, 0, 10, NOW + 180)).map((r) => r.id), [early], 'claimable by a dump again');
  });

  test('countsByOwner: rows per owner, reminders included (loads the index)', async () => {
    await store.insert(msg());
    await store.insert(msg({ sndTime: NOW + 10 }));
    await store.insert(msg({ username: 'carol' }));
    const counts = (await store.countsByOwner()).map((c) => `${c.username}@${c.domain}=${c.count}`).sort();
    assert.deepEqual(counts, ['bob@example.com=2', 'carol@example.com=1']);
  });

  test('dueReminders: snd_time <> 0 and <= now, earliest send time first, limited', async () => {
    const late = await store.insert(msg({ sndTime: NOW - 10 }));
    const early = await store.insert(msg({ sndTime: NOW - 100, username: 'carol' }));
    await store.insert(msg({ sndTime: NOW + 1 }));
    await store.insert(msg());
    assert.deepEqual((await store.dueReminders(NOW, 10)).map((r) => r.id), [early, late]);
    assert.deepEqual((await store.dueReminders(NOW, 1)).map((r) => r.id), [early]);
  });

  test('delete: resolves with the ids that existed; concurrent deletes all land', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => store.insert(msg())));
    assert.deepEqual(await store.delete([ids[0]!, 999_999]), [ids[0]]);
    const gone = await Promise.all(ids.slice(1).map((id) => store.delete([id])));
    assert.deepEqual(gone.flat(), ids.slice(1));
    assert.equal(await store.count('bob', 'example.com'), 0);
    assert.deepEqual(await store.delete(ids), []);
  });

  test('clearSendTime: a failed reminder becomes an ordinary message; false when the row is gone', async () => {
    const id = await store.insert(msg({ sndTime: NOW + 60 }));
    assert.equal(await store.clearSendTime(id), true);
    assert.equal((await store.get(id))!.sndTime, 0);
    await store.delete([id]);
    assert.equal(await store.clearSendTime(id), false);
  });

  test('deleteExpired: removes exp_time <= now and returns what it removed, with a body head and size', async () => {
    const a = await store.insert(msg({ expTime: NOW - 1, body: Buffer.alloc(1000, 0x61) }));
    const b = await store.insert(msg({ expTime: NOW }));
    const keep = await store.insert(msg({ expTime: NOW + 1 }));
    const gone = await store.deleteExpired(NOW);
    assert.deepEqual(gone.map((r) => r.id), [a, b]);
    assert.equal(gone[0]!.bodySize, 1000);
    assert.equal(gone[0]!.bodyHead.length, 256);
    assert.equal(gone[0]!.srcAddr, 'sip:alice@example.com');
    assert.deepEqual((await store.pending('bob', 'example.com', NOW - 10, 0, 10)).map((r) => r.id), [keep]);
  });

  test('list: filters (owner, sender substring taken literally, kind), paging and total', async () => {
    const a = await store.insert(msg({ srcAddr: 'sip:Alice_1@example.com' }));
    const b = await store.insert(msg({ srcAddr: 'sip:carol@example.com', sndTime: NOW + 60 }));
    const c = await store.insert(msg({ username: 'dave', domain: 'example.org', srcAddr: 'sip:alice%2@example.com' }));
    const ids = async (q: Parameters<SiloStore['list']>[0]) => (await store.list(q)).rows.map((r) => r.id);
    assert.deepEqual(await ids({}), [a, b, c]);
    assert.deepEqual(await ids({ username: 'bob', domain: 'example.com' }), [a, b]);
    assert.deepEqual(await ids({ username: 'dave' }), [c]);
    assert.deepEqual(await ids({ from: 'ALICE' }), [a, c]);
    assert.deepEqual(await ids({ from: 'e_1' }), [a], '_ is not a wildcard');
    assert.deepEqual(await ids({ from: 'e%' }), [c], '% is not a wildcard');
    assert.deepEqual(await ids({ kind: 'scheduled' }), [b]);
    assert.deepEqual(await ids({ kind: 'stored' }), [a, c]);
    const page = await store.list({ limit: 1, offset: 1 });
    assert.deepEqual([page.total, page.rows.map((r) => r.id)], [3, [b]]);
    assert.equal(page.rows[0]!.bodyHead.toString(), page.rows[0]!.bodyHead.toString('utf8'));
    const past = await store.list({ limit: 10, offset: 10 });
    assert.deepEqual([past.total, past.rows.length], [3, 0]);
  });
}

const backends: Record<string, Backend> = {};

describe('msilo store on PostgreSQL (server, via TypeORM DataSource.query)', () => {
  let ds: DataSource;
  let drop: () => Promise<void>;
  before(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    await run(process.execPath, [MIGRATE], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, DATA_DIR: tmpdir() } });
    ds = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
    await ds.initialize();
    const query: SqlQuery = (sql, params) => ds.query(sql, params);
    backends.pg = {
      name: 'postgres',
      query,
      widths: true,
      fresh: async () => {
        await query('TRUNCATE silo RESTART IDENTITY');
        return new PostgresSiloStore(query);
      },
    };
  });
  after(async () => {
    await ds?.destroy();
    await drop?.();
  });

  contract(() => backends.pg!);

  test('group commit: 2,000 concurrent stores commit in 4 INSERT statements (500 rows each)', async (t) => {
    const query = backends.pg!.query!;
    await query('TRUNCATE silo RESTART IDENTITY');
    const store = new PostgresSiloStore(query);
    const start = process.hrtime.bigint();
    const ids = await Promise.all(Array.from({ length: 2000 }, () => store.insert(msg())));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.equal(store.statements, 4);
    assert.deepEqual(ids, Array.from({ length: 2000 }, (_, i) => i + 1));
    const rows = (await query('SELECT count(*)::int AS n FROM silo')) as Array<{ n: number }>;
    assert.equal(rows[0]!.n, 2000);
    t.diagnostic(`2000 committed inserts in ${ms.toFixed(1)} ms (${Math.round(2000 / (ms / 1000))}/s)`);
  });

  test('claim on two connections at once (two nodes): FOR UPDATE SKIP LOCKED gives each row to one of them', async () => {
    const query = backends.pg!.query!;
    await query('TRUNCATE silo RESTART IDENTITY');
    const writer = new PostgresSiloStore(query);
    for (let i = 0; i < 200; i++) await writer.insert(msg());
    // Separate store objects as two nodes have; the pool gives them separate connections.
    const nodes = Array.from({ length: 4 }, () => new PostgresSiloStore(query));
    const claims = await Promise.all(nodes.map((n) => n.claim('bob', 'example.com', NOW, 0, 200, NOW + 180)));
    const ids = claims.flat().map((r) => r.id);
    assert.equal(ids.length, 200, 'every row claimed');
    assert.equal(new Set(ids).size, 200, 'no row claimed twice');
  });

  test('a row written the way Kamailio writes it (defaults for the rest) is read and dumped', async () => {
    const query = backends.pg!.query!;
    await query('TRUNCATE silo RESTART IDENTITY');
    await query(
      "INSERT INTO silo (src_addr, dst_addr, username, domain, inc_time, exp_time, body, ctype) VALUES ('sip:alice@example.com', 'sip:bob@example.com', 'bob', 'example.com', $1, $2, $3, 'text/plain')",
      [NOW, NOW + 60, Buffer.from('from kamailio')],
    );
    const store = new PostgresSiloStore(query);
    const [row] = await store.pending('bob', 'example.com', NOW, 0, 10);
    assert.equal(row!.body.toString(), 'from kamailio');
    assert.deepEqual([row!.sndTime, row!.extraHdrs, row!.callId, row!.status], [0, '', '', 0]);
  });

  test('MessageSilo over PostgreSQL: 202 after commit, restart, register, delivered once and deleted', async () => {
    const query = backends.pg!.query!;
    await query('TRUNCATE silo RESTART IDENTITY');
    const config = msiloConfigSchema.parse({ add_date: 0 });
    const clock = new ManualClock(NOW * 1000);
    const sent: SipRequest[] = [];
    const sender: SiloSender = {
      send: async (req) => {
        sent.push(req);
        return { status: 200 };
      },
    };
    const first = new MessageSilo({ config, store: new PostgresSiloStore(query), sender, clock });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => first.store(request(`note ${i}`))));
    assert.ok(results.every((r) => r.status === 202));
    await first.stop();
    // A new engine over the same table: what was answered 202 is there.
    const second = new MessageSilo({ config, store: new PostgresSiloStore(query), sender, clock });
    const report = await second.dump('sip:bob@example.com', { destinations: [{ uri: 'sip:bob@192.0.2.50:5062' }] });
    assert.deepEqual([report.sent, report.delivered], [30, 30]);
    assert.deepEqual(sent.map((r) => r.body.toString()), Array.from({ length: 30 }, (_, i) => `note ${i}`));
    assert.equal(((await query('SELECT count(*)::int AS n FROM silo')) as Array<{ n: number }>)[0]!.n, 0);
    await second.stop();
  });
});

describe('msilo store on embedded PGlite', () => {
  let db: PGlite;
  before(async () => {
    db = new PGlite();
    const runner = { query: (sql: string) => db.exec(sql) } as unknown as QueryRunner;
    for (const M of migrations) await new M().up(runner);
    const query: SqlQuery = async (sql, params) => (await db.query(sql, params)).rows;
    backends.pglite = {
      name: 'pglite',
      query,
      widths: true,
      fresh: async () => {
        await query('TRUNCATE silo RESTART IDENTITY');
        return new PostgresSiloStore(query);
      },
    };
  });
  after(async () => {
    await db?.close();
  });
  contract(() => backends.pglite!);
});

describe('msilo store in memory', () => {
  contract(() => ({ name: 'memory', query: null, widths: false, fresh: async () => new MemorySiloStore() }));
});

function request(body: string): SipRequest {
  const text =
    'MESSAGE sip:bob@example.com SIP/2.0\r\n' +
    `Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-${++seq}\r\n` +
    'Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\n' +
    `Call-ID: c${seq}\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad test request');
  return r.message;
}
