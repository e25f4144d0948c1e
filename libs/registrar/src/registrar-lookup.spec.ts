import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupResult } from './lookup.js';
import { peer, registerRequest, setup } from './spec-support.js';

function targets(r: LookupResult) {
  assert.ok(r.ok, `expected targets, got ${r.ok ? '' : r.status}`);
  return r.targets;
}

describe('lookup(): ordering and forking (seed §4.2, §3.8)', () => {
  test('targets are ordered by q, then the most recently registered first', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5001>;q=0.5', callId: 'a' }));
    s.clock.advance(1000);
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5002>;q=0.5', callId: 'b' }));
    s.clock.advance(1000);
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5003>;q=0.9', callId: 'c' }));
    const t = targets(await s.registrar.lookup('sip:alice@example.com'));
    assert.deepEqual(t.map((x) => x.uri), ['sip:alice@192.0.2.10:5003', 'sip:alice@192.0.2.10:5002', 'sip:alice@192.0.2.10:5001']);
    assert.deepEqual(t.map((x) => x.q), [0.9, 0.5, 0.5]);
  });

  test('append_branches 0: only the highest-q contact', async () => {
    const s = setup({ append_branches: 0 });
    await s.save(registerRequest({ contact: ['<sip:alice@192.0.2.10:5001>;q=0.1', '<sip:alice@192.0.2.10:5002>;q=0.8'] }));
    assert.deepEqual(targets(await s.registrar.lookup('sip:alice@example.com')).map((x) => x.uri), ['sip:alice@192.0.2.10:5002']);
  });

  test('no binding: 404 (lookup -1); expired bindings are not found even before the timer removes them', async () => {
    const s = setup();
    assert.deepEqual(await s.registrar.lookup('sip:nobody@example.com'), { ok: false, code: 'not_found', status: 404, reason: 'Not Found' });
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10>', expires: 60 }));
    s.clock.advance(60_000);
    assert.equal((await s.registrar.lookup('sip:alice@example.com')).ok, false);
    assert.equal(s.location.contacts, 1, 'still held until the sweep');
  });

  test('method_filtering: initial requests reach only contacts whose Allow listed the method; none left is 405', async () => {
    const s = setup({ method_filtering: 1 });
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5001>', callId: 'a', headers: [['Allow', 'INVITE, ACK, BYE, CANCEL']] }));
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5002>', callId: 'b', headers: [['Allow', 'MESSAGE']] }));
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10:5003>', callId: 'c' }));
    const t = targets(await s.registrar.lookup('sip:alice@example.com', { method: 'MESSAGE' }));
    assert.deepEqual(t.map((x) => x.uri).sort(), ['sip:alice@192.0.2.10:5002', 'sip:alice@192.0.2.10:5003']);
    const s2 = setup({ method_filtering: 1 });
    await s2.save(registerRequest({ contact: '<sip:alice@192.0.2.10>', headers: [['Allow', 'INVITE']] }));
    const r = await s2.registrar.lookup('sip:alice@example.com', { method: 'MESSAGE' });
    assert.equal(r.ok ? 0 : r.status, 405);
    // in-dialog requests are not filtered
    assert.equal((await s2.registrar.lookup('sip:alice@example.com', { method: 'MESSAGE', initial: false })).ok, true);
  });

  test('method_filtering 0: Allow is stored but not used', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10>', headers: [['Allow', 'INVITE']] }));
    assert.equal((await s.registrar.lookup('sip:alice@example.com', { method: 'MESSAGE' })).ok, true);
  });

  test('lookup_branches: the Request-URI and the extra branches together', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.10>' }));
    await s.save(registerRequest({ to: 'sip:bob@example.com', contact: '<sip:bob@192.0.2.20>' }));
    const t = targets(await s.registrar.lookupBranches(['sip:alice@example.com', 'sip:bob@example.com', 'sip:carol@example.com']));
    assert.deepEqual(t.map((x) => x.aor), ['alice', 'bob']);
    assert.equal((await s.registrar.lookupBranches(['sip:carol@example.com'])).ok, false);
  });
});

