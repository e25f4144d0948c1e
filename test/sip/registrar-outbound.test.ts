import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import type { SipResponse } from '@pbx/sip';
import { rand, SipTestClient, startServer, type ClientTransport, type RequestSpec, type TestServer } from '../support/index.js';

/**
 * RFC 5626 outbound, registrar side (registrar outbound_mode, regid_mode,
 * flow_timer; seed §3.26–3.28): flows keyed by instance + reg-id, the 200's
 * Require: outbound and Flow-Timer, requests sent back over the flow's
 * connection, bindings gone with their connection, 439 and 421. Against the
 * running appliance over real TCP and UDP sockets; SIP_AUTH=off.
 */

const DOMAIN = 'example.com';

/** Starts the appliance with `yaml` as its PBX_CONFIG (none when null). */
function serverWith(yaml: string | null): Promise<TestServer> {
  return startServer({ env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN }, ...(yaml === null ? {} : { config: yaml }) });
}

interface RegistrationChanged {
  aor: string;
  reason: string;
  contacts: Array<{ id: string; regId: number | null; instance: string | null }>;
}

/** One server per configuration, a dashboard socket for `registration.changed`, and the user agents each test opens. */
function fixture(yaml: string | null) {
  const f = {
    srv: undefined as unknown as TestServer,
    token: '',
    socket: undefined as unknown as Socket,
    open: [] as SipTestClient[],
    async ua(transport: ClientTransport = 'udp'): Promise<SipTestClient> {
      const c = await SipTestClient.open(transport, f.srv.sip(transport === 'tcp' ? 'tcp' : 'udp'));
      f.open.push(c);
      return c;
    },
    async binding(user: string) {
      return f.srv.api(`/api/registrations/${user}@${DOMAIN}`, { token: f.token });
    },
    /** The next `registration.changed` for `aor` that `match`es; listen before causing it. */
    changed(aor: string, match: (e: RegistrationChanged) => boolean): Promise<RegistrationChanged> {
      return new Promise((resolve) => {
        const on = (e: RegistrationChanged) => {
          if (e.aor !== aor || !match(e)) return;
          f.socket.off('registration.changed', on);
          resolve(e);
        };
        f.socket.on('registration.changed', on);
      });
    },
  };
  before(async () => {
    f.srv = await serverWith(yaml);
    f.token = await f.srv.login();
    f.socket = io(f.srv.httpUrl, { auth: { token: f.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      f.socket.once('connect', resolve);
      f.socket.once('connect_error', reject);
    });
  });
  after(async () => {
    f.socket?.close();
    for (const c of f.open) c.close();
    await f.srv?.destroy();
  });
  return f;
}

const urn = () => `urn:uuid:${crypto.randomUUID()}`;

/**
 * An outbound Contact (RFC 5626 §4.2): a URI the registrar cannot reach
 * (TEST-NET-1), so anything that arrives came over the flow.
 */
const obContact = (user: string, instance: string, regId: number) => `<sip:${user}@192.0.2.60:5070;transport=tcp;ob>;reg-id=${regId};+sip.instance="<${instance}>"`;

function registerSpec(user: string, contact: string, headers: string[] = [], o: Partial<RequestSpec> = {}): RequestSpec {
  return { method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `sip:${user}@${DOMAIN}`, to: `sip:${user}@${DOMAIN}`, contact, headers: ['Expires: 600', ...headers], ...o };
}

/** A phone's REGISTER relayed by `edge`: the edge's Via on top of the phone's (RFC 5626 §6: the registrar is then not the first hop). */
function viaEdge(edge: SipTestClient, spec: RequestSpec): Promise<SipResponse> {
  const r = edge.request(spec);
  edge.send(r.text.replace(/^(Via: [^\r\n]*\r\n)/m, `$1Via: SIP/2.0/TCP 192.0.2.60:5070;branch=z9hG4bK${rand()};rport\r\n`));
  return edge.response(r.callId, { method: 'REGISTER' });
}

const tags = (res: SipResponse, name: 'Require' | 'Supported' | 'Unsupported') => res.getAll(name).flatMap((v) => v.split(',').map((t) => t.trim().toLowerCase()));

function message(caller: SipTestClient, user: string) {
  const r = caller.request({ method: 'MESSAGE', uri: `sip:${user}@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, body: 'over the flow', contentType: 'text/plain' });
  caller.send(r.text);
  return r;
}

describe('outbound_mode 0 (the default)', () => {
  const f = fixture(null);

  test('seed §3.26 outbound_mode 0: Require: outbound is 420 with Unsupported: outbound and nothing is stored', async () => {
    const c = await f.ua('tcp');
    const res = await c.call(registerSpec('orla', obContact('orla', urn(), 1), ['Supported: outbound', 'Require: outbound']));
    assert.equal(res.status, 420, `${res.status} ${res.reason}`);
    assert.deepEqual(tags(res, 'Unsupported'), ['outbound']);
    assert.equal((await f.binding('orla')).status, 404);
  });

  test('seed §3.26 outbound_mode 0: a Supported: outbound client with reg-id registers; the 200 has no Require: or Supported: outbound and no Flow-Timer', async () => {
    const c = await f.ua('tcp');
    const inst = urn();
    const res = await c.call(registerSpec('oona', obContact('oona', inst, 1), ['Supported: outbound']));
    assert.equal(res.status, 200, `${res.status} ${res.reason}`);
    assert.ok(!tags(res, 'Require').includes('outbound'), `no Require: outbound: ${res.getAll('Require')}`);
    assert.ok(!tags(res, 'Supported').includes('outbound'), `no Supported: outbound: ${res.getAll('Supported')}`);
    assert.equal(res.flowTimer(), undefined, 'no Flow-Timer');
    assert.equal((await f.binding('oona')).body.contacts[0].instance, `<${inst}>`);
  });

  test('seed §3.27 regid_mode 0: reg-id in a REGISTER that does not indicate outbound support is ignored', async () => {
    const c = await f.ua('tcp');
    const res = await c.call(registerSpec('orin', obContact('orin', urn(), 1)));
    assert.equal(res.status, 200, `${res.status} ${res.reason}`);
    assert.equal(res.contacts()[0]!.regId, undefined, 'no reg-id in the 200');
    assert.equal((await f.binding('orin')).body.contacts[0].regId, null, 'stored without reg-id: not a flow');
  });
});

describe('outbound_mode 1, flow_timer 25, use_path 1 + path_mode 1', () => {
  const f = fixture('registrar:\n  outbound_mode: 1\n  flow_timer: 25\n  use_path: 1\n  path_mode: 1\n');

  test('RFC 5626 §6 / seed §3.26, §3.28: a TCP REGISTER with +sip.instance, reg-id and Supported: outbound gets 200 with Require: outbound and Flow-Timer: 25', async () => {
    const c = await f.ua('tcp');
    const inst = urn();
    const res = await c.call(registerSpec('ola', obContact('ola', inst, 1), ['Supported: outbound']));
    assert.equal(res.status, 200, `${res.status} ${res.reason}`);
    assert.ok(tags(res, 'Require').includes('outbound'), `Require: outbound: ${res.getAll('Require')}`);
    assert.ok(tags(res, 'Supported').includes('outbound'), `Supported: outbound: ${res.getAll('Supported')}`);
    assert.equal(res.flowTimer(), 25);
    const ct = res.contacts()[0]!;
    assert.equal(ct.regId, 1);
    assert.equal(ct.instance, `<${inst}>`);
    const b = (await f.binding('ola')).body.contacts[0];
    assert.equal(b.regId, 1);
    assert.equal(b.transport, 'tcp');
  });

  test('seed §3.26 outbound_mode 1: a client without outbound gets Supported: outbound but no Require: outbound or Flow-Timer', async () => {
    const c = await f.ua('tcp');
    const res = await c.call(registerSpec('omar', `<sip:omar@192.0.2.60:5070;transport=tcp>`));
    assert.equal(res.status, 200, `${res.status} ${res.reason}`);
    assert.ok(tags(res, 'Supported').includes('outbound'));
    assert.ok(!tags(res, 'Require').includes('outbound'));
    assert.equal(res.flowTimer(), undefined);
  });

  test('RFC 5626 §5.3: a request to the AoR goes back over the flow\'s TCP connection; when that connection closes the binding goes (usrloc handle_lost_tcp)', async () => {
    const phone = await f.ua('tcp');
    const caller = await f.ua('udp');
    const ok = await phone.call(registerSpec('oscar', obContact('oscar', urn(), 1), ['Supported: outbound']));
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);

    const r = message(caller, 'oscar');
    const got = await phone.incoming('MESSAGE');
    assert.equal(got.requestUri, 'sip:oscar@192.0.2.60:5070;transport=tcp;ob', 'the Request-URI is the Contact');
    assert.equal(got.topVia()?.transport.toUpperCase(), 'TCP', 'sent over the TCP flow');
    phone.answer(got, 200);
    assert.equal((await caller.response(r.callId)).status, 200);

    const gone = f.changed('oscar', (e) => e.contacts.length === 0);
    phone.close();
    await gone;
    assert.equal((await f.binding('oscar')).status, 404);
  });

  test('RFC 5626 §6: flows are keyed by instance + reg-id: reg-id 2 on a second connection adds a flow; closing the first leaves the second, which then carries the requests', async () => {
    const inst = urn();
    const one = await f.ua('tcp');
    const two = await f.ua('tcp');
    const caller = await f.ua('udp');
    assert.equal((await one.call(registerSpec('olive', obContact('olive', inst, 1), ['Supported: outbound']))).status, 200);
    const second = await two.call(registerSpec('olive', obContact('olive', inst, 2), ['Supported: outbound']));
    assert.equal(second.status, 200);
    assert.deepEqual(second.contacts().map((c) => c.regId).sort(), [1, 2], 'two flows of one instance, both listed');

    const left = f.changed('olive', (e) => e.contacts.length === 1);
    one.close();
    const ev = await left;
    assert.equal(ev.contacts[0]!.regId, 2);

    const r = message(caller, 'olive');
    const got = await two.incoming('MESSAGE');
    two.answer(got, 200);
    assert.equal((await caller.response(r.callId)).status, 200);
  });

  test('RFC 5626 §5.3 / Kamailio t_next_contact_flows: a 430 Flow Failed on one flow retries the next flow of the same instance', async () => {
    const inst = urn();
    const one = await f.ua('tcp');
    const two = await f.ua('tcp');
    const caller = await f.ua('udp');
    assert.equal((await one.call(registerSpec('opal', obContact('opal', inst, 1), ['Supported: outbound']))).status, 200);
    assert.equal((await two.call(registerSpec('opal', obContact('opal', inst, 2), ['Supported: outbound']))).status, 200);

    const r = message(caller, 'opal');
    // Whichever flow is tried first answers 430; the request must then come over the other one.
    const atOne = one.incoming('MESSAGE').then((m) => ({ c: one, m }));
    const atTwo = two.incoming('MESSAGE').then((m) => ({ c: two, m }));
    const first = await Promise.race([atOne, atTwo]);
    first.c.answer(first.m, 430);
    const next = first.c === one ? atTwo : atOne;
    // One waiter for the caller's final response: whichever comes, it is the one the caller gets.
    const final = caller.response(r.callId);
    const outcome = await Promise.race([
      next.then((x) => ({ kind: 'retried' as const, x })),
      final.then((res) => ({ kind: 'final' as const, res })),
    ]);
    if (outcome.kind === 'final') assert.fail(`the caller got ${outcome.res.status} ${outcome.res.reason} and the other flow of the instance was never tried`);
    outcome.x.c.answer(outcome.x.m, 200);
    assert.equal((await final).status, 200);
  });

  test('RFC 5626 §6 / §11.6: reg-id + Supported: outbound from a hop that is not the first, with no ;ob on the Path, is 439 and nothing is stored', async () => {
    const edge = await f.ua('tcp');
    const res = await viaEdge(edge, registerSpec('otis', obContact('otis', urn(), 1), ['Supported: outbound, path', `Path: <sip:127.0.0.1:${edge.localPort};transport=tcp;lr>`]));
    assert.equal(res.status, 439, `${res.status} ${res.reason}`);
    assert.equal((await f.binding('otis')).status, 404);
  });

  test('RFC 5626 §6: through an edge whose Path URI has ;ob, outbound is applied (Require: outbound) and requests go to the edge with the Path as Route', async () => {
    const edge = await f.ua('tcp');
    const caller = await f.ua('udp');
    const path = `<sip:127.0.0.1:${edge.localPort};transport=tcp;lr;ob>`;
    const res = await viaEdge(edge, registerSpec('owen', obContact('owen', urn(), 1), ['Supported: outbound, path', `Path: ${path}`]));
    assert.equal(res.status, 200, `${res.status} ${res.reason}`);
    assert.ok(tags(res, 'Require').includes('outbound'));
    assert.equal(res.path().length, 1, 'path_mode 1 with Supported: path: the Path is echoed');

    const r = message(caller, 'owen');
    const got = await edge.incoming('MESSAGE');
    assert.deepEqual(got.route().map((x) => x.uri.toString()), [`sip:127.0.0.1:${edge.localPort};transport=tcp;lr;ob`]);
    assert.equal(got.requestUri, 'sip:owen@192.0.2.60:5070;transport=tcp;ob');
    edge.answer(got, 200);
    assert.equal((await caller.response(r.callId)).status, 200);
  });
});

describe('outbound_mode 2 (required)', () => {
  const f = fixture('registrar:\n  outbound_mode: 2\n');

  test('seed §3.26 outbound_mode 2: a REGISTER without the outbound option tag is 421 with Require: outbound and nothing is stored', async () => {
    const c = await f.ua('tcp');
    const res = await c.call(registerSpec('ozzy', `<sip:ozzy@192.0.2.60:5070;transport=tcp>`));
    assert.equal(res.status, 421, `${res.status} ${res.reason}`);
    assert.ok(tags(res, 'Require').includes('outbound'));
    assert.equal((await f.binding('ozzy')).status, 404);
  });

  test('seed §3.26 outbound_mode 2: an outbound REGISTER over TCP is accepted with Require: outbound (no Flow-Timer: flow_timer 0)', async () => {
    const c = await f.ua('tcp');
    const res = await c.call(registerSpec('opie', obContact('opie', urn(), 1), ['Supported: outbound']));
    assert.equal(res.status, 200, `${res.status} ${res.reason}`);
    assert.ok(tags(res, 'Require').includes('outbound'));
    assert.equal(res.flowTimer(), undefined);
  });
});
