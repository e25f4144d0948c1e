import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSipp } from '../bench/support/sipp.js';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';

const USER = 'sippu';
/** SIPp's REGISTER names 127.0.0.1, the server's own address, as the domain. */
const DOMAIN = '127.0.0.1';
const MESSAGES = 25;
/**
 * One Call-ID for the stored conversation and SIPp's call: with use_mode 1
 * the dump reuses it, so SIPp maps every MESSAGE to its one call. SIPp
 * names its calls by `-cid_str` (%u = call number, 1 here).
 */
const CID_STR = 'msilo-sipp-witness-%u';
const CALL_ID = 'msilo-sipp-witness-1';
const RECV_TIMEOUT_MS = 10_000;

const body = (i: number) => `witness-${String(i).padStart(3, '0')}`;

/**
 * A SIPp phone: REGISTERs (Allow lists MESSAGE) from its own port with its
 * own Contact, then must receive exactly the stored MESSAGEs, one after the
 * other in storage order, each body checked by a regular expression
 * (check_it: a mismatch fails the call), each answered 200. A missing,
 * extra-before-its-turn or out-of-order MESSAGE fails SIPp's call.
 */
function witnessScenario(): string {
  const recvs = Array.from(
    { length: MESSAGES },
    // One variable for every check: SIPp refuses a variable referenced only once.
    (_, i) => `
  <recv request="MESSAGE" timeout="${RECV_TIMEOUT_MS}">
    <action><ereg regexp="${body(i)}$" search_in="body" check_it="true" assign_to="body"/></action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]W[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>`,
  ).join('');
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="msilo witness">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:${DOMAIN}:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:${USER}@${DOMAIN}>;tag=[pid]R[call_number]
      To: <sip:${USER}@${DOMAIN}>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:${USER}@[local_ip]:[local_port]>
      Allow: INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS
      Expires: 300
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>${recvs}
</scenario>
`;
}

/** kamailio-msilo.txt §4.3 m_dump, witnessed by a third party (SIPp) instead of our own test client. */
describe('msilo with a SIPp phone as the receiver', () => {
  let srv: TestServer;
  let dir: string;
  let token: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pbx-msilo-sipp-'));
    const cfg = join(dir, 'pbx.yaml');
    writeFileSync(cfg, 'msilo:\n  use_mode: 1\n');
    srv = await startServer({ env: { SIP_AUTH: 'off', SIP_LISTEN: 'udp:127.0.0.1:0', PBX_CONFIG: cfg } });
    token = await srv.login();
  });
  after(async () => {
    await srv?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('m_dump (§4.3) and use_mode (§3.34): a SIPp phone registering receives every stored MESSAGE once, in storage order, on the stored Call-ID', async () => {
    const sender = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      for (let i = 0; i < MESSAGES; i++) {
        const r = await sender.call({ method: 'MESSAGE', uri: `sip:${USER}@${DOMAIN}`, from: `sip:kim@${DOMAIN}`, callId: CALL_ID, cseq: i + 1, body: body(i), contentType: 'text/plain' });
        assert.equal(r.status, 202, `${body(i)} stored`);
      }
    } finally {
      sender.close();
    }
    assert.equal((await srv.api(`/api/messages?to=${USER}@${DOMAIN}`, { token })).body.total, MESSAGES);

    const scenario = join(dir, 'witness.xml');
    writeFileSync(scenario, witnessScenario());
    const sip = srv.sip('udp');
    const r = await runSipp({ scenario, host: sip.address, port: sip.port, rate: 1, calls: 1, recvTimeoutMs: RECV_TIMEOUT_MS, killAfterMs: 60_000, extraArgs: ['-cid_str', CID_STR] });
    assert.equal(r.successful, 1, `SIPp's call (REGISTER, then ${MESSAGES} MESSAGEs in order) succeeded; exit ${r.exitCode}`);
    assert.equal(r.failed, 0);
    assert.equal(r.exitCode, 0);

    // Deleted only after the 2xx (§1): the inbox is empty once every 200 was seen.
    const deadline = Date.now() + 10_000;
    let total = -1;
    while (Date.now() < deadline && (total = (await srv.api(`/api/messages?to=${USER}@${DOMAIN}`, { token })).body.total) !== 0) await new Promise((res) => setTimeout(res, 50));
    assert.equal(total, 0, 'every delivered message deleted');
  });
});