describe('lookup(): destinations (NAT, connections, Path)', () => {
  test('a binding behind NAT is reached at its received address through the socket it registered on', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5:5060>' }), peer({ address: '203.0.113.7', port: 40001, localPort: 5080 }));
    const [t] = targets(await s.registrar.lookup('sip:alice@example.com'));
    assert.equal(t!.uri, 'sip:alice@10.0.0.5:5060');
    assert.deepEqual(t!.destination, { kind: 'flow', transport: 'udp', address: '203.0.113.7', port: 40001, connectionId: 0, localAddress: '198.51.100.1', localPort: 5080 });
    assert.equal(t!.socket, 'udp:198.51.100.1:5080');
  });

  test('a binding made over TCP/TLS/WS is reached over its registered connection', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: '<sip:alice@df7jal23ls0d.invalid;transport=ws>' }), peer({ transport: 'ws', port: 61000, connectionId: 99 }));
    const [t] = targets(await s.registrar.lookup('sip:alice@example.com'));
    assert.equal(t!.destination.kind, 'flow');
    assert.equal(t!.destination.kind === 'flow' && t!.destination.connectionId, 99);
  });

  test('RFC 3327 / seed §1.1: the stored Path is the route set and its first URI the destination', async () => {
    const s = setup({ use_path: 1 });
    await s.save(
      registerRequest({ contact: '<sip:alice@10.0.0.5>', headers: [['Path', '<sip:p2.example.net;lr>, <sip:p1.example.net;lr>'], ['Supported', 'path']] }),
      peer({ address: '198.51.100.7' }),
    );
    const [t] = targets(await s.registrar.lookup('sip:alice@example.com'));
    assert.deepEqual(t!.route, ['<sip:p2.example.net;lr>', '<sip:p1.example.net;lr>']);
    assert.deepEqual(t!.destination, { kind: 'uri', uri: 'sip:p2.example.net;lr' });
  });

  test('path_check_local: a first Path hop that is this server is skipped', async () => {
    const isLocal = (u: { host: string }) => u.host === 'registrar.example.net';
    const s = setup({ use_path: 1, path_check_local: 1 }, {}, { isLocal });
    await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5>', headers: [['Path', '<sip:registrar.example.net;lr>, <sip:edge.example.net;lr>'], ['Supported', 'path']] }));
    const [t] = targets(await s.registrar.lookup('sip:alice@example.com'));
    assert.deepEqual(t!.route, ['<sip:edge.example.net;lr>']);
    assert.deepEqual(t!.destination, { kind: 'uri', uri: 'sip:edge.example.net;lr' });
    const off = setup({ use_path: 1, path_check_local: 0 }, {}, { isLocal });
    await off.save(registerRequest({ contact: '<sip:alice@10.0.0.5>', headers: [['Path', '<sip:registrar.example.net;lr>'], ['Supported', 'path']] }));
    assert.equal(targets(await off.registrar.lookup('sip:alice@example.com'))[0]!.route.length, 1);
  });

  test('path_check_local: a Path parsed once for many lookups gives each registrar its own route set', async () => {
    const path = '<sip:registrar.example.net;lr>, <sip:edge2.example.net;lr>';
    const isLocal = (u: { host: string }) => u.host === 'registrar.example.net';
    const on = setup({ use_path: 1, path_check_local: 1 }, {}, { isLocal });
    const off = setup({ use_path: 1, path_check_local: 0 }, {}, { isLocal });
    for (const s of [on, off]) await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5>', headers: [['Path', path], ['Supported', 'path']] }));
    for (let round = 0; round < 2; round++) {
      const [t] = targets(await on.registrar.lookup('sip:alice@example.com'));
      assert.deepEqual(t!.route, ['<sip:edge2.example.net;lr>']);
      assert.deepEqual(t!.destination, { kind: 'uri', uri: 'sip:edge2.example.net;lr' });
      const [u] = targets(await off.registrar.lookup('sip:alice@example.com'));
      assert.deepEqual(u!.route, ['<sip:registrar.example.net;lr>', '<sip:edge2.example.net;lr>']);
      assert.deepEqual(u!.destination, { kind: 'uri', uri: 'sip:registrar.example.net;lr' });
    }
  });

  test('a binding saved by another node (db_mode 3, other server_id) is sent to its received URI', async () => {
    const a = setup({}, { db_mode: 3, server_id: 1 });
    const b = setup({}, { db_mode: 3, server_id: 2 }, { store: a.store, clock: a.clock });
    await a.save(registerRequest({ contact: '<sip:alice@10.0.0.5>' }), peer({ address: '203.0.113.7', port: 4000 }));
    const [t] = targets(await b.registrar.lookup('sip:alice@example.com'));
    assert.deepEqual(t!.destination, { kind: 'uri', uri: 'sip:203.0.113.7:4000' });
  });
});

