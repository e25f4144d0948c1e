import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contactsOf, expiresOf, peer, registerRequest, setup } from './spec-support.js';

const C1 = '<sip:alice@192.0.2.10:5060>';
const U1 = 'sip:alice@192.0.2.10:5060';

describe('save(): RFC 3261 §10.3 bindings', () => {
  test('§10.3 step 7/8: a new Contact is added and the 200 lists it with expires, a To tag and Date', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: C1 }));
    assert.equal(res.status, 200);
    assert.deepEqual(contactsOf(res), [`${C1};expires=3600`]);
    assert.match(res.get('To')!, /;tag=tag1$/);
    assert.equal(res.get('Date'), 'Wed, 01 Jan 2025 00:00:00 GMT');
    assert.equal(s.location.peek('alice').length, 1);
    assert.deepEqual(s.events.map((e) => e.reason), ['added']);
    assert.deepEqual(s.stats.snapshot().registrar!.accepted_regs, 1);
  });

  test('§10.3 step 8: every 200 lists all current bindings with their remaining expires', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, expires: 600 }));
    s.clock.advance(100_000);
    const res = await s.save(registerRequest({ contact: '<sip:alice@192.0.2.11:5060>', expires: 300, callId: 'other', cseq: 1 }));
    assert.equal(expiresOf(res, U1), 500);
    assert.equal(expiresOf(res, 'sip:alice@192.0.2.11:5060'), 300);
  });

  test('§10.3 step 7: the same Call-ID with a higher CSeq refreshes the binding (same ruid)', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, expires: 600, cseq: 1 }));
    const ruid = s.location.peek('alice')[0]!.ruid;
    s.clock.advance(10_000);
    const res = await s.save(registerRequest({ contact: C1, expires: 900, cseq: 2 }));
    assert.equal(res.status, 200);
    assert.equal(expiresOf(res, U1), 900);
    const [b] = s.location.peek('alice');
    assert.equal(b!.ruid, ruid);
    assert.equal(b!.cseq, 2);
    assert.deepEqual(s.events.map((e) => e.reason), ['added', 'refreshed']);
  });

  test('§10.3 step 7: the same Call-ID with a lower CSeq, or the same CSeq after usrloc cseq_delay, fails with 500 and leaves the binding as it was', async () => {
    const s = setup({}, { cseq_delay: 20 });
    await s.save(registerRequest({ contact: C1, expires: 600, cseq: 5 }));
    const before = s.location.peek('alice')[0];
    const lower = await s.save(registerRequest({ contact: C1, expires: 0, cseq: 4 }));
    assert.equal(lower.status, 500);
    assert.equal(lower.reason, 'Out of order request');
    assert.equal(s.location.peek('alice')[0], before);
    s.clock.advance(20_000);
    const late = await s.save(registerRequest({ contact: C1, expires: 0, cseq: 5 }));
    assert.equal(late.status, 500);
    assert.equal(s.location.peek('alice')[0], before);
    assert.equal(s.stats.snapshot().registrar!.rejected_regs, 2);
  });

  test('usrloc cseq_delay: the same Call-ID and CSeq within it is a retransmission: 200 listing the bindings, nothing changed', async () => {
    // REGISTER's transaction ends with its reply (Kamailio's sl), so a retransmission is saved again.
    const s = setup({}, { cseq_delay: 20 });
    await s.save(registerRequest({ contact: C1, expires: 600, cseq: 5 }));
    const before = s.location.peek('alice')[0];
    const events = s.events.length;
    s.clock.advance(19_000);
    const again = await s.save(registerRequest({ contact: C1, expires: 600, cseq: 5 }));
    assert.equal(again.status, 200);
    assert.equal(s.location.peek('alice')[0], before);
    assert.equal(s.events.length, events);
    assert.deepEqual(contactsOf(again), [`${C1};expires=581`]);
  });

  test('§10.3 step 7: a different Call-ID updates the binding whatever its CSeq', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, cseq: 50, callId: 'a' }));
    const res = await s.save(registerRequest({ contact: C1, cseq: 1, callId: 'b', expires: 120 }));
    assert.equal(res.status, 200);
    assert.equal(s.location.peek('alice')[0]!.callId, 'b');
    assert.equal(expiresOf(res, U1), 120);
  });

  test('§10.2.2: expires=0 on a Contact (or Expires: 0) removes that binding', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: [C1, '<sip:alice@192.0.2.10:5070>'] }));
    let res = await s.save(registerRequest({ contact: `${C1};expires=0`, cseq: 2 }));
    assert.deepEqual(contactsOf(res), ['<sip:alice@192.0.2.10:5070>;expires=3600;received="sip:192.0.2.10:5060"']);
    res = await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5070>', expires: 0, cseq: 3 }));
    assert.equal(res.get('Contact'), undefined);
    assert.equal(s.location.peek('alice').length, 0);
    assert.deepEqual(s.events.map((e) => e.reason), ['added', 'removed', 'removed']);
  });

  test('§10.2.3/§10.3: a REGISTER without Contact is a query: 200 with the bindings, nothing changes', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1 }));
    s.events.length = 0;
    const r = await s.registrar.process(registerRequest({ cseq: 2 }), peer());
    assert.equal(r.status, 200);
    assert.equal(r.outcome, 'queried');
    assert.deepEqual(contactsOf(r.response), [`${C1};expires=3600`]);
    assert.equal(s.events.length, 0);
  });

  test('§10.2.2/§10.3 step 6: Contact: * with Expires: 0 removes every binding', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: [C1, '<sip:alice@192.0.2.10:5070>'] }));
    const r = await s.registrar.process(registerRequest({ contact: '*', expires: 0, cseq: 2 }), peer());
    assert.equal(r.status, 200);
    assert.equal(r.outcome, 'deleted');
    assert.equal(r.response.get('Contact'), undefined);
    assert.equal(s.location.peek('alice').length, 0);
  });

  test('§10.3 step 6: Contact: * without Expires: 0 is 400 and removes nothing', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1 }));
    for (const expires of [undefined, 30]) {
      const res = await s.save(registerRequest({ contact: '*', expires, cseq: 2 }));
      assert.equal(res.status, 400);
      assert.equal(res.reason, '* used in contact and expires is not zero');
    }
    const res = await s.save(registerRequest({ contact: ['*', C1], expires: 0, cseq: 2 }));
    assert.equal(res.status, 400);
    assert.match(res.reason, /Contact/);
    assert.equal(s.location.peek('alice').length, 1);
  });

  test('§10.3 step 6: Contact: * with the binding\'s Call-ID and a lower CSeq fails (500), keeping every binding', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, cseq: 9 }));
    const res = await s.save(registerRequest({ contact: '*', expires: 0, cseq: 3 }));
    assert.equal(res.status, 500);
    assert.equal(s.location.peek('alice').length, 1);
  });

  test('§10.3 step 2 (atomic): one unparsable Contact URI is a 400 naming the problem and nothing is stored', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, expires: 600 }));
    const before = s.location.peek('alice');
    const res = await s.save(registerRequest({ contact: ['<sip:alice@192.0.2.10:5070>', '<sip:a@1.2.3.4:5060transport=udp>'], cseq: 2 }));
    assert.equal(res.status, 400);
    assert.equal(res.reason, 'Invalid Contact URI: invalid port in URI');
    assert.equal(s.location.peek('alice'), before);
    assert.equal(s.events.length, 1);
  });

  test('§20.10: a Contact that is not sip:/sips:, or with a bad expires, q or reg-id, is a 400', async () => {
    const s = setup({ outbound_mode: 1 });
    const cases: Array<[string, RegExp]> = [
      ['<tel:+15551234>', /not a SIP or SIPS URI/],
      [`${C1};expires=soon`, /Invalid expires param/],
      [`${C1};q=1.5`, /Invalid q param/],
      [`${C1};reg-id=0;+sip.instance="<urn:uuid:1>"`, /Invalid reg-id/],
      ['<sip:alice@192.0.2.10;bad=>', /Invalid Contact URI: empty value for URI parameter bad/],
    ];
    for (const [contact, reason] of cases) {
      const res = await s.save(registerRequest({ contact }));
      assert.equal(res.status, 400, contact);
      assert.match(res.reason, reason);
    }
    assert.equal(s.location.users, 0);
  });

  test('§20.19: a malformed Expires header is a 400 naming the header', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: C1, expires: 'soon' }));
    assert.equal(res.status, 400);
    assert.match(res.reason, /Expires/);
  });

  test('§10.3 step 7: the same Contact twice in one REGISTER is one binding (the later wins)', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: [`${C1};expires=100`, `${C1};expires=200`] }));
    assert.equal(res.status, 200);
    assert.deepEqual(contactsOf(res), [`${C1};expires=200`]);
  });

  test('§19.1.4: a Contact equal to the stored one by URI comparison refreshes it', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: '<sip:alice@EXAMPLE.net;transport=TCP>' }));
    await s.save(registerRequest({ contact: '<sip:alice@example.net;transport=tcp>', cseq: 2 }));
    assert.equal(s.location.peek('alice').length, 1);
  });

  test('§8.2.2.3: an unknown Require option tag is 420 with Unsupported listing it', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: C1, headers: [['Require', 'foo, gruu']] }));
    assert.equal(res.status, 420);
    assert.equal(res.get('Unsupported'), 'foo');
    assert.equal(s.location.users, 0);
  });

  test('§10.3: the authenticated AoR passed by the caller is used instead of To', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1 }), peer(), { aor: 'sip:bob@example.com' });
    assert.equal(s.location.peek('bob').length, 1);
    assert.equal(s.location.peek('alice').length, 0);
  });

  test('Kamailio R_TO_USER: an AoR without user part is 400', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ to: 'sip:example.com', contact: C1 }));
    assert.equal(res.status, 400);
    assert.equal(res.reason, 'No username in To URI');
  });
});

