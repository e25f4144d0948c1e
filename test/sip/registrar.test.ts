import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { DigestClient, type SipResponse } from '@pbx/sip';
import { SipTestClient, startServer, type TestServer } from '../support/index.js';

const DOMAIN = 'example.com';

describe('registrar over the wire (auth on, RFC 3261 §10.3)', () => {
  let srv: TestServer;
  let token: string;
  before(async () => {
    srv = await startServer({ env: { SIP_DOMAINS: DOMAIN } });
    token = await srv.login();
    const r = await srv.api('/api/subscribers', { method: 'POST', token, body: { username: 'alice', domain: DOMAIN, password: 'alice-secret-1' } });
    assert.equal(r.status, 201);
  });
  after(() => srv?.destroy());

  /** REGISTER, answer the 401 with digest credentials, return the final response. */
  async function register(c: SipTestClient, contact: string | null, extra: string[] = [], user = 'alice', password = 'alice-secret-1') {
    const digest = new DigestClient({ username: user, password });
    const spec = { method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `sip:${user}@${DOMAIN}`, to: `sip:${user}@${DOMAIN}`, contact: contact ?? undefined, headers: extra };
    const first = c.request({ ...spec, cseq: 1 });
    c.send(first.text);
    const challenge = await c.response(first.callId);
    assert.equal(challenge.status, 401);
    const auth = digest.authorize(challenge.getAll('WWW-Authenticate'), 'REGISTER', `sip:${DOMAIN}`);
    return c.call({ ...spec, callId: first.callId, fromTag: first.fromTag, cseq: 2, headers: [...extra, `Authorization: ${auth}`] });
  }

  test('RFC 3261 §22 / RFC 8760: a digest challenge round registers; the 200 lists the binding with its expires', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const ok = await register(c, `<sip:alice@127.0.0.1:${c.localPort}>`, ['Expires: 600']);
      assert.equal(ok.status, 200, ok.reason);
      const contacts = ok.contacts();
      assert.equal(contacts.length, 1);
      const exp = Number(contacts[0]!.params.get('expires'));
      assert.ok(exp > 590 && exp <= 600, `expires ${exp}`);
      const api = await srv.api(`/api/registrations/alice@${DOMAIN}`, { token });
      assert.equal(api.status, 200);
      assert.equal(api.body.contacts.length, 1);
      assert.equal(api.body.contacts[0].contact, `sip:alice@127.0.0.1:${c.localPort}`);
    } finally {
      c.close();
    }
  });

  test('RFC 3261 §17.2.2 / RFC 7616 §3.4: a retransmitted REGISTER with credentials gets its 200 again byte for byte, not an nc-replay refusal; one without gets the same challenge again', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const digest = new DigestClient({ username: 'alice', password: 'alice-secret-1' });
      const spec = { method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `sip:alice@${DOMAIN}`, to: `sip:alice@${DOMAIN}`, contact: `<sip:alice@127.0.0.1:${c.localPort}>` };
      const first = c.request({ ...spec, cseq: 1 });
      c.send(first.text);
      const challenge = await c.response(first.callId);
      assert.equal(challenge.status, 401);
      // The challenge ended its transaction (Kamailio's auth answers with sl): the retransmission is challenged again, with the same To tag.
      c.send(first.text);
      const again = await c.response(first.callId);
      assert.equal(again.status, 401);
      assert.equal(again.to().tag, challenge.to().tag);
      const auth = digest.authorize(challenge.getAll('WWW-Authenticate'), 'REGISTER', `sip:${DOMAIN}`);
      const second = c.request({ ...spec, callId: first.callId, fromTag: first.fromTag, cseq: 2, headers: [`Authorization: ${auth}`] });
      const isOk = (m: { kind: string }) => m.kind === 'response' && (m as SipResponse).callId() === first.callId && (m as SipResponse).cseq().seq === 2;
      c.send(second.text);
      const ok = await c.receiveRaw(isOk);
      assert.equal((ok.msg as SipResponse).status, 200);
      c.send(second.text);
      const resent = await c.receiveRaw(isOk);
      assert.deepEqual(resent.raw, ok.raw);
    } finally {
      c.close();
    }
  });

  test('a wrong password is 401 again and nothing is stored for another user', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const bad = await register(c, `<sip:alice@127.0.0.1:${c.localPort + 1}>`, [], 'alice', 'wrong-password');
      assert.equal(bad.status, 401);
    } finally {
      c.close();
    }
  });

  test('authenticated as alice, registering bob is 403 (identity check)', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const digest = new DigestClient({ username: 'alice', password: 'alice-secret-1' });
      const spec = { method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `sip:bob@${DOMAIN}`, to: `sip:bob@${DOMAIN}`, contact: '<sip:bob@127.0.0.1>' };
      const first = c.request(spec);
      c.send(first.text);
      const ch = await c.response(first.callId);
      const res = await c.call({ ...spec, callId: first.callId, cseq: 2, headers: [`Authorization: ${digest.authorize(ch.getAll('WWW-Authenticate'), 'REGISTER', `sip:${DOMAIN}`)}`] });
      assert.equal(res.status, 403);
    } finally {
      c.close();
    }
  });
});