describe('lookup(): GRUU targeting (RFC 5627 §6.1)', () => {
  const I1 = '<urn:uuid:11111111-1111-1111-1111-111111111111>';
  const I2 = '<urn:uuid:22222222-2222-2222-2222-222222222222>';
  async function twoInstances() {
    const s = setup();
    const sup: Array<[string, string]> = [['Supported', 'gruu']];
    const r1 = await s.save(registerRequest({ contact: `<sip:alice@192.0.2.10:5001>;+sip.instance="${I1}"`, callId: 'a', headers: sup }));
    await s.save(registerRequest({ contact: `<sip:alice@192.0.2.10:5002>;+sip.instance="${I2}"`, callId: 'b', headers: sup }));
    const v = r1.getList('Contact')[0]!;
    return { s, pub: /pub-gruu="([^"]+)"/.exec(v)![1]!, temp: /temp-gruu="([^"]+)"/.exec(v)![1]! };
  }

  test('a pub-gruu reaches only its instance\'s binding', async () => {
    const { s, pub } = await twoInstances();
    assert.deepEqual(targets(await s.registrar.lookup(pub)).map((t) => t.uri), ['sip:alice@192.0.2.10:5001']);
    assert.equal(targets(await s.registrar.lookup('sip:alice@example.com')).length, 2);
  });

  test('a temp-gruu reaches only the binding it was issued for, and is matched exactly as issued', async () => {
    const { s, temp } = await twoInstances();
    assert.deepEqual(targets(await s.registrar.lookup(temp)).map((t) => t.uri), ['sip:alice@192.0.2.10:5001']);
    const upper = temp.replace(/^sip:uloc-/, 'sip:ULOC-');
    assert.equal((await s.registrar.lookup(upper)).ok, false);
  });

  test('a GRUU for an unknown instance, or a temp-gruu of a removed binding, is 404', async () => {
    const { s, temp } = await twoInstances();
    assert.equal((await s.registrar.lookup('sip:alice@example.com;gr=urn:uuid:99999999-9999-9999-9999-999999999999')).ok, false);
    await s.registrar.unregister('sip:alice@example.com');
    assert.equal((await s.registrar.lookup(temp)).ok, false);
  });

  test('gruu_enabled 0: a gr parameter is ignored and the AoR is looked up', async () => {
    const s = setup({ gruu_enabled: 0 });
    await s.save(registerRequest({ contact: `<sip:alice@192.0.2.10>;+sip.instance="${I1}"` }));
    assert.equal(targets(await s.registrar.lookup('sip:alice@example.com;gr=urn:uuid:00000000-0000-0000-0000-000000000000')).length, 1);
  });
});

