import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipResponse } from '@pbx/sip';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';

/**
 * The registrar parameters of seeds/kamailio-registrar.txt §3 that bound
 * and shape a REGISTER (expiry, max_contacts, case_sensitive,
 * method_filtering, received_param) and RFC 3261 §10.3's all-or-nothing
 * rule, held against the running appliance over real UDP sockets. One
 * server per configuration; SIP_AUTH=off so the user agents need no digest.
 */

const DOMAIN = 'example.com';
const FULL_ALLOW = 'INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS';

/** Starts the appliance with `yaml` as its PBX_CONFIG (none when null). */
function serverWith(yaml: string | null): Promise<TestServer> {
  return startServer({ env: { SIP_AUTH: 'off', SIP_DOMAINS: DOMAIN }, ...(yaml === null ? {} : { config: yaml }) });
}

interface Reg {
  /** One Contact header value (a list is allowed); more go in `headers`. */
  contact?: string;
  expires?: number;
  callId?: string;
  cseq?: number;
  headers?: string[];
}

function register(c: SipTestClient, user: string, o: Reg = {}): Promise<SipResponse> {
  return c.call({
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
    from: `sip:${user}@${DOMAIN}`,
    to: `sip:${user}@${DOMAIN}`,
    contact: o.contact,
    callId: o.callId,
    cseq: o.cseq,
    headers: [...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]), ...(o.headers ?? [])],
  });
}

/** The `expires` parameter of the 200's Contact whose URI contains `needle` (the first one without a needle). */
function expiresOf(res: SipResponse, needle = ''): number {
  const c = res.contacts().find((x) => x.uri.toString().includes(needle));
  assert.ok(c, `a Contact with ${needle} in the 200: ${res.getAll('Contact').join(' | ')}`);
  return Number(c.params.get('expires'));
}

/** Asserts `value` is `want` give or take the second or two that passed on the way. */
function near(value: number, want: number, what: string): void {
  assert.ok(value <= want && value >= want - 2, `${what}: expected ${want} (−2 s), got ${value}`);
}

/**
 * Proves `c` was never sent the request with `callId`: UDP on loopback
 * from the server's one socket to `c` arrives in order, so once a later
 * request (the sentinel, awaited by the caller) is in, an earlier one would be too.
 */
function neverGot(c: SipTestClient, callId: string, what: string): void {
  const hit = c.received.find((b) => b.toString('latin1').includes(`Call-ID: ${callId}`));
  assert.equal(hit, undefined, `${what}: it arrived anyway:\n${hit?.toString('latin1')}`);
}

