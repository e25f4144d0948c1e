import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NameAddr, SipResponse } from '@pbx/sip';
import { rand, SipTestClient, startServer, type RequestSpec, type TestServer } from '../support/index.js';

/**
 * RFC 3327 Path (registrar use_path / path_mode, seed §1.1, §3.18–3.19) and
 * RFC 5627 GRUU (gruu_enabled, seed §1.2, §3.25) against the running
 * appliance over real UDP sockets. An "edge proxy" is a SipTestClient that
 * relays a phone's REGISTER (its own Via on top of the phone's, and a Path
 * naming its socket), so what the registrar later routes through the Path
 * arrives at that socket. SIP_AUTH=off so no digest is needed.
 */

const DOMAIN = 'example.com';

/** Starts the appliance with `yaml` as its PBX_CONFIG (none when null). */
function serverWith(yaml: string | null): Promise<TestServer> {
  return startServer({ env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN }, ...(yaml === null ? {} : { config: yaml }) });
}

/** One server per configuration, with the user agents each test opens closed at the end. */
function fixture(yaml: string | null) {
  const f = {
    srv: undefined as unknown as TestServer,
    token: '',
    open: [] as SipTestClient[],
    async ua(): Promise<SipTestClient> {
      const c = await SipTestClient.open('udp', f.srv.sip('udp'));
      f.open.push(c);
      return c;
    },
    async binding(user: string) {
      return f.srv.api(`/api/registrations/${user}@${DOMAIN}`, { token: f.token });
    },
  };
  before(async () => {
    f.srv = await serverWith(yaml);
    f.token = await f.srv.login();
  });
  after(async () => {
    for (const c of f.open) c.close();
    await f.srv?.destroy();
  });
  return f;
}

function registerSpec(user: string, contact: string, headers: string[] = [], o: Partial<RequestSpec> = {}): RequestSpec {
  return { method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `sip:${user}@${DOMAIN}`, to: `sip:${user}@${DOMAIN}`, contact, headers: ['Expires: 300', ...headers], ...o };
}

/**
 * A phone's REGISTER relayed by `edge`: the edge's Via on top, the phone's
 * (192.0.2.41, never reachable from here) below it, as RFC 3327 §5.2 has a
 * proxy forward it with its Path added.
 */
function viaEdge(edge: SipTestClient, spec: RequestSpec): Promise<SipResponse> {
  const r = edge.request(spec);
  const text = r.text.replace(/^(Via: [^\r\n]*\r\n)/m, `$1Via: SIP/2.0/UDP 192.0.2.41:5060;branch=z9hG4bK${rand()};rport\r\n`);
  edge.send(text);
  return edge.response(r.callId, { method: 'REGISTER' });
}

/** The edge's own URI as a Path entry. */
const pathOf = (edge: SipTestClient, extra = '') => `<sip:127.0.0.1:${edge.localPort};lr${extra}>`;

/** Sends a MESSAGE to `uri` from `caller`; `at` receives it, answers 200, and the caller gets that 200. */
async function deliver(caller: SipTestClient, uri: string, at: SipTestClient) {
  const r = caller.request({ method: 'MESSAGE', uri, from: `sip:carla@${DOMAIN}`, body: 'hello', contentType: 'text/plain' });
  caller.send(r.text);
  const got = await at.incoming('MESSAGE');
  at.answer(got, 200);
  const res = await caller.response(r.callId);
  assert.equal(res.status, 200);
  return { got, callId: r.callId };
}

/**
 * Proves `c` was never sent the request with `callId`: UDP on loopback
 * from the server's one socket to `c` arrives in order, so once a later
 * request (the sentinel, already awaited) is in, an earlier one would be too.
 */
function neverGot(c: SipTestClient, callId: string, what: string): void {
  const hit = c.received.find((b) => b.toString('latin1').includes(`Call-ID: ${callId}`));
  assert.equal(hit, undefined, `${what}: it arrived anyway:\n${hit?.toString('latin1')}`);
}

const routeUris = (m: { route(): NameAddr[] }) => m.route().map((r) => r.uri.toString());