describe('save(): expiry parameters (seed §3.1–3.5)', () => {
  test('default_expires when neither Expires nor expires= is given', async () => {
    const s = setup({ default_expires: 1800 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1 })), U1), 1800);
  });

  test('the expires param wins over the Expires header (§10.2.1.1)', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: [`${C1};expires=120`, '<sip:alice@192.0.2.10:5070>'], expires: 300 }));
    assert.equal(expiresOf(res, U1), 120);
    assert.equal(expiresOf(res, 'sip:alice@192.0.2.10:5070'), 300);
  });

  test('min_expires: a lower value is raised to it; 0 disables the check', async () => {
    let s = setup({ min_expires: 60 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1, expires: 10 })), U1), 60);
    s = setup({ min_expires: 0 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1, expires: 10 })), U1), 10);
  });

  test('min_expires_mode 1: 423 Interval Too Brief with Min-Expires, bindings untouched (§10.3 step 7)', async () => {
    const s = setup({ min_expires: 60, min_expires_mode: 1 });
    await s.save(registerRequest({ contact: C1, expires: 600 }));
    const before = s.location.peek('alice');
    const res = await s.save(registerRequest({ contact: [`<sip:alice@192.0.2.10:5070>`, C1], expires: 10, cseq: 2 }));
    assert.equal(res.status, 423);
    assert.equal(res.get('Min-Expires'), '60');
    assert.equal(s.location.peek('alice'), before);
    // expires 0 is a removal, never too brief
    assert.equal((await s.save(registerRequest({ contact: C1, expires: 0, cseq: 3 }))).status, 200);
  });

  test('default_expires below min_expires is ignored: the binding gets min_expires', async () => {
    const s = setup({ default_expires: 30, min_expires: 60, min_expires_mode: 1 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1 })), U1), 60);
  });

  test('max_expires: a higher value is lowered to it; 0 disables the check', async () => {
    let s = setup({ max_expires: 120 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1, expires: 7200 })), U1), 120);
    s = setup({ max_expires: 0 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1, expires: 7200 })), U1), 7200);
  });

  test('default_expires_range / expires_range randomise down within [e - range%, e]', async () => {
    let s = setup({ default_expires: 1000, default_expires_range: 30 }, {}, { random: () => 0 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1 })), U1), 700);
    s = setup({ expires_range: 50 }, {}, { random: () => 0.5 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1, expires: 1000 })), U1), 750);
    // the range applies to the client's value only with expires_range
    s = setup({ default_expires_range: 50 }, {}, { random: () => 0 });
    assert.equal(expiresOf(await s.save(registerRequest({ contact: C1, expires: 1000 })), U1), 1000);
  });
});