describe('registrar over the wire (open lab mode, SIP_AUTH=off)', () => {
  let srv: TestServer;
  let token: string;
  before(async () => {
    srv = await startServer({ env: { SIP_AUTH: 'off', SIP_LISTEN: 'udp:127.0.0.1:0,tcp:127.0.0.1:0' } });
    token = await srv.login();
  });
  after(() => srv?.destroy());

  const reg = (c: SipTestClient, user: string, o: { contact?: string; expires?: number; callId?: string; cseq?: number; headers?: string[] } = {}) =>
    c.call({
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      from: `sip:${user}@${DOMAIN}`,
      to: `sip:${user}@${DOMAIN}`,
      contact: o.contact,
      callId: o.callId,
      cseq: o.cseq,
      headers: [...(o.expires === undefined ? [] : [`Expires: ${o.expires}`]), ...(o.headers ?? [])],
    });

  test('RFC 3261 §8.2.7 / usrloc cseq_delay: a REGISTER retransmitted after its 200 is saved again (its transaction ended, as with Kamailio sl) and answered 200 with the same To tag, the binding unchanged', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const stats = async () => (await srv.api('/api/stats', { token })).body.registrar.accepted_regs as number;
      const r = c.request({ method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `sip:ivy@${DOMAIN}`, to: `sip:ivy@${DOMAIN}`, contact: `<sip:ivy@127.0.0.1:${c.localPort}>`, cseq: 7, headers: ['Expires: 300'] });
      c.send(r.text);
      const ok = await c.response(r.callId);
      assert.equal(ok.status, 200);
      const before = (await srv.api(`/api/registrations/ivy@${DOMAIN}`, { token })).body.contacts;
      const accepted = await stats();
      c.send(r.text);
      const again = await c.response(r.callId);
      assert.equal(again.status, 200, again.reason);
      assert.equal(again.to().tag, ok.to().tag);
      assert.deepEqual(again.contacts().map((x) => x.uri.toString()), ok.contacts().map((x) => x.uri.toString()));
      assert.equal(await stats(), accepted + 1, 'processed again, not absorbed');
      const after = (await srv.api(`/api/registrations/ivy@${DOMAIN}`, { token })).body.contacts;
      assert.deepEqual(after.map((x: { ruid: string; cseq: number; callid: string }) => [x.ruid, x.cseq, x.callid]), before.map((x: { ruid: string; cseq: number; callid: string }) => [x.ruid, x.cseq, x.callid]));
    } finally {
      c.close();
    }
  });

  test('registration.changed reaches a dashboard socket; DELETE /api/registrations/:aor unregisters and a query REGISTER sees none', async () => {
    const socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const added = new Promise<{ aor: string; reason: string; contacts: unknown[] }>((resolve) => socket.once('registration.changed', resolve));
      const ok = await reg(c, 'carol', { contact: `<sip:carol@127.0.0.1:${c.localPort}>`, expires: 300 });
      assert.equal(ok.status, 200);
      const ev = await added;
      assert.equal(ev.aor, 'carol', 'usrloc.use_domain 0 (the default): the key is the user');
      assert.equal(ev.reason, 'added');
      assert.equal(ev.contacts.length, 1);

      const list = await srv.api('/api/registrations?search=carol', { token });
      assert.equal(list.status, 200);
      assert.equal(list.body.total, 1);

      assert.equal((await srv.api(`/api/registrations/carol@${DOMAIN}`, { method: 'DELETE', token })).status, 204);
      const query = await reg(c, 'carol');
      assert.equal(query.status, 200);
      assert.equal(query.contacts().length, 0, 'the binding is gone');
      assert.equal((await srv.api(`/api/registrations/carol@${DOMAIN}`, { token })).status, 404);
    } finally {
      socket.close();
      c.close();
    }
  });

  test('RFC 3261 §10.3 step 6: Contact * with Expires other than 0 is 400 and bindings stay as they were', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const callId = `star-${c.localPort}@test`;
      assert.equal((await reg(c, 'dave', { contact: `<sip:dave@127.0.0.1:${c.localPort}>`, expires: 300, callId, cseq: 1 })).status, 200);
      const bad = await reg(c, 'dave', { contact: '*', expires: 60, callId, cseq: 2 });
      assert.equal(bad.status, 400);
      assert.equal((await srv.api(`/api/registrations/dave@${DOMAIN}`, { token })).body.contacts.length, 1);
      const all = await reg(c, 'dave', { contact: '*', expires: 0, callId, cseq: 3 });
      assert.equal(all.status, 200);
      assert.equal((await srv.api(`/api/registrations/dave@${DOMAIN}`, { token })).status, 404);
    } finally {
      c.close();
    }
  });

  test('a Contact that is not a valid SIP URI is 400 naming the problem, before anything is stored', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const bad = await reg(c, 'erin', { contact: '<sip:erin@1.2.3.4:5060transport=udp>', expires: 300 });
      assert.equal(bad.status, 400);
      assert.ok(bad.reason.length > 'Bad Request'.length || /contact/i.test(bad.reason), `reason says what is wrong: ${bad.reason}`);
      assert.equal((await srv.api(`/api/registrations/erin@${DOMAIN}`, { token })).status, 404);
    } finally {
      c.close();
    }
  });

  test('RFC 3261 §10.3 step 7: an out-of-order CSeq for the same Call-ID changes nothing', async () => {
    const c = await SipTestClient.open('udp', srv.sip('udp'));
    try {
      const callId = `cseq-${c.localPort}@test`;
      assert.equal((await reg(c, 'fay', { contact: `<sip:fay@127.0.0.1:${c.localPort}>`, expires: 300, callId, cseq: 10 })).status, 200);
      const stale = await reg(c, 'fay', { contact: `<sip:fay@127.0.0.1:${c.localPort}>`, expires: 0, callId, cseq: 5 });
      assert.ok(stale.status >= 400, `${stale.status}`);
      assert.equal((await srv.api(`/api/registrations/fay@${DOMAIN}`, { token })).body.contacts.length, 1);
    } finally {
      c.close();
    }
  });

  test('a TCP binding goes when its connection closes (usrloc handle_lost_tcp)', async () => {
    const socket = io(srv.httpUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
    const c = await SipTestClient.open('tcp', srv.sip('tcp'));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      assert.equal((await reg(c, 'gus', { contact: `<sip:gus@127.0.0.1:${c.localPort};transport=tcp>`, expires: 300 })).status, 200);
      const removed = new Promise<{ aor: string; contacts: unknown[] }>((resolve) =>
        socket.on('registration.changed', (e) => {
          if (e.aor === 'gus' && e.contacts.length === 0) resolve(e);
        }),
      );
      c.close();
      await removed;
      assert.equal((await srv.api(`/api/registrations/gus@${DOMAIN}`, { token })).status, 404);
    } finally {
      socket.close();
      c.close();
    }
  });
});

describe('bindings survive a restart (usrloc db_mode 2, the default)', () => {
  test('register, SIGTERM (write-back flushed), start again: the binding is there', async () => {
    const first = await startServer({ env: { SIP_AUTH: 'off' } });
    try {
      const c = await SipTestClient.open('udp', first.sip('udp'));
      const ok = await c.call({ method: 'REGISTER', uri: `sip:${DOMAIN}`, from: `sip:hal@${DOMAIN}`, to: `sip:hal@${DOMAIN}`, contact: '<sip:hal@192.0.2.10:5062>', headers: ['Expires: 900'] });
      c.close();
      assert.equal(ok.status, 200);
      assert.equal(await first.stop('SIGTERM'), 0);
      const second = await startServer({ dataDir: first.dataDir, env: { SIP_AUTH: 'off' } });
      try {
        const token = await second.login();
        const r = await second.api(`/api/registrations/hal@${DOMAIN}`, { token });
        assert.equal(r.status, 200);
        assert.equal(r.body.contacts[0].contact, 'sip:hal@192.0.2.10:5062');
      } finally {
        await second.stop();
      }
    } finally {
      await first.destroy();
    }
  });
});
