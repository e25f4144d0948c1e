/**
 * Upgrade (issue 11 item 5): a newer appliance started on an older data
 * volume runs the pending migrations before it listens, and the data is
 * kept and usable. The old database is made by the FIRST migration only
 * (TypeORM's DataSource with just that migration class), on both backends:
 * PostgreSQL, and PGlite in DATA_DIR/pgdata the way the embedded database
 * is laid out (apps/server/src/database/embedded-postgres.ts). Rows are
 * inserted in that first schema's shape; then the current appliance starts
 * on it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataSource } from 'typeorm';
import { migrations } from '@pbx/migrations';
import { createResponse, DigestClient } from '@pbx/sip';
import { BACKENDS, createTestDatabase, SipTestClient, startServer, type Backend, type TestServer } from '../support/index.js';

const DOMAIN = 'example.com';
const PASSWORDS = { alice: 'alice-secret-1', bob: 'bob-secret-22' } as const;
const FIRST = migrations[0]!;

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A database at the first migration: a TypeORM DataSource on it, closed by `close()`. */
interface OldDatabase {
  dataSource: DataSource;
  close(): Promise<void>;
}

/** Opens the database a server of `backend` would use (PGlite: DATA_DIR/pgdata through pglite-socket, as the appliance does). */
async function openOld(backend: Backend, dataDir: string, databaseUrl: string | undefined, onlyFirst: boolean): Promise<OldDatabase> {
  const opts = { type: 'postgres' as const, migrations: onlyFirst ? [FIRST] : [], extra: { max: 1 } };
  if (backend === 'postgres') {
    const ds = new DataSource({ ...opts, url: databaseUrl });
    await ds.initialize();
    return { dataSource: ds, close: () => ds.destroy() };
  }
  const pgdata = join(dataDir, 'pgdata');
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(pgdata);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const conn = server.getServerConn();
  const ds = new DataSource({ ...opts, host: '127.0.0.1', port: Number(conn.slice(conn.lastIndexOf(':') + 1)), username: 'postgres', database: 'postgres' });
  await ds.initialize();
  return {
    dataSource: ds,
    async close() {
      await ds.destroy();
      await server.stop();
      await db.close();
    },
  };
}