describe('save(): q, case, realm, methods (seed §3.6, 3.7, 3.10, 3.17)', () => {
  test('default_q is stored for contacts without q and not printed; an explicit q is printed', async () => {
    const s = setup({ default_q: 500 });
    const res = await s.save(registerRequest({ contact: [C1, '<sip:alice@192.0.2.10:5070>;q=0.9'] }));
    assert.deepEqual(s.location.peek('alice').map((b) => b.q), [500, 900]);
    assert.ok(contactsOf(res).some((c) => c.includes(';q=0.9;')));
    assert.ok(!contactsOf(res)[0]!.includes(';q='));
  });

  test('case_sensitive 0 folds the user part; 1 keeps Alice and alice apart', async () => {
    let s = setup();
    await s.save(registerRequest({ to: 'sip:Alice@example.com', contact: C1 }));
    assert.equal(s.location.peek('alice').length, 1);
    s = setup({ case_sensitive: 1 });
    await s.save(registerRequest({ to: 'sip:Alice@example.com', contact: C1 }));
    assert.equal(s.location.peek('alice').length, 0);
    assert.equal(s.location.peek('Alice').length, 1);
  });

  test('realm_prefix: sip.example.com is example.com (with usrloc.use_domain 1)', async () => {
    const s = setup({ realm_prefix: 'sip.' }, { use_domain: 1 });
    await s.save(registerRequest({ to: 'sip:alice@sip.example.com', contact: C1 }));
    assert.equal(s.location.peek('alice@example.com').length, 1);
    assert.equal((await s.registrar.lookup('sip:alice@example.com')).ok, true);
  });

  test('usrloc.use_domain 0: the user part alone is the AoR', async () => {
    const s = setup();
    await s.save(registerRequest({ to: 'sip:alice@a.example', contact: C1 }));
    assert.equal((await s.registrar.lookup('sip:alice@b.example')).ok, true);
  });

  test('method_filtering stores Allow per binding (a methods= Contact parameter wins)', async () => {
    const s = setup({ method_filtering: 1 });
    await s.save(registerRequest({ contact: [C1, '<sip:alice@192.0.2.10:5070>;methods="MESSAGE"'], headers: [['Allow', 'INVITE, ACK, BYE']] }));
    const [a, b] = s.location.peek('alice');
    assert.deepEqual(a!.toJSON().methods, ['INVITE', 'ACK', 'BYE']);
    assert.deepEqual(b!.toJSON().methods, ['MESSAGE']);
  });
});

