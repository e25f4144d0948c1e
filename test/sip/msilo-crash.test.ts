import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, SipTestClient, startServer, type Backend, type TestServer } from '../support/index.js';

const DOMAIN = 'example.com';
const ENV = { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN };
/** MESSAGEs offered at most; the server is killed once KILL_AFTER of them were answered 202. */
const TOTAL = 400;
const KILL_AFTER = 150;
/** MESSAGEs in flight at once (the load). */
const IN_FLIGHT = 24;
const CALL_TIMEOUT_MS = 3_000;
const DELIVERY_DEADLINE_MS = 60_000;

/**
 * issue 6 / kamailio-msilo.txt §4.1 m_store: "nothing acknowledged is ever
 * lost". MESSAGEs for an offline user at load; the server is killed with
 * SIGKILL (no shutdown hook runs) while some are still in flight; a new
 * server on the same data; the user registers: every MESSAGE answered 202
 * arrives exactly once (one transaction each), and none arrives twice.
 */
describe('msilo crash safety (202 after commit)', () => {
  for (const backend of BACKENDS) {
    test(`[${backend}] SIGKILL mid-stream: every MESSAGE answered 202 is delivered exactly once after the restart`, async () => {
      const first = await startServer({ backend, env: ENV });
      let second: TestServer | undefined;
      const clients: SipTestClient[] = [];
      try {
        const sender = await SipTestClient.open('udp', first.sip('udp'));
        clients.push(sender);
        const acked = await storeUntilKilled(first, sender);
        assert.ok(acked.size >= KILL_AFTER, `${acked.size} acknowledged before the kill`);
        assert.equal(await first.stop(), null, 'killed, not exited');
        assert.equal(first.proc.signalCode, 'SIGKILL');

        second = await startServer({ backend, env: ENV, dataDir: first.dataDir, ...(first.databaseUrl ? { databaseUrl: first.databaseUrl } : {}) });
        const token = await second.login();
        const carol = await SipTestClient.open('udp', second.sip('udp'));
        clients.push(carol);
        const reg = await carol.call({
          method: 'REGISTER',
          uri: `sip:${DOMAIN}`,
          from: `sip:carol@${DOMAIN}`,
          to: `sip:carol@${DOMAIN}`,
          contact: `<sip:carol@127.0.0.1:${carol.localPort}>`,
          headers: ['Expires: 300', 'Allow: INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS'],
        });
        assert.equal(reg.status, 200);
        const received = await receiveAll(second, token, carol, acked, backend);
        const missing = [...acked].filter((b) => !received.has(b));
        assert.deepEqual(missing, [], 'every acknowledged MESSAGE is delivered');
        const twice = [...received].filter(([, branches]) => branches.size > 1).map(([b]) => b);
        assert.deepEqual(twice, [], 'no MESSAGE is delivered twice');
      } finally {
        for (const c of clients) c.close();
        await second?.stop();
        await first.destroy();
      }
    });
  }
});

/** Sends MESSAGEs for offline `carol`, IN_FLIGHT at a time; SIGKILLs the server after KILL_AFTER 202s. Resolves the acknowledged bodies. */
async function storeUntilKilled(srv: TestServer, sender: SipTestClient): Promise<Set<string>> {
  const acked = new Set<string>();
  let next = 0;
  let killed = false;
  const worker = async (): Promise<void> => {
    while (!killed && next < TOTAL) {
      const body = `crash-${next++}`;
      let status: number;
      try {
        status = (await sender.call({ method: 'MESSAGE', uri: `sip:carol@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, body, contentType: 'text/plain' }, CALL_TIMEOUT_MS)).status;
      } catch (err) {
        if (killed) return; // in flight when the server died: its outcome is unknown, and need not be delivered
        throw err;
      }
      assert.equal(status, 202, `${body}: m_store answers 202`);
      acked.add(body);
      if (acked.size >= KILL_AFTER && !killed) {
        killed = true;
        srv.proc.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  assert.ok(killed, `the server was killed (only ${acked.size} of ${TOTAL} acknowledged)`);
  return acked;
}

/**
 * Answers 200 to every MESSAGE the server dumps to `ua` until each
 * acknowledged body arrived and carol's inbox is empty (MESSAGEs stored but
 * not acknowledged before the kill may arrive too). Resolves body → Via
 * branches it came in (a UDP retransmission repeats the branch).
 */
async function receiveAll(srv: TestServer, token: string, ua: SipTestClient, acked: Set<string>, backend: Backend): Promise<Map<string, Set<string>>> {
  const received = new Map<string, Set<string>>();
  const deadline = Date.now() + DELIVERY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if ([...acked].every((b) => received.has(b))) {
      const left = await srv.api(`/api/messages?to=carol@${DOMAIN}`, { token });
      if (left.body.total === 0) return received;
    }
    let msg;
    try {
      msg = await ua.incoming('MESSAGE', 500);
    } catch {
      continue; // none in this half second: look at the inbox again
    }
    ua.answer(msg, 200);
    const body = /crash-\d+$/.exec(msg.body.toString('utf8'))?.[0];
    assert.ok(body, `a dumped MESSAGE carries a stored body: ${msg.body.toString('utf8')}`);
    const branches = received.get(body) ?? new Set<string>();
    branches.add(msg.vias()[0]!.branch ?? '');
    received.set(body, branches);
  }
  assert.fail(`[${backend}] not every message delivered within ${DELIVERY_DEADLINE_MS} ms: ${received.size} of ${acked.size}`);
}