describe('registrar defaults (no registrar section): NAT, expiry, case_sensitive 0, method_filtering 0, atomicity', () => {
  let srv: TestServer;
  let token: string;
  const open: SipTestClient[] = [];
  before(async () => {
    srv = await serverWith(null);
    token = await srv.login();
  });
  after(async () => {
    for (const c of open) c.close();
    await srv?.destroy();
  });
  async function ua(): Promise<SipTestClient> {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    open.push(c);
    return c;
  }
  const binding = async (aor: string) => srv.api(`/api/registrations/${aor}@${DOMAIN}`, { token });

  test('RFC 3261 §10.3 / seed §3.12 received_param: a Contact that is not the source is stored with received = the source, shown as received= in the 200, and a request to the AoR goes to the source', async () => {
    const phone = await ua();
    const caller = await ua();
    const contact = 'sip:nat@192.0.2.33:5062';
    const ok = await register(phone, 'nat', { contact: `<${contact}>`, expires: 300 });
    assert.equal(ok.status, 200, ok.reason);
    const src = `sip:127.0.0.1:${phone.localPort}`;
    assert.equal(ok.contacts()[0]!.params.get('received'), src, 'received_param "received" (the default) carries the source URI');
    const api = await binding('nat');
    assert.equal(api.status, 200);
    assert.equal(api.body.contacts[0].contact, contact);
    assert.equal(api.body.contacts[0].received, src);

    const r = caller.request({ method: 'MESSAGE', uri: `sip:nat@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, body: 'behind NAT', contentType: 'text/plain' });
    caller.send(r.text);
    const got = await phone.incoming('MESSAGE');
    assert.equal(got.requestUri, contact, 'the Request-URI is the registered Contact, the packet went to the source address');
    phone.answer(got, 200);
    assert.equal((await caller.response(r.callId)).status, 200);
  });

  test('RFC 3261 §10.3: a Contact naming the source exactly is stored without received', async () => {
    const phone = await ua();
    const ok = await register(phone, 'direct', { contact: `<sip:direct@127.0.0.1:${phone.localPort}>`, expires: 300 });
    assert.equal(ok.status, 200, ok.reason);
    assert.equal(ok.contacts()[0]!.params.get('received'), undefined);
    assert.equal((await binding('direct')).body.contacts[0].received, null);
  });

  test('seed §3.1 default_expires (3600): a REGISTER with neither Expires nor expires= gets 3600', async () => {
    const c = await ua();
    const ok = await register(c, 'defexp', { contact: '<sip:defexp@192.0.2.34:5060>' });
    assert.equal(ok.status, 200, ok.reason);
    near(expiresOf(ok), 3600, 'expires');
  });

  test('seed §3.4 min_expires (60, min_expires_mode 0): Expires: 10 is raised to 60', async () => {
    const c = await ua();
    const ok = await register(c, 'minexp', { contact: '<sip:minexp@192.0.2.35:5060>', expires: 10 });
    assert.equal(ok.status, 200, ok.reason);
    near(expiresOf(ok), 60, 'expires');
  });

  test('seed §3.5 max_expires 0 (disabled): Expires: 100000 is kept', async () => {
    const c = await ua();
    const ok = await register(c, 'maxexp', { contact: '<sip:maxexp@192.0.2.36:5060>', expires: 100000 });
    assert.equal(ok.status, 200, ok.reason);
    near(expiresOf(ok), 100000, 'expires');
  });

  test('seed §3.10 case_sensitive 0: Lena and lena are one AoR', async () => {
    const c = await ua();
    assert.equal((await register(c, 'Lena', { contact: '<sip:lena@192.0.2.37:5060>', expires: 300 })).status, 200);
    const second = await register(c, 'lena', { contact: '<sip:lena@192.0.2.38:5060>', expires: 300 });
    assert.equal(second.status, 200, second.reason);
    assert.equal(second.contacts().length, 2, 'the 200 lists both bindings of the one AoR');
    assert.equal((await binding('LENA')).body.contacts.length, 2);
  });

  test('seed §3.17 method_filtering 0: Allow is stored but an INVITE still reaches a contact whose Allow lacks INVITE', async () => {
    const phone = await ua();
    const caller = await ua();
    const ok = await register(phone, 'nofilter', { contact: `<sip:nofilter@127.0.0.1:${phone.localPort}>`, expires: 300, headers: ['Allow: MESSAGE, OPTIONS'] });
    assert.equal(ok.status, 200, ok.reason);
    assert.deepEqual((await binding('nofilter')).body.contacts[0].methods, ['MESSAGE', 'OPTIONS'], 'Allow is stored');
    const r = caller.request({ method: 'INVITE', uri: `sip:nofilter@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, contact: `<sip:carla@127.0.0.1:${caller.localPort}>` });
    caller.send(r.text);
    const inv = await phone.incoming('INVITE');
    phone.answer(inv, 603);
    const res = await caller.response(r.callId, { method: 'INVITE' });
    assert.equal(res.status, 603);
    caller.send(caller.request({ method: 'ACK', uri: `sip:nofilter@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, toTag: res.to().tag, callId: r.callId, fromTag: r.fromTag, branch: r.branch, cseq: 1 }).text);
  });

  // RFC 3261 §10.3: "the registrar ... MUST process the request completely or not at all".
  const invalidSecond: Array<[string, (aor: string) => Reg]> = [
    ['a port running into the params (5060transport=udp)', (a) => ({ contact: `<sip:${a}@192.0.2.40:5061>, <sip:${a}@1.2.3.4:5060transport=udp>` })],
    ['a non-SIP URI (tel:)', (a) => ({ contact: `<sip:${a}@192.0.2.40:5061>, <tel:+15551234567>` })],
    ['an expires parameter that is not delta-seconds', (a) => ({ contact: `<sip:${a}@192.0.2.40:5061>, <sip:${a}@192.0.2.41:5061>;expires=soon` })],
    ['a q above 1', (a) => ({ contact: `<sip:${a}@192.0.2.40:5061>, <sip:${a}@192.0.2.41:5061>;q=2` })],
    ['the bad one on a second Contact header line', (a) => ({ contact: `<sip:${a}@192.0.2.40:5061>`, headers: [`Contact: <sip:${a}@1.2.3.4:5060transport=udp>`] })],
  ];
  for (const [name, make] of invalidSecond) {
    test(`RFC 3261 §10.3 (all or nothing): two Contacts, the second with ${name}: 400 and neither is stored`, async () => {
      const c = await ua();
      const aor = `atom${c.localPort}`;
      const fresh = await register(c, aor, { ...make(aor), expires: 300 });
      assert.equal(fresh.status, 400, `${fresh.status} ${fresh.reason}`);
      assert.equal((await binding(aor)).status, 404, 'nothing stored for a new AoR');

      // An AoR with a binding keeps exactly that binding.
      const ok = await register(c, aor, { contact: `<sip:${aor}@192.0.2.39:5060>`, expires: 300 });
      assert.equal(ok.status, 200, ok.reason);
      const bad = await register(c, aor, { ...make(aor), expires: 300 });
      assert.equal(bad.status, 400, `${bad.status} ${bad.reason}`);
      const api = await binding(aor);
      assert.deepEqual(api.body.contacts.map((x: { contact: string }) => x.contact), [`sip:${aor}@192.0.2.39:5060`]);
    });
  }
});

describe('registrar limits: max_contacts 2 + retry_after 30, default_expires 300, min_expires 120, max_expires 600, case_sensitive 1, method_filtering 1, received_param "src"', () => {
  let srv: TestServer;
  let token: string;
  const open: SipTestClient[] = [];
  before(async () => {
    srv = await serverWith(
      [
        'registrar:',
        '  max_contacts: 2',
        '  retry_after: 30',
        '  default_expires: 300',
        '  min_expires: 120',
        '  max_expires: 600',
        '  case_sensitive: 1',
        '  method_filtering: 1',
        '  received_param: src',
        '',
      ].join('\n'),
    );
    token = await srv.login();
  });
  after(async () => {
    for (const c of open) c.close();
    await srv?.destroy();
  });
  async function ua(): Promise<SipTestClient> {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    open.push(c);
    return c;
  }
  const binding = async (aor: string) => srv.api(`/api/registrations/${aor}@${DOMAIN}`, { token });
  const contactsOf = async (aor: string): Promise<string[]> => ((await binding(aor)).body?.contacts ?? []).map((x: { contact: string }) => x.contact).sort();

  test('seed §3.13–3.14 max_contacts 2: a third binding is 503 with Retry-After: 30 and the AoR keeps its two; a refresh at the limit is accepted', async () => {
    const c = await ua();
    const callId = `max-${c.localPort}@test`;
    assert.equal((await register(c, 'maxc', { contact: '<sip:maxc@192.0.2.51:5060>', expires: 300, callId, cseq: 1 })).status, 200);
    assert.equal((await register(c, 'maxc', { contact: '<sip:maxc@192.0.2.52:5060>', expires: 300, callId, cseq: 2 })).status, 200);
    const over = await register(c, 'maxc', { contact: '<sip:maxc@192.0.2.53:5060>', expires: 300, callId, cseq: 3 });
    assert.equal(over.status, 503, `${over.status} ${over.reason}`);
    assert.equal(over.get('Retry-After')?.trim(), '30', 'retry_after on the 503');
    assert.deepEqual(await contactsOf('maxc'), ['sip:maxc@192.0.2.51:5060', 'sip:maxc@192.0.2.52:5060']);
    const refresh = await register(c, 'maxc', { contact: '<sip:maxc@192.0.2.51:5060>', expires: 300, callId, cseq: 4 });
    assert.equal(refresh.status, 200, 'refreshing an existing binding does not raise the count');
  });

  test('seed §3.13 max_contacts 2 / RFC 3261 §10.3: one REGISTER adding three Contacts is refused whole (503), nothing stored', async () => {
    const c = await ua();
    const res = await register(c, 'maxd', { contact: '<sip:maxd@192.0.2.54:5060>, <sip:maxd@192.0.2.55:5060>, <sip:maxd@192.0.2.56:5060>', expires: 300 });
    assert.equal(res.status, 503);
    assert.equal((await binding('maxd')).status, 404);
  });

  test('seed §3.1 default_expires 300: no Expires and no expires= gives 300', async () => {
    const c = await ua();
    const ok = await register(c, 'dexp', { contact: '<sip:dexp@192.0.2.57:5060>' });
    assert.equal(ok.status, 200, ok.reason);
    near(expiresOf(ok), 300, 'expires');
  });

  test('seed §3.4 min_expires 120 (min_expires_mode 0): Expires: 30 is raised to 120', async () => {
    const c = await ua();
    const ok = await register(c, 'mexp', { contact: '<sip:mexp@192.0.2.58:5060>', expires: 30 });
    assert.equal(ok.status, 200, `${ok.status} ${ok.reason}`);
    near(expiresOf(ok), 120, 'expires');
  });

  test('seed §3.5 max_expires 600: Expires: 7200 and an expires=5000 parameter are lowered to 600', async () => {
    const c = await ua();
    const ok = await register(c, 'xexp', { contact: '<sip:xexp@192.0.2.59:5060>, <sip:xexp@192.0.2.60:5060>;expires=5000', expires: 7200 });
    assert.equal(ok.status, 200, ok.reason);
    near(expiresOf(ok, '192.0.2.59'), 600, 'Expires header value');
    near(expiresOf(ok, '192.0.2.60'), 600, 'expires parameter');
  });

  test('seed §3.10 case_sensitive 1: Kate and kate are different AoRs (storage and lookup)', async () => {
    const phone = await ua();
    const caller = await ua();
    const ok = await register(phone, 'Kate', { contact: `<sip:Kate@127.0.0.1:${phone.localPort}>`, expires: 300 });
    assert.equal(ok.status, 200, ok.reason);
    assert.equal((await binding('Kate')).status, 200);
    assert.equal((await binding('kate')).status, 404, 'kate has no binding');
    assert.equal((await caller.call({ method: 'OPTIONS', uri: `sip:kate@${DOMAIN}`, from: `sip:carla@${DOMAIN}` })).status, 404);
    const r = caller.request({ method: 'OPTIONS', uri: `sip:Kate@${DOMAIN}`, from: `sip:carla@${DOMAIN}` });
    caller.send(r.text);
    const got = await phone.incoming('OPTIONS');
    phone.answer(got, 200);
    assert.equal((await caller.response(r.callId)).status, 200);
  });

  test('seed §3.12 received_param "src": the 200 carries the source as src=, not received=', async () => {
    const phone = await ua();
    const ok = await register(phone, 'natsrc', { contact: '<sip:natsrc@192.0.2.61:5060>', expires: 300 });
    assert.equal(ok.status, 200, ok.reason);
    const c = ok.contacts()[0]!;
    assert.equal(c.params.get('src'), `sip:127.0.0.1:${phone.localPort}`);
    assert.equal(c.params.get('received'), undefined);
  });

  test('seed §3.17 method_filtering 1: an INVITE is not forked to a contact whose Allow lacks INVITE; a MESSAGE reaches both', async () => {
    const msgOnly = await ua();
    const full = await ua();
    const caller = await ua();
    assert.equal((await register(msgOnly, 'filt', { contact: `<sip:filt@127.0.0.1:${msgOnly.localPort}>`, expires: 300, headers: ['Allow: MESSAGE, OPTIONS'] })).status, 200);
    assert.equal((await register(full, 'filt', { contact: `<sip:filt@127.0.0.1:${full.localPort}>`, expires: 300, headers: [`Allow: ${FULL_ALLOW}`] })).status, 200);

    const inv = caller.request({ method: 'INVITE', uri: `sip:filt@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, contact: `<sip:carla@127.0.0.1:${caller.localPort}>` });
    caller.send(inv.text);
    const got = await full.incoming('INVITE');
    full.answer(got, 486);
    const busy = await caller.response(inv.callId, { method: 'INVITE' });
    assert.equal(busy.status, 486);
    caller.send(caller.request({ method: 'ACK', uri: `sip:filt@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, toTag: busy.to().tag, callId: inv.callId, fromTag: inv.fromTag, branch: inv.branch, cseq: 1 }).text);

    // The sentinel: a MESSAGE forks to both; the INVITE, had it gone to msgOnly, would be there before it.
    const msg = caller.request({ method: 'MESSAGE', uri: `sip:filt@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, body: 'x', contentType: 'text/plain' });
    caller.send(msg.text);
    const [m1, m2] = await Promise.all([msgOnly.incoming('MESSAGE'), full.incoming('MESSAGE')]);
    msgOnly.answer(m1, 200);
    full.answer(m2, 200);
    assert.equal((await caller.response(msg.callId)).status, 200);
    neverGot(msgOnly, inv.callId, 'the INVITE must not reach the MESSAGE-only contact');
  });

  test('seed §3.17 method_filtering 1: when every contact lacks the method, the INVITE is 405', async () => {
    const msgOnly = await ua();
    const caller = await ua();
    assert.equal((await register(msgOnly, 'filt405', { contact: `<sip:filt405@127.0.0.1:${msgOnly.localPort}>`, expires: 300, headers: ['Allow: MESSAGE'] })).status, 200);
    const res = await caller.call({ method: 'INVITE', uri: `sip:filt405@${DOMAIN}`, from: `sip:carla@${DOMAIN}` });
    assert.equal(res.status, 405);
    // The 405 is final for an INVITE server transaction: ACK it (§17.1.1.3).
    caller.send(caller.request({ method: 'ACK', uri: `sip:filt405@${DOMAIN}`, from: `sip:carla@${DOMAIN}`, toTag: res.to().tag, callId: res.callId(), fromTag: res.from().tag, branch: res.topVia()!.branch, cseq: 1 }).text);
  });
});

describe('registrar min_expires_mode 1 (min_expires 120) and received_param ""', () => {
  let srv: TestServer;
  let token: string;
  const open: SipTestClient[] = [];
  before(async () => {
    srv = await serverWith('registrar:\n  min_expires: 120\n  min_expires_mode: 1\n  received_param: ""\n');
    token = await srv.login();
  });
  after(async () => {
    for (const c of open) c.close();
    await srv?.destroy();
  });
  async function ua(): Promise<SipTestClient> {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    open.push(c);
    return c;
  }

  test('RFC 3261 §10.3 step 7 / min_expires_mode 1: Expires: 30 is 423 with Min-Expires: 120 and the binding stays as it was', async () => {
    const c = await ua();
    const callId = `m423-${c.localPort}@test`;
    const ok = await register(c, 'brief', { contact: '<sip:brief@192.0.2.62:5060>', expires: 300, callId, cseq: 1 });
    assert.equal(ok.status, 200, ok.reason);
    const res = await register(c, 'brief', { contact: '<sip:brief@192.0.2.62:5060>', expires: 30, callId, cseq: 2 });
    assert.equal(res.status, 423, `${res.status} ${res.reason}`);
    assert.equal(res.minExpires(), 120);
    const api = await srv.api(`/api/registrations/brief@${DOMAIN}`, { token });
    const left = api.body.contacts[0].expires - Date.now() / 1000;
    assert.ok(left > 250, `the 300 s binding is untouched (${left} s left)`);
    near(expiresOf(await register(c, 'brief', { contact: '<sip:brief@192.0.2.62:5060>', expires: 120, callId, cseq: 3 })), 120, 'exactly min_expires is accepted');
  });

  test('seed §3.12 received_param "": received is stored but not appended to the 200', async () => {
    const c = await ua();
    const ok = await register(c, 'norecv', { contact: '<sip:norecv@192.0.2.63:5060>', expires: 300 });
    assert.equal(ok.status, 200, ok.reason);
    assert.ok(!ok.getAll('Contact').join(',').includes('127.0.0.1'), `no source in the 200's Contact: ${ok.getAll('Contact')}`);
    const api = await srv.api(`/api/registrations/norecv@${DOMAIN}`, { token });
    assert.equal(api.body.contacts[0].received, `sip:127.0.0.1:${c.localPort}`);
  });
});