describe('save(): max_contacts and retry_after (seed §3.13, 3.14)', () => {
  test('max_contacts: a REGISTER exceeding it is 503 with Retry-After: retry_after; bindings untouched', async () => {
    const s = setup({ max_contacts: 2, retry_after: 30 });
    await s.save(registerRequest({ contact: [C1, '<sip:alice@192.0.2.10:5070>'] }));
    const before = s.location.peek('alice');
    const res = await s.save(registerRequest({ contact: ['<sip:alice@192.0.2.10:5080>', `${C1};expires=900`], cseq: 2 }));
    assert.equal(res.status, 503);
    assert.equal(res.get('Retry-After'), '30');
    assert.equal(s.location.peek('alice'), before);
  });

  test('max_contacts: replacing one binding by another within the limit is accepted', async () => {
    const s = setup({ max_contacts: 1 });
    await s.save(registerRequest({ contact: C1 }));
    const res = await s.save(registerRequest({ contact: [`${C1};expires=0`, '<sip:alice@192.0.2.10:5070>'], cseq: 2 }));
    assert.equal(res.status, 200);
    assert.equal(s.location.peek('alice').length, 1);
  });

  test('retry_after 0: no Retry-After header on 5xx', async () => {
    const s = setup({ max_contacts: 1 });
    const res = await s.save(registerRequest({ contact: [C1, '<sip:alice@192.0.2.10:5070>'] }));
    assert.equal(res.status, 503);
    assert.equal(res.get('Retry-After'), undefined);
  });

  test('xavp_cfg max_contacts: the per-request override wins over the parameter', async () => {
    const s = setup({ max_contacts: 5 });
    const res = await s.save(registerRequest({ contact: [C1, '<sip:alice@192.0.2.10:5070>'] }), peer(), { maxContacts: 1 });
    assert.equal(res.status, 503);
  });
});

describe('save(): NAT and received (seed §3.11, 3.12)', () => {
  test('a Contact that differs from the source gets received = the source; the 200 shows it as received_param', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5:5060>' }), peer({ address: '203.0.113.7', port: 40001 }));
    assert.deepEqual(contactsOf(res), ['<sip:alice@10.0.0.5:5060>;expires=3600;received="sip:203.0.113.7:40001"']);
    assert.equal(s.location.peek('alice')[0]!.received, 'sip:203.0.113.7:40001');
  });

  test('a Contact naming the source exactly stores no received', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10>' }), peer({ address: '192.0.2.10', port: 5060 }));
    assert.deepEqual(contactsOf(res), ['<sip:alice@192.0.2.10>;expires=3600']);
  });

  test('received_param "" stores received but does not append it; another name is used as given', async () => {
    let s = setup({ received_param: '' });
    let res = await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5>' }));
    assert.deepEqual(contactsOf(res), ['<sip:alice@10.0.0.5>;expires=3600']);
    s = setup({ received_param: 'rcv' });
    res = await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5>' }));
    assert.match(contactsOf(res)[0]!, /;rcv="sip:192\.0\.2\.10:5060"/);
  });

  test('a REGISTER over TCP stores the connection and a received with ;transport=tcp', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5:5060;transport=tcp>' }), peer({ transport: 'tcp', port: 50123, connectionId: 42 }));
    const b = s.location.peek('alice')[0]!;
    assert.equal(b.connectionId, 42);
    assert.equal(b.received, 'sip:192.0.2.10:50123;transport=tcp');
    assert.equal(b.socket, 'tcp:198.51.100.1:5060');
  });

  test('usrloc.nat_bflag: the branch flag is set on a binding stored with received', async () => {
    const s = setup({}, { nat_bflag: 6 });
    await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5>' }));
    assert.equal(s.location.peek('alice')[0]!.cflags, 64);
  });

  test('sock_flag + sock_hdr_name: the socket named in the header is stored when the message flag is set', async () => {
    const s = setup({ sock_flag: 3, sock_hdr_name: 'Sock-Info' });
    const req = registerRequest({ contact: C1, headers: [['Sock-Info', 'udp:198.51.100.9:5080']] });
    await s.save(req, peer(), { messageFlags: 1 << 3 });
    assert.equal(s.location.peek('alice')[0]!.socket, 'udp:198.51.100.9:5080');
    await s.save(registerRequest({ contact: C1, cseq: 2, headers: [['Sock-Info', 'udp:198.51.100.9:5080']] }));
    assert.equal(s.location.peek('alice')[0]!.socket, 'udp:198.51.100.1:5060');
  });
});