describe('lookup(): outbound flows (RFC 5626 §5.3, Kamailio t_next_contact_flows)', () => {
  test('the flows of one instance are one branch: the most recent first, the others as nextFlows', async () => {
    const s = setup({ outbound_mode: 1 });
    const inst = '<urn:uuid:00000000-0000-1000-8000-000a95a0e128>';
    const sup: Array<[string, string]> = [['Supported', 'outbound']];
    await s.save(registerRequest({ contact: `<sip:alice@192.0.2.10;transport=tcp;ob>;reg-id=1;+sip.instance="${inst}"`, callId: 'f1', headers: sup }), peer({ transport: 'tcp', connectionId: 1 }));
    s.clock.advance(1000);
    await s.save(registerRequest({ contact: `<sip:alice@192.0.2.10;transport=tcp;ob>;reg-id=2;+sip.instance="${inst}"`, callId: 'f2', headers: sup }), peer({ transport: 'tcp', connectionId: 2 }));
    await s.save(registerRequest({ contact: '<sip:alice@192.0.2.30>', callId: 'plain' }), peer({ address: '192.0.2.30' }));
    const t = targets(await s.registrar.lookup('sip:alice@example.com'));
    assert.equal(t.length, 2);
    const flow = t.find((x) => x.flow)!;
    assert.equal(flow.regId, 2);
    assert.equal(flow.destination.kind === 'flow' && flow.destination.connectionId, 2);
    assert.deepEqual(flow.nextFlows.map((f) => f.regId), [1]);
  });
});

describe('registered(), unregister(), fetchContacts() (seed §4.4, 4.6, 4.7)', () => {
  test('registered() is true with a live binding; match options compare Call-ID, received and contact', async () => {
    const s = setup();
    assert.equal(await s.registrar.registered('sip:alice@example.com'), false);
    await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5>', callId: 'cid-1' }));
    assert.equal(await s.registrar.registered('sip:alice@example.com'), true);
    assert.equal(await s.registrar.registered('sip:alice@example.com', { callId: 'cid-1' }), true);
    assert.equal(await s.registrar.registered('sip:alice@example.com', { callId: 'cid-2' }), false);
    assert.equal(await s.registrar.registered('sip:alice@example.com', { received: 'sip:192.0.2.10:5060', contact: 'sip:alice@10.0.0.5' }), true);
  });

  test('unregister(aor) removes every binding; unregister(aor, ruid) and unregister(null, ruid) one', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: ['<sip:alice@192.0.2.10:5001>', '<sip:alice@192.0.2.10:5002>', '<sip:alice@192.0.2.10:5003>'] }));
    const [a, b] = s.location.peek('alice');
    assert.deepEqual((await s.registrar.unregister('sip:alice@example.com', a!.ruid)).map((x) => x.ruid), [a!.ruid]);
    assert.deepEqual((await s.registrar.unregister(null, b!.ruid)).map((x) => x.ruid), [b!.ruid]);
    assert.equal((await s.registrar.unregister('sip:alice@example.com')).length, 1);
    assert.equal((await s.registrar.unregister('sip:alice@example.com')).length, 0);
    assert.deepEqual(s.events.map((e) => e.reason), ['added', 'removed', 'removed', 'removed']);
  });

  test('fetchContacts() gives reg_fetch_contacts attributes as JSON', async () => {
    const s = setup();
    await s.save(registerRequest({ contact: '<sip:alice@10.0.0.5>;q=0.7', headers: [['User-Agent', 'Phone/1.0']] }));
    s.clock.advance(600_000);
    const [c] = await s.registrar.fetchContacts('sip:alice@example.com');
    assert.equal(c!.contact, 'sip:alice@10.0.0.5');
    assert.equal(c!.received, 'sip:192.0.2.10:5060');
    assert.equal(c!.expires, 3000);
    assert.equal(c!.q, 0.7);
    assert.equal(c!.callId, 'reg-1@192.0.2.10');
    assert.equal(c!.cseq, 1);
    assert.equal(c!.userAgent, 'Phone/1.0');
    assert.equal(c!.socket, 'udp:198.51.100.1:5060');
    assert.equal(c!.source, 'udp:192.0.2.10:5060');
    assert.equal(c!.methods, null);
    assert.match(c!.ruid, /^uloc-/);
  });
});
