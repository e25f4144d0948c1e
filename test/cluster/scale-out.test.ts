import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, SipTestClient, startServer, type TestServer } from '../support/index.js';
import { ClusterPhone } from './cluster-phone.js';

const DOMAIN = 'example.com';
/** Rounds of the registration race (each a fresh user with STORED messages waiting). */
const RACE_ROUNDS = 4;
const STORED = 5;

/**
 * Scale-out (issue 11 item 6): two appliance processes with
 * `usrloc.db_mode: 3` on one PostgreSQL database, serving the same SIP
 * domain, as they would behind a SIP load balancer. Registrations and
 * stored messages live in the shared tables; a stored message is claimed
 * by one node with row locks (`FOR UPDATE SKIP LOCKED`), so it is delivered
 * once even when the user registers at both nodes at the same moment.
 */
describe('two nodes, usrloc.db_mode 3, one PostgreSQL', () => {
  let dir: string;
  let db: { url: string; drop(): Promise<void> };
  let a: TestServer;
  let b: TestServer;
  let tokenA: string;
  let tokenB: string;
  const open: Array<SipTestClient | ClusterPhone> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pbx-cluster-'));
    // Each node its own usrloc.server_id: a binding names the node whose socket holds its flow.
    const config = (id: number) => {
      const file = join(dir, `node-${id}.yaml`);
      writeFileSync(file, `usrloc:\n  db_mode: 3\n  server_id: ${id}\n`);
      return { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN, PBX_CONFIG: file };
    };
    db = await createTestDatabase();
    // One after the other: the first runs the migrations, the second finds them applied.
    a = await startServer({ backend: 'postgres', databaseUrl: db.url, env: config(1) });
    b = await startServer({ backend: 'postgres', databaseUrl: db.url, env: config(2) });
    tokenA = await a.login();
    tokenB = await b.login();
  });
  after(async () => {
    for (const c of open) c.close();
    await a?.destroy();
    await b?.destroy();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ua(node: TestServer): Promise<SipTestClient> {
    const c = await SipTestClient.open('udp', node.sip('udp'));
    open.push(c);
    return c;
  }
  async function phone(): Promise<ClusterPhone> {
    const p = await ClusterPhone.open();
    open.push(p);
    return p;
  }
  const message = (c: SipTestClient, user: string, body: string) =>
    c.call({ method: 'MESSAGE', uri: `sip:${user}@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body, contentType: 'text/plain' });

  test('a registration made at node A is seen by node B (API), and a MESSAGE sent to node B reaches the phone registered at A', async () => {
    const anna = await phone();
    assert.equal(await anna.register(a.sip('udp'), 'anna', DOMAIN), 200);
    const seen = await b.api(`/api/registrations/anna@${DOMAIN}`, { token: tokenB });
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.equal(seen.body.contacts.length, 1);

    const sender = await ua(b);
    const r = sender.request({ method: 'MESSAGE', uri: `sip:anna@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body: 'via node B', contentType: 'text/plain' });
    sender.send(r.text);
    assert.equal((await sender.response(r.callId)).status, 200, "anna's 200, relayed by node B");
    assert.deepEqual([...anna.messages.values()].map((m) => m.body.toString()), ['via node B']);
  });

  test('a message stored through node A is listed by node B and delivered when the user registers at node B', async () => {
    const sender = await ua(a);
    assert.equal((await message(sender, 'boris', 'stored at A')).status, 202);
    const listed = await b.api(`/api/messages?to=boris@${DOMAIN}`, { token: tokenB });
    assert.equal(listed.body.total, 1, 'node B sees the row node A stored');

    const boris = await phone();
    assert.equal(await boris.register(b.sip('udp'), 'boris', DOMAIN), 200);
    await inboxEmpty(a, tokenA, 'boris');
    const got = [...boris.messages.values()].map((m) => m.body.toString());
    assert.equal(got.length, 1);
    assert.match(got[0]!, /stored at A$/);
  });

  test('the user registers at node A and node B at the same moment: each stored message is delivered exactly once (row claims)', async () => {
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const user = `race${round}`;
      const sender = await ua(round % 2 === 0 ? a : b);
      for (let i = 0; i < STORED; i++) assert.equal((await message(sender, user, `${user}-${i}`)).status, 202);

      // Two phones of the user, one registered at each node, REGISTERs sent together.
      const atA = await phone();
      const atB = await phone();
      const [ra, rb] = await Promise.all([atA.register(a.sip('udp'), user, DOMAIN), atB.register(b.sip('udp'), user, DOMAIN)]);
      assert.equal(ra, 200);
      assert.equal(rb, 200);
      await inboxEmpty(b, tokenB, user);
      const got = [...atA.messages.values(), ...atB.messages.values()];
      const bodies = got.map((m) => /race\d+-\d+$/.exec(m.body.toString())?.[0]).sort();
      assert.deepEqual(bodies, Array.from({ length: STORED }, (_, i) => `${user}-${i}`).sort(), `round ${round}: each message once, none twice`);
    }
  });
});

/** Waits (bounded) until the user's inbox is empty: every delivery got its 2xx and was deleted. */
async function inboxEmpty(node: TestServer, token: string, user: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let total = -1;
  while (Date.now() < deadline) {
    total = (await node.api(`/api/messages?to=${user}@${DOMAIN}`, { token })).body.total;
    if (total === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${user}'s inbox still holds ${total} messages`);
}