describe('save(): Path (RFC 3327, seed §3.18–3.21)', () => {
  const PATH = '<sip:edge.example.net;lr>';

  test('use_path 0: Path is ignored (not stored, not echoed)', async () => {
    const s = setup({ use_path: 0 });
    const res = await s.save(registerRequest({ contact: C1, headers: [['Path', PATH]] }));
    assert.equal(res.status, 200);
    assert.equal(res.get('Path'), undefined);
    assert.equal(s.location.peek('alice')[0]!.path, null);
  });

  test('path_mode 0: stored, never in the reply', async () => {
    const s = setup({ use_path: 1, path_mode: 0 });
    const res = await s.save(registerRequest({ contact: C1, headers: [['Path', PATH], ['Supported', 'path']] }));
    assert.equal(res.get('Path'), undefined);
    assert.equal(s.location.peek('alice')[0]!.path, PATH);
  });

  test('path_mode 1: stored; in the reply only with Supported: path', async () => {
    const s = setup({ use_path: 1, path_mode: 1 });
    let res = await s.save(registerRequest({ contact: C1, headers: [['Path', PATH]] }));
    assert.equal(res.status, 200);
    assert.equal(res.get('Path'), undefined);
    res = await s.save(registerRequest({ contact: C1, cseq: 2, headers: [['Path', PATH], ['Supported', 'path']] }));
    assert.equal(res.get('Path'), PATH);
  });

  test('path_mode 2: without Supported: path, 420 with Unsupported: path and the Path; nothing stored', async () => {
    const s = setup({ use_path: 1, path_mode: 2 });
    const res = await s.save(registerRequest({ contact: C1, headers: [['Path', PATH]] }));
    assert.equal(res.status, 420);
    assert.equal(res.get('Unsupported'), 'path');
    assert.equal(res.get('Path'), PATH);
    assert.equal(s.location.users, 0);
    const ok = await s.save(registerRequest({ contact: C1, cseq: 2, headers: [['Path', PATH], ['Supported', 'path']] }));
    assert.equal(ok.status, 200);
    assert.equal(ok.get('Path'), PATH);
  });

  test('path_mode 2: several Path headers are stored and echoed in order; no received is derived from the source', async () => {
    const s = setup({ use_path: 1 });
    const res = await s.save(
      registerRequest({ contact: '<sip:alice@10.0.0.5>', headers: [['Path', '<sip:p2.example.net;lr>'], ['Path', '<sip:p1.example.net;lr>'], ['Supported', 'path']] }),
    );
    assert.equal(res.get('Path'), '<sip:p2.example.net;lr>,<sip:p1.example.net;lr>');
    assert.equal(s.location.peek('alice')[0]!.received, null);
  });

  test('path_use_received: the received parameter of the first Path URI becomes the binding\'s received', async () => {
    const s = setup({ use_path: 1, path_use_received: 1 });
    await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5>', headers: [['Path', '<sip:lb.example.net;lr;received=sip:203.0.113.7:4000>'], ['Supported', 'path']] }));
    assert.equal(s.location.peek('alice')[0]!.received, 'sip:203.0.113.7:4000');
  });

  test('a malformed Path is 400 naming the header', async () => {
    const s = setup({ use_path: 1 });
    const res = await s.save(registerRequest({ contact: C1, headers: [['Path', 'sip:edge.example.net'], ['Supported', 'path']] }));
    assert.equal(res.status, 400);
    assert.match(res.reason, /Path/);
  });
});

describe('save(): GRUU (RFC 5627, seed §1.2, §3.25)', () => {
  const INST = '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>';
  const CI = `<sip:alice@192.0.2.10:5060>;+sip.instance="${INST}"`;

  test('§5.2: with +sip.instance and Supported: gruu the 200 carries pub-gruu and temp-gruu', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: CI, headers: [['Supported', 'gruu']] }));
    const v = contactsOf(res)[0]!;
    assert.match(v, /;pub-gruu="sip:alice@example\.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"/);
    assert.match(v, /;temp-gruu="sip:uloc-[0-9a-z]+-1@example\.com;gr"/);
    assert.match(v, /;\+sip\.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"/);
  });

  test('§5.2: without Supported: gruu, or with gruu_enabled 0, no GRUU is given', async () => {
    let s = setup();
    let v = contactsOf(await s.save(registerRequest({ contact: CI })))[0]!;
    assert.doesNotMatch(v, /gruu/);
    s = setup({ gruu_enabled: 0 });
    v = contactsOf(await s.save(registerRequest({ contact: CI, headers: [['Supported', 'gruu']] })))[0]!;
    assert.doesNotMatch(v, /gruu/);
  });

  test('seed §1.2: the temp-gruu stays the same while the binding lives (refresh from a new port)', async () => {
    const s = setup();
    const first = contactsOf(await s.save(registerRequest({ contact: CI, headers: [['Supported', 'gruu']] })))[0]!;
    const again = contactsOf(
      await s.save(registerRequest({ contact: `<sip:alice@192.0.2.10:5062>;+sip.instance="${INST}"`, cseq: 2, headers: [['Supported', 'gruu']] })),
    )[0]!;
    const tg = (v: string) => /temp-gruu="([^"]+)"/.exec(v)![1];
    assert.equal(tg(again), tg(first));
    assert.equal(s.location.peek('alice').length, 1, 'matched by instance, not by URI');
  });

  test('§5.1: a REGISTER whose Contact is a GRUU is refused with 403 and changes nothing', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1 }));
    const before = s.location.peek('alice');
    for (const contact of ['<sip:alice@example.com;gr=urn:uuid:1>', '<sip:uloc-x-1@example.com;gr>']) {
      const res = await s.save(registerRequest({ contact: [contact, '<sip:alice@192.0.2.10:5070>'], cseq: 2 }));
      assert.equal(res.status, 403);
      assert.equal(res.reason, 'Contact is a GRUU');
    }
    assert.equal(s.location.peek('alice'), before);
  });

  test('§5.1: a Contact equal to the AoR would loop: 403', async () => {
    const s = setup();
    const res = await s.save(registerRequest({ contact: '<sip:alice@example.com>' }));
    assert.equal(res.status, 403);
    assert.equal(res.reason, 'Contact is the AoR');
  });
});