describe('RFC 3327 Path, use_path 1 + path_mode 2 (strict)', () => {
  const f = fixture('registrar:\n  use_path: 1\n  path_mode: 2\n');

  test('RFC 3327 §5.3 / seed §3.19 path_mode 2: Supported: path + Path is stored and the 200 echoes the Path; no received is derived from the edge', async () => {
    const edge = await f.ua();
    const path = `${pathOf(edge)}, <sip:198.51.100.9;lr>`;
    const ok = await viaEdge(edge, registerSpec('pia', '<sip:pia@192.0.2.41:5060>', ['Supported: path', `Path: ${path}`]));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    assert.deepEqual(ok.path().map((p) => p.uri.toString()), [`sip:127.0.0.1:${edge.localPort};lr`, 'sip:198.51.100.9;lr'], 'the Path, in order');
    assert.equal(ok.contacts()[0]!.params.get('received'), undefined);
    const c = (await f.binding('pia')).body.contacts[0];
    assert.equal(c.path.length, 2);
    assert.match(c.path[0], new RegExp(`sip:127\\.0\\.0\\.1:${edge.localPort};lr`));
    assert.equal(c.received, null, 'the edge, not the registrar, handles the NAT of a pathed contact (seed §1.1)');
  });

  test('RFC 3327 §5.3 / seed §1.1: a request to the AoR gets the stored Path as Route and goes to the first Path hop', async () => {
    const edge = await f.ua();
    const caller = await f.ua();
    const ok = await viaEdge(edge, registerSpec('paul', '<sip:paul@192.0.2.41:5060>', ['Supported: path', `Path: ${pathOf(edge)}`, 'Path: <sip:198.51.100.9;lr>']));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    const { got } = await deliver(caller, `sip:paul@${DOMAIN}`, edge);
    assert.equal(got.requestUri, 'sip:paul@192.0.2.41:5060', 'the Request-URI is the Contact');
    assert.deepEqual(routeUris(got), [`sip:127.0.0.1:${edge.localPort};lr`, 'sip:198.51.100.9;lr'], 'the Path is the route set, first hop first');
  });

  test('RFC 3327 §5.3 / kamailio-msilo.txt §4.3: a stored MESSAGE dumped to a pathed binding carries the Path as its route set, once', async () => {
    const edge = await f.ua();
    const sender = await f.ua();
    const stored = await sender.call({ method: 'MESSAGE', uri: `sip:pam@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, body: 'while you were out', contentType: 'text/plain' });
    assert.equal(stored.status, 202);
    const ok = await viaEdge(
      edge,
      registerSpec('pam', '<sip:pam@192.0.2.41:5060>', ['Supported: path', `Path: ${pathOf(edge)}`, 'Path: <sip:198.51.100.9;lr>', 'Allow: INVITE, ACK, BYE, CANCEL, MESSAGE']),
    );
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    const got = await edge.incoming('MESSAGE');
    edge.answer(got, 200);
    assert.match(got.body.toString(), /while you were out$/);
    assert.equal(got.requestUri, 'sip:pam@192.0.2.41:5060', 'the Request-URI is the Contact');
    assert.deepEqual(routeUris(got), [`sip:127.0.0.1:${edge.localPort};lr`, 'sip:198.51.100.9;lr'], 'the Path is the route set, first hop first, each entry once');
  });

  test('seed §3.19 path_mode 2: a Path without Supported: path is 420 with Unsupported: path and the AoR keeps what it had', async () => {
    const phone = await f.ua();
    const edge = await f.ua();
    const direct = await phone.call(registerSpec('pete', `<sip:pete@127.0.0.1:${phone.localPort}>`));
    assert.equal(direct.status, 200);
    const res = await viaEdge(edge, registerSpec('pete', '<sip:pete@192.0.2.41:5060>', [`Path: ${pathOf(edge)}`]));
    assert.equal(res.status, 420, `${res.status} ${res.reason}`);
    assert.deepEqual(res.unsupported().map((t) => t.toLowerCase()), ['path']);
    const api = await f.binding('pete');
    assert.deepEqual(api.body.contacts.map((c: { contact: string }) => c.contact), [`sip:pete@127.0.0.1:${phone.localPort}`]);
  });
});

describe('RFC 3327 Path, use_path 1 + path_mode 1 (lazy)', () => {
  const f = fixture('registrar:\n  use_path: 1\n  path_mode: 1\n');

  test('seed §3.19 path_mode 1: with Supported: path the Path is stored and echoed', async () => {
    const edge = await f.ua();
    const ok = await viaEdge(edge, registerSpec('lia', '<sip:lia@192.0.2.41:5060>', ['Supported: path', `Path: ${pathOf(edge)}`]));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    assert.equal(ok.path().length, 1);
    assert.equal((await f.binding('lia')).body.contacts[0].path.length, 1);
  });

  test('seed §3.19 path_mode 1: without Supported: path the REGISTER is accepted, the Path stored and used as the route, but not echoed', async () => {
    const edge = await f.ua();
    const caller = await f.ua();
    const ok = await viaEdge(edge, registerSpec('leo', '<sip:leo@192.0.2.41:5060>', [`Path: ${pathOf(edge)}`]));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    assert.equal(ok.getAll('Path').length, 0, 'no Path in the 200');
    assert.equal((await f.binding('leo')).body.contacts[0].path.length, 1);
    const { got } = await deliver(caller, `sip:leo@${DOMAIN}`, edge);
    assert.deepEqual(routeUris(got), [`sip:127.0.0.1:${edge.localPort};lr`]);
  });
});

describe('RFC 3327 Path, use_path 1 + path_mode 0 (off)', () => {
  const f = fixture('registrar:\n  use_path: 1\n  path_mode: 0\n');

  test('seed §3.19 path_mode 0: the Path is stored and used as the route, never echoed, even with Supported: path', async () => {
    const edge = await f.ua();
    const caller = await f.ua();
    const ok = await viaEdge(edge, registerSpec('otto', '<sip:otto@192.0.2.41:5060>', ['Supported: path', `Path: ${pathOf(edge)}`]));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    assert.equal(ok.getAll('Path').length, 0, 'no Path in the 200');
    assert.equal((await f.binding('otto')).body.contacts[0].path.length, 1);
    const { got } = await deliver(caller, `sip:otto@${DOMAIN}`, edge);
    assert.deepEqual(routeUris(got), [`sip:127.0.0.1:${edge.localPort};lr`]);
  });
});

describe('defaults: use_path 0, gruu_enabled 1 (RFC 5627 GRUU)', () => {
  const f = fixture(null);
  const urn = () => `urn:uuid:${crypto.randomUUID()}`;
  const gruuContact = (user: string, c: SipTestClient, instance: string) => `<sip:${user}@127.0.0.1:${c.localPort}>;+sip.instance="<${instance}>"`;
  const mine = (res: SipResponse, instance: string) => {
    const c = res.contacts().find((x) => x.instance === `<${instance}>`);
    assert.ok(c, `the 200 lists the instance's Contact: ${res.getAll('Contact').join(' | ')}`);
    return c;
  };

  test('seed §3.18 use_path 0: a Path is ignored: not stored, not echoed, the source is the received address and requests carry no Route', async () => {
    const edge = await f.ua();
    const caller = await f.ua();
    const ok = await viaEdge(edge, registerSpec('una', '<sip:una@192.0.2.41:5060>', ['Supported: path', `Path: ${pathOf(edge)}`]));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    assert.equal(ok.getAll('Path').length, 0);
    const c = (await f.binding('una')).body.contacts[0];
    assert.deepEqual(c.path, []);
    assert.equal(c.received, `sip:127.0.0.1:${edge.localPort}`);
    const { got } = await deliver(caller, `sip:una@${DOMAIN}`, edge);
    assert.equal(got.requestUri, 'sip:una@192.0.2.41:5060');
    assert.deepEqual(routeUris(got), []);
  });

  test('RFC 5627 §5.2: +sip.instance with Supported: gruu gives pub-gruu and temp-gruu in the 200\'s Contact', async () => {
    const c = await f.ua();
    const inst = urn();
    const ok = await c.call(registerSpec('gina', gruuContact('gina', c, inst), ['Supported: gruu']));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    const ct = mine(ok, inst);
    assert.equal(ct.pubGruu, `sip:gina@${DOMAIN};gr=${inst}`, 'pub-gruu: the AoR with gr = the instance URN (§3.1)');
    assert.match(ct.tempGruu ?? '', new RegExp(`^sip:[^@;]+@${DOMAIN.replace('.', '\\.')};gr$`), 'temp-gruu: an opaque user part with a valueless gr (§3.1)');
    assert.ok(!ct.tempGruu!.includes('gina') && !ct.tempGruu!.includes(inst.slice(9)), 'the temp-gruu reveals neither AoR nor instance');
  });

  test('RFC 5627 §5.2: without Supported: gruu no GRUU is given', async () => {
    const c = await f.ua();
    const inst = urn();
    const ok = await c.call(registerSpec('gus', gruuContact('gus', c, inst)));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    const ct = mine(ok, inst);
    assert.equal(ct.pubGruu, undefined);
    assert.equal(ct.tempGruu, undefined);
  });

  test('RFC 5627 §6.1: a request to a pub-gruu reaches only that instance', async () => {
    const a = await f.ua();
    const b = await f.ua();
    const caller = await f.ua();
    const ia = urn();
    const ib = urn();
    const ra = await a.call(registerSpec('gwen', gruuContact('gwen', a, ia), ['Supported: gruu']));
    const rb = await b.call(registerSpec('gwen', gruuContact('gwen', b, ib), ['Supported: gruu']));
    assert.equal(ra.status, 200);
    assert.equal(rb.status, 200);
    const toA = await deliver(caller, mine(ra, ia).pubGruu!, a);
    assert.equal(toA.got.requestUri, `sip:gwen@127.0.0.1:${a.localPort}`, 'retargeted to the instance\'s Contact');
    await deliver(caller, mine(rb, ib).pubGruu!, b); // the sentinel for b
    neverGot(b, toA.callId, 'the request to A\'s pub-gruu must not reach B');
  });

  test('RFC 5627 §6.1 / seed §1.2: a request to a temp-gruu reaches only its binding, and the temp-gruu stays the same on refresh', async () => {
    const a = await f.ua();
    const b = await f.ua();
    const caller = await f.ua();
    const ia = urn();
    const ib = urn();
    const callId = `tg-${a.localPort}@test`;
    const ra = await a.call(registerSpec('tara', gruuContact('tara', a, ia), ['Supported: gruu'], { callId, cseq: 1 }));
    const rb = await b.call(registerSpec('tara', gruuContact('tara', b, ib), ['Supported: gruu']));
    assert.equal(ra.status, 200);
    assert.equal(rb.status, 200);
    const tempA = mine(ra, ia).tempGruu!;
    const refreshed = await a.call(registerSpec('tara', gruuContact('tara', a, ia), ['Supported: gruu'], { callId, cseq: 2 }));
    assert.equal(refreshed.status, 200);
    assert.equal(mine(refreshed, ia).tempGruu, tempA, 'the same temp-gruu while the binding lives');

    const toB = await deliver(caller, mine(rb, ib).tempGruu!, b);
    assert.equal(toB.got.requestUri, `sip:tara@127.0.0.1:${b.localPort}`);
    await deliver(caller, tempA, a); // the sentinel for a
    neverGot(a, toB.callId, 'the request to B\'s temp-gruu must not reach A');
  });

  test('RFC 5627 §5.1: a REGISTER whose Contact is a GRUU is refused with 403 and nothing changes', async () => {
    const c = await f.ua();
    const inst = urn();
    const ok = await c.call(registerSpec('gil', gruuContact('gil', c, inst), ['Supported: gruu']));
    assert.equal(ok.status, 200);
    const pub = mine(ok, inst).pubGruu!;
    const res = await c.call(registerSpec('gil', `<${pub}>`, ['Supported: gruu']));
    assert.equal(res.status, 403, `${res.status} ${res.reason}`);
    const api = await f.binding('gil');
    assert.deepEqual(api.body.contacts.map((x: { contact: string }) => x.contact), [`sip:gil@127.0.0.1:${c.localPort}`]);
  });
});

describe('gruu_enabled 0', () => {
  const f = fixture('registrar:\n  gruu_enabled: 0\n');

  test('seed §3.25 gruu_enabled 0: +sip.instance with Supported: gruu gets no pub-gruu or temp-gruu', async () => {
    const c = await f.ua();
    const inst = `urn:uuid:${crypto.randomUUID()}`;
    const ok = await c.call(registerSpec('nog', `<sip:nog@127.0.0.1:${c.localPort}>;+sip.instance="<${inst}>"`, ['Supported: gruu']));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    const ct = ok.contacts()[0]!;
    assert.equal(ct.pubGruu, undefined);
    assert.equal(ct.tempGruu, undefined);
    assert.equal(ct.instance, `<${inst}>`, '+sip.instance is still echoed');
  });
});
