import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKamailio, type KamailioInstance } from '../bench/support/kamailio.js';
import { SipTestClient, type TestServer } from '../support/index.js';
import { DOMAIN, REGISTRAR_YAML, obRegister, serverWith, startEdge, urn } from './edge-support.js';

/**
 * Interop with Kamailio 5.6 (Debian kamailio + kamailio-outbound-modules)
 * as the peer, both ways round (issue: "Interop with Kamailio as a peer"):
 * - the seed's Registrar Configuration in Kamailio behind the appliance's edge role;
 * - the appliance's registrar behind Kamailio running the seed's Edge Proxy Configuration.
 * Each time a UA registers through the edge and a MESSAGE sent to the
 * registrar reaches it over its flow. Kamailio runs on a loopback port of
 * its own and is stopped by pid.
 */
const SRC = fileURLToPath(new URL('../../edge/', import.meta.url));

function message(from: SipTestClient, user: string) {
  const r = from.request({ method: 'MESSAGE', uri: `sip:${user}@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, body: 'through kamailio', contentType: 'text/plain' });
  from.send(r.text);
  return r;
}

describe('Kamailio registrar (seed Example 1.3) behind the appliance edge', () => {
  let kam: KamailioInstance;
  let edge: TestServer;
  const open: SipTestClient[] = [];
  before(async () => {
    kam = await startKamailio({ cfg: join(SRC, 'kamailio-registrar.cfg'), workers: 2 });
    edge = await startEdge({ address: kam.host, port: kam.port }, 20);
  });
  after(async () => {
    for (const c of open) c.close();
    await edge?.destroy();
    await kam?.stop();
  });

  for (const transport of ['tcp', 'udp'] as const) {
    test(`RFC 5626 §5 over ${transport}: Kamailio (outbound_mode 2, path_mode 2) accepts the edge's Path ;ob, and its request reaches the UA over the flow`, async () => {
      const phone = await SipTestClient.open(transport, edge.sip(transport));
      const caller = await SipTestClient.open('udp', { address: kam.host, port: kam.port });
      open.push(phone, caller);
      const user = `kreg${transport}`;
      const res = await phone.call(obRegister(user, `127.0.0.1:${phone.localPort}`, urn(), 1));
      assert.equal(res.status, 200, `${res.status} ${res.reason}\n${kam.output.slice(-20).join('\n')}`);
      assert.ok(res.getAll('Require').join(',').includes('outbound'), 'Kamailio accepted outbound');
      assert.equal(res.flowTimer(), 20, 'Flow-Timer added by the edge');

      const m = message(caller, user);
      const got = await phone.incoming('MESSAGE');
      assert.equal(got.requestUri, `sip:${user}@127.0.0.1:${phone.localPort};ob`);
      phone.answer(got, 200);
      assert.equal((await caller.response(m.callId)).status, 200);
    });
  }
});

describe('the appliance registrar behind Kamailio running the seed edge proxy configuration (Example 1.2)', () => {
  let registrar: TestServer;
  let kam: KamailioInstance;
  let dir = '';
  const open: SipTestClient[] = [];
  before(async () => {
    registrar = await serverWith(REGISTRAR_YAML);
    const r = registrar.sip('udp');
    dir = mkdtempSync(join(tmpdir(), 'pbx-kam-edge-'));
    const cfg = join(dir, 'edge.cfg');
    writeFileSync(cfg, readFileSync(join(SRC, 'kamailio-edge.cfg'), 'utf8').replace('@REGISTRAR_IP@', r.address).replace('@REGISTRAR_PORT@', String(r.port)));
    kam = await startKamailio({ cfg, workers: 2 });
  });
  after(async () => {
    for (const c of open) c.close();
    await kam?.stop();
    await registrar?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('RFC 5626 §5/§6: a UA registers through Kamailio (flow-token Path ;ob), gets Flow-Timer 20, and a MESSAGE from the appliance reaches it over its flow', async () => {
    const phone = await SipTestClient.open('udp', { address: kam.host, port: kam.port });
    const caller = await SipTestClient.open('udp', registrar.sip('udp'));
    open.push(phone, caller);
    const res = await phone.call(obRegister('kedge', `127.0.0.1:${phone.localPort}`, urn(), 1));
    assert.equal(res.status, 200, `${res.status} ${res.reason}\n${kam.output.slice(-20).join('\n')}`);
    assert.equal(res.flowTimer(), 20, "Kamailio's onreply_route Flow-Timer");

    const b = await registrar.api(`/api/registrations/kedge@${DOMAIN}`, { token: await registrar.login() });
    const path: string = b.body.contacts[0].path[0];
    assert.match(path, new RegExp(`^<sip:[^@]+@127\\.0\\.0\\.1:${kam.port};lr;ob>$`), `Kamailio's Path carries a flow token and ;ob: ${path}`);

    const m = message(caller, 'kedge');
    const got = await phone.incoming('MESSAGE');
    assert.equal(got.requestUri, `sip:kedge@127.0.0.1:${phone.localPort};ob`);
    phone.answer(got, 200);
    assert.equal((await caller.response(m.callId)).status, 200);
  });
});