describe('save(): outbound, registrar side (RFC 5626 §6, seed §3.26–3.28)', () => {
  const INST = '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>';
  const flowContact = (regId: number, port = 5060) => `<sip:alice@192.0.2.10:${port};transport=tcp;ob>;reg-id=${regId};+sip.instance="${INST}"`;
  const tcp = (connectionId: number, port = 50000) => peer({ transport: 'tcp', connectionId, port });

  test('outbound_mode 0: Require: outbound is 420 with Unsupported: outbound', async () => {
    const s = setup({ outbound_mode: 0 });
    const res = await s.save(registerRequest({ contact: flowContact(1), headers: [['Require', 'outbound'], ['Supported', 'outbound']] }), tcp(1));
    assert.equal(res.status, 420);
    assert.equal(res.get('Unsupported'), 'outbound');
    assert.equal(s.location.users, 0);
  });

  test('outbound_mode 0: a Supported: outbound client registers without Require: outbound in the 200', async () => {
    const s = setup({ outbound_mode: 0 });
    const res = await s.save(registerRequest({ contact: flowContact(1), headers: [['Supported', 'outbound']] }), tcp(1));
    assert.equal(res.status, 200);
    assert.equal(res.get('Require'), undefined);
    assert.equal(res.get('Supported'), undefined);
  });

  test('outbound_mode 2: a REGISTER without the outbound option tag is 421 with Require: outbound; nothing changes', async () => {
    const s = setup({ outbound_mode: 2 });
    await s.save(registerRequest({ contact: flowContact(1), headers: [['Supported', 'outbound']] }), tcp(1));
    const before = s.location.peek('alice');
    const res = await s.save(registerRequest({ contact: '*', expires: 0, cseq: 2 }));
    assert.equal(res.status, 421);
    assert.equal(res.get('Require'), 'outbound');
    assert.equal(s.location.peek('alice'), before);
  });

  test('outbound_mode 1, first hop: the flow is bound to the connection; 200 has Require: outbound and Flow-Timer', async () => {
    const s = setup({ outbound_mode: 1, flow_timer: 25 });
    const res = await s.save(registerRequest({ contact: flowContact(1), headers: [['Supported', 'outbound, path']] }), tcp(11));
    assert.equal(res.status, 200);
    assert.equal(res.get('Require'), 'outbound');
    assert.equal(res.get('Supported'), 'outbound');
    assert.equal(res.get('Flow-Timer'), '25');
    assert.match(contactsOf(res)[0]!, /;reg-id=1$/);
    const b = s.location.peek('alice')[0]!;
    assert.equal(b.connectionId, 11);
    assert.equal(b.isFlow, true);
  });

  test('outbound_mode 1: a client without outbound gets Supported: outbound but no Require or Flow-Timer', async () => {
    const s = setup({ outbound_mode: 1, flow_timer: 25 });
    const res = await s.save(registerRequest({ contact: C1 }));
    assert.equal(res.status, 200);
    assert.equal(res.get('Require'), undefined);
    assert.equal(res.get('Flow-Timer'), undefined);
    assert.equal(res.get('Supported'), 'outbound');
  });

  test('§6: not the first hop and no ;ob on the first Path URI: 439, bindings untouched', async () => {
    const s = setup({ outbound_mode: 1, use_path: 1 });
    await s.save(registerRequest({ contact: C1 }));
    const before = s.location.peek('alice');
    const res = await s.save(
      registerRequest({
        contact: flowContact(1),
        cseq: 2,
        vias: ['SIP/2.0/UDP edge.example.net', 'SIP/2.0/TCP 192.0.2.10:50000'],
        headers: [['Supported', 'outbound, path'], ['Path', '<sip:edge.example.net;lr>']],
      }),
    );
    assert.equal(res.status, 439);
    assert.equal(res.reason, 'First Hop Lacks Outbound Support');
    assert.equal(s.location.peek('alice'), before);
  });

  test('§6: through an edge proxy whose Path has ;ob, outbound is applied and the Path is the route', async () => {
    const s = setup({ outbound_mode: 1, use_path: 1 });
    const res = await s.save(
      registerRequest({
        contact: flowContact(1),
        vias: ['SIP/2.0/UDP edge.example.net', 'SIP/2.0/TCP 192.0.2.10:50000'],
        headers: [['Supported', 'outbound, path'], ['Path', '<sip:flowtoken@edge.example.net;lr;ob>']],
      }),
      peer({ address: '198.51.100.20' }),
    );
    assert.equal(res.status, 200);
    assert.equal(res.get('Require'), 'outbound');
    const r = await s.registrar.lookup('sip:alice@example.com');
    assert.ok(r.ok);
    assert.deepEqual(r.targets[0]!.route, ['<sip:flowtoken@edge.example.net;lr;ob>']);
    assert.deepEqual(r.targets[0]!.destination, { kind: 'uri', uri: 'sip:flowtoken@edge.example.net;lr;ob' });
  });

  test('regid_mode 0: without outbound support (and not first hop) reg-id is ignored, no 439', async () => {
    const s = setup({ outbound_mode: 1, regid_mode: 0 });
    const res = await s.save(registerRequest({ contact: flowContact(3), vias: ['SIP/2.0/UDP p.example.net', 'SIP/2.0/UDP 192.0.2.10'] }));
    assert.equal(res.status, 200);
    assert.equal(s.location.peek('alice')[0]!.regId, 0);
  });

  test('regid_mode 1: reg-id is used even without outbound support', async () => {
    const s = setup({ outbound_mode: 1, regid_mode: 1 });
    await s.save(registerRequest({ contact: flowContact(3) }));
    assert.equal(s.location.peek('alice')[0]!.regId, 3);
  });

  test('§6: several live Contacts with one reg-id among them is 400', async () => {
    const s = setup({ outbound_mode: 1 });
    const res = await s.save(registerRequest({ contact: [flowContact(1), C1], headers: [['Supported', 'outbound']] }), tcp(1));
    assert.equal(res.status, 400);
    assert.equal(s.location.users, 0);
  });

  test('§6: flows are keyed by instance + reg-id: reg-id 2 adds a flow, reg-id 1 again replaces the first', async () => {
    const s = setup({ outbound_mode: 1 });
    const sup: Array<[string, string]> = [['Supported', 'outbound']];
    await s.save(registerRequest({ contact: flowContact(1), callId: 'f1', headers: sup }), tcp(1, 50001));
    await s.save(registerRequest({ contact: flowContact(2, 5062), callId: 'f2', headers: sup }), tcp(2, 50002));
    assert.equal(s.location.peek('alice').length, 2);
    s.clock.advance(1000);
    await s.save(registerRequest({ contact: flowContact(1, 5064), callId: 'f1b', headers: sup }), tcp(3, 50003));
    const flows = s.location.peek('alice');
    assert.equal(flows.length, 2);
    assert.deepEqual(flows.map((b) => [b.regId, b.connectionId]), [[1, 3], [2, 2]]);
  });
});

