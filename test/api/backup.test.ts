/**
 * Backup and restore round trip (issue 11 item 4) on both database backends:
 * a source appliance with subscribers, a registration (usrloc.db_mode 1), a
 * stored message and an SCA subscription row is exported (GET /api/backup,
 * and offline with `npm run backup`), restored into a fresh, empty
 * appliance (POST /api/backup/restore) running usrloc.db_mode 2, and the
 * data is shown to work there over SIP: the subscriber authenticates a
 * REGISTER, its stored message is delivered, and the restored binding
 * routes a MESSAGE.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { createResponse, DigestClient } from '@pbx/sip';
import { BACKENDS, createTestDatabase, SipTestClient, startServer, type Backend, type TestServer } from '../support/index.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../../apps/server/dist/backup/cli.js', import.meta.url));
const DOMAIN = 'example.com';
const USERS = { alice: 'alice-secret-1', bob: 'bob-secret-22' } as const;
const SCA_ROW = {
  subscriber: 'sip:bob@127.0.0.1:5080',
  aor: `sip:bob@${DOMAIN}`,
  // A call-info subscription (Kamailio's event 1), the kind the SCA engine keeps across restarts; state 0 as it writes it.
  event: 1,
  expires: 2_000_000_000,
  state: 0,
  app_idx: 0,
  call_id: 'sca-sub-1@test',
  from_tag: 'ft1',
  to_tag: 'tt1',
  record_route: null,
  notify_cseq: 3,
  subscribe_cseq: 2,
  server_id: 0,
};

/** A PBX_CONFIG file with one usrloc.db_mode. */
function configFile(dir: string, dbMode: number): string {
  const file = join(dir, `pbx-db-mode-${dbMode}.yaml`);
  writeFileSync(file, `usrloc:\n  db_mode: ${dbMode}\n`);
  return file;
}

/** Runs SQL on a stopped appliance's database (PGlite: the data dir itself; PostgreSQL: its URL). */
async function withDatabase(srv: TestServer, fn: (q: (sql: string, params?: unknown[]) => Promise<unknown>) => Promise<void>): Promise<void> {
  if (srv.backend === 'postgres') {
    const c = new pg.Client({ connectionString: srv.databaseUrl });
    await c.connect();
    try {
      await fn((sql, params) => c.query(sql, params));
    } finally {
      await c.end();
    }
    return;
  }
  const db = await PGlite.create(join(srv.dataDir, 'pgdata'));
  try {
    await fn((sql, params) => db.query(sql, params));
  } finally {
    await db.close();
  }
}

/** A digest round: the request, its 401/407 challenge, the request again with credentials; resolves the final response. */
async function withDigest(c: SipTestClient, user: keyof typeof USERS, spec: Parameters<SipTestClient['request']>[0]) {
  const first = c.request({ ...spec, cseq: 1 });
  c.send(first.text);
  const challenge = await c.response(first.callId, { method: spec.method });
  assert.ok(challenge.status === 401 || challenge.status === 407, `challenged (${challenge.status})`);
  const proxy = challenge.status === 407;
  const auth = new DigestClient({ username: user, password: USERS[user] }).authorize(
    challenge.getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'),
    spec.method,
    spec.uri,
  );
  return c.call({ ...spec, callId: first.callId, fromTag: first.fromTag, cseq: 2, headers: [...(spec.headers ?? []), `${proxy ? 'Proxy-Authorization' : 'Authorization'}: ${auth}`] });
}

const register = (c: SipTestClient, user: keyof typeof USERS) =>
  withDigest(c, user, {
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
    from: `sip:${user}@${DOMAIN}`,
    to: `sip:${user}@${DOMAIN}`,
    contact: `<sip:${user}@127.0.0.1:${c.localPort}>`,
    headers: ['Expires: 3600', 'Allow: INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS'],
  });

async function liveEvents(srv: TestServer, token: string): Promise<Socket> {
  const socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** `npm run backup` / `npm run restore` (the CLI the scripts run) with only the given environment. */
function cli(args: string[], env: Record<string, string>) {
  return run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, maxBuffer: 64 << 20 });
}