for (const backend of BACKENDS) {
  describe(`upgrade from a database made by the first migration (${backend})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pbx-upgrade-'));
    let databaseUrl: string | undefined;
    let dropDb: (() => Promise<void>) | undefined;
    let srv: TestServer;
    let bob: SipTestClient;
    const clients: SipTestClient[] = [];

    before(async () => {
      if (backend === 'postgres') {
        const db = await createTestDatabase();
        databaseUrl = db.url;
        dropDb = db.drop;
      }
      // bob's phone exists before the server does: its binding is in the old location table.
      bob = await SipTestClient.open('udp', { address: '127.0.0.1', port: 9 });
      clients.push(bob);

      const old = await openOld(backend, dataDir, databaseUrl, true);
      try {
        const applied = await old.dataSource.runMigrations({ transaction: 'each' });
        assert.deepEqual(applied.map((m) => m.name), [FIRST.name], 'only the first migration');
        const q = (sql: string, params?: unknown[]) => old.dataSource.query(sql, params);
        for (const [user, pw] of Object.entries(PASSWORDS)) {
          await q(`INSERT INTO subscriber (username, domain, password, ha1, ha1b, ha1_sha256) VALUES ($1, $2, '', $3, $4, $5)`, [
            user,
            DOMAIN,
            md5(`${user}:${DOMAIN}:${pw}`),
            md5(`${user}@${DOMAIN}:${DOMAIN}:${pw}`),
            sha256(`${user}:${DOMAIN}:${pw}`),
          ]);
        }
        await q(
          `INSERT INTO location (ruid, username, domain, contact, expires, q, callid, cseq, last_modified, user_agent, socket)
           VALUES ('old-ruid-1', 'bob', NULL, $1, now() + interval '1 hour', 1.0, 'old-call@test', 7, now(), 'old phone/1', NULL)`,
          [`sip:bob@127.0.0.1:${bob.localPort}`],
        );
        await q(
          `INSERT INTO silo (src_addr, dst_addr, username, domain, inc_time, exp_time, ctype, body, callid)
           VALUES ($1, $2, 'alice', $3, extract(epoch from now())::int, extract(epoch from now())::int + 86400, 'text/plain', $4, '')`,
          [`sip:carol@${DOMAIN}`, `sip:alice@${DOMAIN}`, DOMAIN, Buffer.from('stored before the upgrade')],
        );
        await q(
          `INSERT INTO sca_subscriptions (subscriber, aor, event, expires, state, app_idx, call_id, from_tag, to_tag, notify_cseq, subscribe_cseq)
           VALUES ('sip:bob@127.0.0.1:5080', $1, 1, extract(epoch from now())::int + 3600, 0, 0, 'sca-old@test', 'f1', 't1', 1, 1)`,
          [`sip:bob@${DOMAIN}`],
        );
      } finally {
        await old.close();
      }

      const cfg = join(dataDir, 'pbx.yaml');
      writeFileSync(cfg, 'usrloc:\n  db_mode: 1\n');
      srv = await startServer({ backend, dataDir, databaseUrl, env: { SIP_DOMAINS: DOMAIN, PBX_CONFIG: cfg } });
    });

    after(async () => {
      for (const c of clients) c.close();
      await srv?.stop();
      await dropDb?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('the pending migrations ran before the appliance listened', async () => {
      const records = srv.output.flatMap((l) => {
        try {
          return l.startsWith('{') ? [JSON.parse(l) as { msg?: string }] : [];
        } catch {
          return [];
        }
      });
      const migrated = records.findIndex((r) => r.msg === 'database ready, migrations applied');
      const ready = records.findIndex((r) => r.msg === 'ready');
      assert.ok(migrated >= 0 && ready > migrated, 'migrations are applied before the ready line (every listener is up only then)');
      // The migrations table, read from the appliance's own database once it has stopped (PGlite is one process's).
      assert.equal(await srv.stop(), 0);
      const db = await openOld(backend, dataDir, databaseUrl, false);
      try {
        const rows: Array<{ name: string }> = await db.dataSource.query('SELECT name FROM migrations ORDER BY id');
        assert.deepEqual(rows.map((r) => r.name), migrations.map((m) => new m().name), `every migration applied, oldest first (${migrations.length - 1} were pending)`);
      } finally {
        await db.close();
      }
      srv = await startServer({ backend, dataDir, databaseUrl, env: { SIP_DOMAINS: DOMAIN, PBX_CONFIG: join(dataDir, 'pbx.yaml') } });
    });

    test('the old data is kept and usable: subscribers authenticate, the message is delivered, the binding routes', async () => {
      const token = await srv.login();
      const subs = await srv.api('/api/subscribers?sort=username&order=asc', { token });
      assert.equal(subs.status, 200);
      assert.deepEqual(subs.body.items.map((s: { username: string }) => s.username), ['alice', 'bob']);
      const reg = await srv.api(`/api/registrations/bob@${DOMAIN}`, { token });
      assert.equal(reg.status, 200, 'the old binding is loaded (usrloc.db_mode 1 preload)');
      assert.equal(reg.body.contacts[0].contact, `sip:bob@127.0.0.1:${bob.localPort}`);
      const backup = await srv.api('/api/backup', { token });
      assert.equal(backup.body.scaSubscriptions.length, 1, 'the SCA subscription row is kept');

      const alice = await SipTestClient.open('udp', srv.sip('udp'));
      clients.push(alice);
      const digest = (method: string, uri: string, challenge: { getAll(n: string): string[] }, proxy: boolean) =>
        new DigestClient({ username: 'alice', password: PASSWORDS.alice }).authorize(challenge.getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'), method, uri);
      const spec = {
        method: 'REGISTER',
        uri: `sip:${DOMAIN}`,
        from: `sip:alice@${DOMAIN}`,
        to: `sip:alice@${DOMAIN}`,
        contact: `<sip:alice@127.0.0.1:${alice.localPort}>`,
        headers: ['Expires: 600', 'Allow: INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS'],
      };
      const first = alice.request(spec);
      alice.send(first.text);
      const ch = await alice.response(first.callId, { method: 'REGISTER' });
      assert.equal(ch.status, 401);
      const ok = await alice.call({ ...spec, callId: first.callId, fromTag: first.fromTag, cseq: 2, headers: [...spec.headers, `Authorization: ${digest('REGISTER', spec.uri, ch, false)}`] });
      assert.equal(ok.status, 200, 'RFC 3261 §22: the digests written by the old schema authenticate');
      const stored = await alice.incoming('MESSAGE', 10_000);
      assert.match(stored.body.toString(), /stored before the upgrade$/);
      alice.answer(stored, 200);

      const m = { method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, from: `sip:alice@${DOMAIN}`, to: `sip:bob@${DOMAIN}`, body: 'after the upgrade', contentType: 'text/plain' };
      const m1 = alice.request(m);
      alice.send(m1.text);
      const ch2 = await alice.response(m1.callId, { method: 'MESSAGE' });
      assert.equal(ch2.status, 407);
      const sent = alice.call({ ...m, callId: m1.callId, fromTag: m1.fromTag, cseq: 2, headers: [`Proxy-Authorization: ${digest('MESSAGE', m.uri, ch2, true)}`] });
      const atBob = await bob.incoming('MESSAGE', 10_000);
      assert.equal(atBob.body.toString(), 'after the upgrade');
      // bob's test phone was opened before the server had a port: its answer goes per the Via (RFC 3261 §18.2.2) from a socket on the server.
      const answerer = await SipTestClient.open('udp', srv.sip('udp'));
      clients.push(answerer);
      answerer.send(createResponse(atBob, 200, undefined, { toTag: 'bob-phone' }).serialize());
      assert.equal((await sent).status, 200);
    });
  });
}