describe('save(): save() flags as configuration (seed §4.1)', () => {
  test('single_contact (0x04): a new registration removes the AoR\'s other contacts', async () => {
    const s = setup({ single_contact: true });
    await s.save(registerRequest({ contact: C1, callId: 'a' }));
    const res = await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5070>', callId: 'b' }));
    assert.deepEqual(contactsOf(res).map((c) => c.split(';')[0]), ['<sip:alice@192.0.2.10:5070>']);
    assert.deepEqual(s.events.map((e) => e.reason), ['added', 'added', 'removed']);
  });

  test('memory_only (0x01): bindings are flagged FL_MEM and never written (db_mode 2)', async () => {
    const s = setup({ memory_only: true }, { db_mode: 2 });
    await s.save(registerRequest({ contact: C1 }));
    await s.location.flush();
    assert.equal(s.location.peek('alice')[0]!.flags & 1, 1);
    assert.equal(s.store.rows.size, 0);
    // the per-request flag overrides the configuration
    await s.save(registerRequest({ contact: C1, to: 'sip:bob@example.com' }), peer(), { memoryOnly: false });
    await s.location.flush();
    assert.equal(s.store.rows.size, 1);
  });
});

describe('save(): usrloc.matching_mode', () => {
  test('0 (contact only): a new Call-ID for the same Contact updates the binding', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: C1, callId: 'a' }));
    await s.save(registerRequest({ contact: C1, callId: 'b' }));
    assert.equal(s.location.peek('alice').length, 1);
  });

  test('1 (contact + Call-ID): a new Call-ID for the same Contact is another binding', async () => {
    const s = setup({}, { matching_mode: 1 });
    await s.save(registerRequest({ contact: C1, callId: 'a' }));
    await s.save(registerRequest({ contact: C1, callId: 'b' }));
    assert.equal(s.location.peek('alice').length, 2);
  });

  test('3 (Call-ID only): a lax phone changing its Contact keeps one binding', async () => {
    const s = setup({}, { matching_mode: 3 });
    await s.save(registerRequest({ contact: C1, callId: 'a', cseq: 1 }));
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:6000>', callId: 'a', cseq: 2 }));
    const list = s.location.peek('alice');
    assert.equal(list.length, 1);
    assert.equal(list[0]!.contact, 'sip:alice@192.0.2.10:6000');
  });
});

describe('save(): atomicity under db_mode 1 write failure', () => {
  test('a failed write-through is 500 (Retry-After: retry_after) and the previous bindings are back', async () => {
    const s = setup({ retry_after: 5 }, { db_mode: 1 });
    await s.save(registerRequest({ contact: C1, expires: 600 }));
    const before = s.location.peek('alice');
    s.store.failNext = 1;
    const res = await s.save(registerRequest({ contact: ['<sip:alice@192.0.2.10:5070>', `${C1};expires=0`], cseq: 2 }));
    assert.equal(res.status, 500);
    assert.equal(res.get('Retry-After'), '5');
    assert.deepEqual(s.location.peek('alice'), before);
    assert.equal(s.store.rows.size, 1);
    assert.deepEqual(s.events.map((e) => e.reason), ['added']);
  });
});