/** The exit code and stderr of a CLI run expected to fail. */
async function cliFails(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await cli(args, env);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`${args.join(' ')} succeeded`);
}

/** Sections compared between two exports: everything but when and where the file was made. */
function content(file: any) {
  const byRuid = (a: any, b: any) => (a.ruid < b.ruid ? -1 : 1);
  return {
    subscribers: file.subscribers,
    bindings: [...file.bindings].sort(byRuid).map((b: any) => ({ ...b, source: b.source ?? null })),
    messages: file.messages,
    scaSubscriptions: file.scaSubscriptions,
  };
}

for (const backend of BACKENDS) {
  describe(`backup and restore round trip (${backend})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbx-backup-'));
    const clients: SipTestClient[] = [];
    const servers: TestServer[] = [];
    let bob: SipTestClient;
    let exported: any;
    let target: TestServer;
    let token: string;

    const start = async (b: Backend, dbMode: number, reuse?: TestServer) => {
      const s = await startServer({
        backend: b,
        dataDir: reuse?.dataDir,
        databaseUrl: reuse?.databaseUrl,
        env: { SIP_DOMAINS: DOMAIN, PBX_CONFIG: configFile(dir, dbMode) },
      });
      servers.push(s);
      return s;
    };

    before(async () => {
      // The source: two subscribers, bob registered (db_mode 1: written through to `location`), a message stored for alice.
      const source = await start(backend, 1);
      const t = await source.login();
      for (const [username, password] of Object.entries(USERS)) {
        const r = await source.api('/api/subscribers', { method: 'POST', token: t, body: { username, domain: DOMAIN, password } });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      bob = await SipTestClient.open('udp', source.sip('udp'));
      clients.push(bob);
      const reg = await register(bob, 'bob');
      assert.equal(reg.status, 200, `bob registers on the source (${reg.status} ${reg.reason})`);
      const m = await source.api('/api/messages', { method: 'POST', token: t, body: { from: `sip:carol@${DOMAIN}`, to: `sip:alice@${DOMAIN}`, body: 'kept across the move' } });
      assert.equal(m.status, 201, JSON.stringify(m.body));
      assert.equal(m.body.outcome, 'stored');

      // An SCA subscription row, written straight to the table while the source is stopped (whether or not an SCA engine runs).
      assert.equal(await source.stop(), 0);
      await withDatabase(source, (q) =>
        q(
          `INSERT INTO sca_subscriptions (subscriber, aor, event, expires, state, app_idx, call_id, from_tag, to_tag, record_route, notify_cseq, subscribe_cseq, server_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
          Object.values(SCA_ROW),
        ).then(() => undefined),
      );
      const again = await start(backend, 1, source);
      const t2 = await again.login();
      const res = await fetch(`${again.httpUrl}/api/backup`, { headers: { authorization: `Bearer ${t2}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="pbx-lite-backup-\d{8}T\d{6}Z\.json"/);
      exported = await res.json();
      assert.equal(await again.stop(), 0);

      target = await start(backend, 2);
      token = await target.login();
    });

    after(async () => {
      for (const c of clients) c.close();
      for (const s of servers.reverse()) await s.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test('GET /api/backup: one versioned file with subscribers, the binding, the stored message and the SCA subscription', () => {
      assert.equal(exported.format, 'pbx-lite-backup');
      assert.equal(exported.version, 1);
      assert.equal(exported.source.backend, backend);
      assert.deepEqual(exported.subscribers.map((s: any) => `${s.username}@${s.domain}`), [`alice@${DOMAIN}`, `bob@${DOMAIN}`]);
      assert.ok(exported.subscribers.every((s: any) => /^[0-9a-f]{32}$/.test(s.ha1) && /^[0-9a-f]{64}$/.test(s.ha1_sha256)), 'digests, never a password');
      assert.equal(exported.bindings.length, 1);
      assert.equal(exported.bindings[0].username, 'bob');
      assert.equal(exported.bindings[0].contact, `sip:bob@127.0.0.1:${bob.localPort}`);
      assert.equal(exported.messages.length, 1);
      assert.equal(Buffer.from(exported.messages[0].body, 'base64').toString(), 'kept across the move');
      assert.equal(exported.messages[0].username, 'alice');
      assert.deepEqual(exported.scaSubscriptions, [SCA_ROW]);
    });

    test('npm run backup (appliance stopped) writes the same data from the database', async () => {
      const source = servers[0]!;
      const { stdout, stderr } = await cli(['backup', '--out', '-'], {
        DATA_DIR: source.dataDir,
        PBX_CONFIG: configFile(dir, 1),
        ...(source.databaseUrl ? { DATABASE_URL: source.databaseUrl } : {}),
      });
      assert.match(stderr, /2 subscriber\(s\), 1 binding\(s\), 1 stored message\(s\), 1 SCA subscription\(s\)/);
      const offline = JSON.parse(stdout);
      // The table has no column for the REGISTER's source hop: offline it is rebuilt from the contact, as a restart does.
      assert.deepEqual({ ...content(offline), bindings: [] }, { ...content(exported), bindings: [] });
      assert.deepEqual(
        offline.bindings.map((b: any) => [b.ruid, b.contact, b.expires]),
        exported.bindings.map((b: any) => [b.ruid, b.contact, b.expires]),
      );
    });

    test('no token is a 401; a bad file is a 400 naming the field, and nothing is written', async () => {
      assert.equal((await target.api('/api/backup')).status, 401, 'the backup holds digests: admin token only');
      assert.equal((await target.api('/api/backup/restore', { method: 'POST', body: exported })).status, 401);
      const badUser = { ...exported, subscribers: [{ ...exported.subscribers[0], username: 42 }, exported.subscribers[1]] };
      const r1 = await target.api('/api/backup/restore', { method: 'POST', token, body: badUser });
      assert.equal(r1.status, 400);
      assert.ok(r1.body.errors.some((e: any) => e.field === 'subscribers.0.username'), JSON.stringify(r1.body));
      const newer = await target.api('/api/backup/restore', { method: 'POST', token, body: { ...exported, version: 99 } });
      assert.equal(newer.status, 400);
      assert.equal(newer.body.errors[0].field, 'version');
      const dup = await target.api('/api/backup/restore', { method: 'POST', token, body: { ...exported, bindings: [exported.bindings[0], exported.bindings[0]] } });
      assert.equal(dup.status, 400);
      assert.equal(dup.body.errors[0].field, 'bindings.1.ruid');
      // Over the 100 kB every other route takes: this route's own limit lets it reach validation.
      const big = { ...exported, messages: [{ ...exported.messages[0], body: Buffer.alloc(600_000, 7).toString('base64'), username: '' }] };
      const r2 = await target.api('/api/backup/restore', { method: 'POST', token, body: big });
      assert.equal(r2.status, 400, `a ${JSON.stringify(big).length}-byte file is read, not refused as too large`);
      assert.equal(r2.body.errors[0].field, 'messages.0.username');
      const notJson = await fetch(`${target.httpUrl}/api/backup/restore`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"format": ' });
      assert.equal(notJson.status, 400);
      assert.equal((await target.api('/api/subscribers', { token })).body.total, 0, 'the target is still empty');
    });

    test('restore into the empty appliance installs everything; a second restore is 409 unless replace=true', async () => {
      const r = await target.api('/api/backup/restore', { method: 'POST', token, body: exported });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.restored, { subscribers: 2, bindings: 1, messages: 1, scaSubscriptions: 1 });

      const again = await target.api('/api/backup/restore', { method: 'POST', token, body: exported });
      assert.equal(again.status, 409);
      assert.match(again.body.message, /already holds 2 subscriber\(s\), 1 binding\(s\), 1 stored message\(s\), 1 SCA subscription\(s\)/);
      const replaced = await target.api('/api/backup/restore?replace=true', { method: 'POST', token, body: exported });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.equal(replaced.body.replaced, true);

      // Exported again from the target (db_mode 2: bindings from memory), the data is what went in, once.
      const back = await target.api('/api/backup', { token });
      assert.equal(back.status, 200);
      assert.deepEqual(content(back.body), content(exported));
      const reg = await target.api(`/api/registrations/bob@${DOMAIN}`, { token });
      assert.equal(reg.status, 200);
      assert.equal(reg.body.contacts.length, 1);
      const openapi = await target.api('/api/docs/openapi.json', { token });
      assert.ok(openapi.body.paths['/api/backup'].get && openapi.body.paths['/api/backup/restore'].post, 'both routes are in the OpenAPI description');
    });

    test('npm run restore fills a new, stopped database (schema made first), refuses a second time; the CLI leaves a running appliance\'s embedded database alone', async () => {
      const file = join(dir, 'exported.json');
      writeFileSync(file, JSON.stringify(exported));
      const fresh = mkdtempSync(join(dir, 'fresh-'));
      const db = backend === 'postgres' ? await createTestDatabase() : undefined;
      const env = { DATA_DIR: fresh, PBX_CONFIG: configFile(dir, 1), ...(db ? { DATABASE_URL: db.url } : {}) };
      try {
        const r = await cli(['restore', file], env);
        assert.match(r.stdout, /restored 2 subscriber\(s\), 1 binding\(s\), 1 stored message\(s\), 1 SCA subscription\(s\)/);
        const again = await cliFails(['restore', file], env);
        assert.equal(again.code, 3, 'exit code 3: the database already holds data');
        assert.match(again.stderr, /already holds 2 subscriber\(s\)/);
        const back = JSON.parse((await cli(['backup', '--out', '-'], env)).stdout);
        assert.deepEqual({ ...content(back), bindings: [] }, { ...content(exported), bindings: [] });
        assert.deepEqual(back.bindings.map((b: any) => [b.ruid, b.contact, b.expires]), exported.bindings.map((b: any) => [b.ruid, b.contact, b.expires]));
      } finally {
        await db?.drop();
      }
      if (backend === 'pglite') {
        const busy = await cliFails(['backup', '--out', '-'], { DATA_DIR: target.dataDir });
        assert.equal(busy.code, 1);
        assert.match(busy.stderr, /in use by process \d+: stop the appliance first/);
      }
    });

    test('the restored data works: alice authenticates a REGISTER and gets her stored message; bob\'s binding routes', async () => {
      const socket = await liveEvents(target, token);
      let step = 'alice registers';
      try {
        const alice = await SipTestClient.open('udp', target.sip('udp'));
        clients.push(alice);
        const dumped = new Promise<{ state: string }>((resolve) => socket.once('message.dumped', resolve));
        const ok = await register(alice, 'alice');
        assert.equal(ok.status, 200, 'RFC 3261 §22: the restored digests authenticate alice');
        step = 'her stored message is delivered';
        const msg = await alice.incoming('MESSAGE', 10_000);
        assert.match(msg.body.toString(), /kept across the move$/, 'msilo.add_date may prefix the date');
        alice.answer(msg, 200);
        assert.equal((await dumped).state, 'delivered');
        assert.equal((await target.api(`/api/messages?to=alice@${DOMAIN}`, { token })).body.total, 0);

        step = 'a MESSAGE to bob goes to his restored binding';
        // bob never registered with the target: only the restored binding can route this to his phone.
        const sent = withDigest(alice, 'alice', { method: 'MESSAGE', uri: `sip:bob@${DOMAIN}`, from: `sip:alice@${DOMAIN}`, to: `sip:bob@${DOMAIN}`, body: 'found you', contentType: 'text/plain' });
        const atBob = await bob.incoming('MESSAGE', 10_000);
        assert.equal(atBob.body.toString(), 'found you');
        // RFC 3261 §18.2.2: bob's phone answers where the top Via says (the target). The test client
        // sends to the server it was opened on (the source, now gone), so the answer leaves from one opened on the target.
        const answerer = await SipTestClient.open('udp', target.sip('udp'));
        clients.push(answerer);
        answerer.send(createResponse(atBob, 200, undefined, { toTag: 'bob-phone' }).serialize());
        assert.equal((await sent).status, 200);
      } catch (err) {
        // The target's last log lines make a failure here readable.
        (err as Error).message += ` (at: ${step})\n--- target log ---\n${target.output.slice(-30).join('\n')}`;
        throw err;
      } finally {
        socket.close();
      }
    });
  });
}