describe('save(): statistics (seed §6)', () => {
  test('accepted_regs, rejected_regs and the parameter gauges under Kamailio\'s names', async () => {
    const s = setup({ max_expires: 7200, max_contacts: 3, default_expires: 1800 });
    await s.save(registerRequest({ contact: C1 }));
    await s.save(registerRequest({ contact: '*' }));
    const snap = s.stats.snapshot();
    assert.deepEqual(snap.registrar, { max_expires: 7200, max_contacts: 3, default_expire: 1800, default_expires_range: 0, expires_range: 0, accepted_regs: 1, rejected_regs: 1 });
    assert.deepEqual(snap.usrloc, { registered_users: 1, 'location-users': 1, 'location-contacts': 1, 'location-expires': 0 });
  });
});

describe('save(): RFC 3261 §10.3 atomicity under every rejection code', () => {
  const C2 = '<sip:alice@192.0.2.10:5070>';
  const NEW = '<sip:alice@192.0.2.10:5080>';
  const OB = '<sip:alice@192.0.2.10;transport=tcp;ob>;reg-id=1;+sip.instance="<urn:uuid:1>"';
  type Case = { code: string; status: number; cfg?: Record<string, unknown>; ul?: Record<string, unknown>; fail?: boolean; req: Parameters<typeof registerRequest>[0] };
  // Each rejected REGISTER would otherwise remove C1 and add another binding.
  const mutate = [`${C1};expires=0`, NEW];
  const sup = (...h: Array<[string, string]>): Array<[string, string]> => [['Supported', 'outbound'], ...h];
  const cases: Case[] = [
    { code: 'bad_header', status: 400, req: { contact: mutate, expires: 'x', headers: sup() } },
    { code: 'bad_contact_uri', status: 400, req: { contact: [...mutate, '<sip:a@1.2.3.4:5060transport=udp>'], headers: sup() } },
    { code: 'invalid_expires', status: 400, req: { contact: [...mutate, `${C2};expires=x`], headers: sup() } },
    { code: 'invalid_q', status: 400, req: { contact: [...mutate, `${C2};q=2`], headers: sup() } },
    { code: 'star_expires', status: 400, req: { contact: '*', expires: 5, headers: sup() } },
    { code: 'multiple_reg_id', status: 400, cfg: { outbound_mode: 1 }, req: { contact: [OB, NEW], headers: sup() } },
    { code: 'contact_is_gruu', status: 403, req: { contact: [...mutate, '<sip:alice@example.com;gr=urn:uuid:1>'], headers: sup() } },
    { code: 'contact_is_aor', status: 403, req: { contact: [...mutate, '<sip:alice@example.com>'], headers: sup() } },
    { code: 'extension_unsupported', status: 420, req: { contact: mutate, headers: sup(['Require', 'foo']) } },
    { code: 'path_unsupported', status: 420, cfg: { use_path: 1 }, req: { contact: mutate, headers: [['Path', '<sip:p.example.net;lr>']] } },
    { code: 'outbound_unsupported', status: 420, req: { contact: mutate, headers: sup(['Require', 'outbound']) } },
    { code: 'outbound_required', status: 421, cfg: { outbound_mode: 2 }, req: { contact: mutate } },
    { code: 'interval_too_brief', status: 423, cfg: { min_expires: 60, min_expires_mode: 1 }, req: { contact: mutate, expires: 5, headers: sup() } },
    { code: 'first_hop_lacks_outbound', status: 439, cfg: { outbound_mode: 1 }, req: { contact: OB, vias: ['SIP/2.0/UDP p.example.net', 'SIP/2.0/TCP 192.0.2.10'], headers: sup() } },
    { code: 'out_of_order', status: 500, req: { contact: mutate, cseq: 4, headers: sup() } },
    { code: 'too_many_contacts', status: 503, cfg: { max_contacts: 2 }, req: { contact: [NEW], headers: sup() } },
    { code: 'store_failure (db_mode 1)', status: 500, ul: { db_mode: 1 }, fail: true, req: { contact: mutate, headers: sup() } },
    { code: 'store_failure (db_mode 3)', status: 500, ul: { db_mode: 3 }, fail: true, req: { contact: mutate, headers: sup() } },
  ];
  for (const c of cases) {
    test(`${c.status} ${c.code}: the AoR's bindings, the database and the events are exactly as before`, async () => {
      const s = setup(c.cfg, c.ul);
      const ok = await s.save(registerRequest({ contact: [C1, C2], cseq: 5, headers: sup() }));
      assert.equal(ok.status, 200);
      await s.location.flush();
      const before = await s.location.bindings('alice');
      const rows = [...s.store.rows.values()];
      const events = s.events.length;
      if (c.fail) s.store.failNext = 1;
      const r = await s.registrar.process(registerRequest({ cseq: 6, ...c.req }), peer());
      assert.equal(r.status, c.status, r.response.reason);
      if (s.location.inMemory) assert.equal(s.location.peek('alice'), before);
      assert.deepEqual(await s.location.bindings('alice'), before);
      assert.deepEqual([...s.store.rows.values()], rows);
      assert.equal(s.events.length, events);
      assert.equal(s.stats.snapshot().registrar!.rejected_regs, 1);
    });
  }
});
