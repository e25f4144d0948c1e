import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AOR, HOLD_SDP, RESUME_SDP, bye, harness, invite, reply, settle, subscribe } from './spec-support.js';

const lamps = (v: string | undefined) => v ?? '';

describe('sca_handle_subscribe (RFC 6665, BroadWorks §2–3)', () => {
  test('call-info SUBSCRIBE: 200 with Expires capped by call_info_max_expires, then a NOTIFY in the dialog (RFC 6665 §4.2.1)', async () => {
    const h = harness({ call_info_max_expires: 600 });
    const out = h.engine.handleSubscribe(subscribe(1, 'call-info', { expires: 3600, recordRoute: '<sip:edge.example.com;lr>' }));
    assert.equal(out.status, 200);
    assert.deepEqual(out.headers.find(([n]) => n === 'Expires'), ['Expires', '600']);
    await out.after();
    assert.equal(h.sent.length, 1);
    const n = h.sent[0]!.req;
    assert.equal(n.method, 'NOTIFY');
    assert.equal(n.requestUri, 'sip:shared@10.0.0.1:5060', 'Request-URI is the remote target (Contact)');
    assert.equal(n.get('Event'), 'call-info');
    assert.equal(n.get('Subscription-State'), 'active;expires=600');
    assert.equal(n.get('Route'), '<sip:edge.example.com;lr>', 'route set from Record-Route');
    assert.equal(n.from().tag, out.toTag, 'From tag is the To tag of our 200');
    assert.equal(n.to().tag, 'ph1');
    assert.equal(n.get('Contact'), '<sip:127.0.0.1:5060>');
    assert.equal(n.get('Call-Info'), `<${AOR}>;appearance-index=*;appearance-state=idle`);
  });

  test('an unknown event package is 489 Bad Event with Allow-Events', () => {
    const h = harness();
    const req = subscribe(1, 'call-info');
    req.setHeader('Event', 'presence');
    const out = h.engine.handleSubscribe(req);
    assert.equal(out.status, 489);
    assert.ok(out.headers.some(([n, v]) => n === 'Allow-Events' && v.includes('line-seize')));
  });

  test('in-dialog refresh keeps the dialog; unknown dialog is 481; Expires 0 sends a terminal NOTIFY (RFC 6665 §4.1.2.3)', async () => {
    const h = harness();
    const first = subscribe(1, 'call-info', { callId: 'dlg1' });
    const out = h.engine.handleSubscribe(first);
    await out.after();
    h.clock.advance(10_000);
    const refresh = h.engine.handleSubscribe(subscribe(1, 'call-info', { callId: 'dlg1', toTag: out.toTag, cseq: 2, expires: 100 }));
    assert.equal(refresh.status, 200);
    await refresh.after();
    assert.equal(h.sent.at(-1)!.req.get('Subscription-State'), 'active;expires=100');
    assert.equal(h.engine.handleSubscribe(subscribe(1, 'call-info', { callId: 'nope', toTag: 'x', cseq: 2 })).status, 481);
    const un = h.engine.handleSubscribe(subscribe(1, 'call-info', { callId: 'dlg1', toTag: out.toTag, cseq: 3, expires: 0 }));
    assert.equal(un.status, 200);
    await un.after();
    assert.equal(h.sent.at(-1)!.req.get('Subscription-State'), 'terminated');
    assert.equal(h.engine.allSubscriptions().length, 0);
  });

  test('line-seize reserves the lowest free index (from 1), NOTIFYs it, and the group sees it seized', async () => {
    const h = harness();
    for (const p of [1, 2, 3]) await h.engine.handleSubscribe(subscribe(p, 'call-info')).after();
    h.sent.length = 0;
    const out = h.engine.handleSubscribe(subscribe(1, 'line-seize', { expires: 60 }));
    assert.equal(out.status, 200);
    assert.deepEqual(out.headers.find(([n]) => n === 'Expires'), ['Expires', '15'], 'capped by line_seize_max_expires');
    await out.after();
    const ls = h.sent.find((s) => s.req.get('Event') === 'line-seize')!;
    assert.equal(ls.req.get('Call-Info'), `<${AOR}>;appearance-index=1;appearance-state=seized`);
    const group = h.sent.filter((s) => s.req.get('Event') === 'call-info');
    assert.equal(group.length, 3);
    for (const g of group) assert.match(lamps(g.req.get('Call-Info')), /appearance-index=1;appearance-state=seized/);
    const second = h.engine.handleSubscribe(subscribe(2, 'line-seize'));
    await second.after();
    assert.equal(h.engine.allAppearances().map((a) => a.index).join(), '1,2');
  });

  test('no free appearance: 480 with Retry-After (BroadWorks §3); a seized index asked by another member is refused too', async () => {
    const h = harness({ max_appearances: 1 });
    await h.engine.handleSubscribe(subscribe(1, 'line-seize')).after();
    const out = h.engine.handleSubscribe(subscribe(2, 'line-seize'));
    assert.equal(out.status, 480);
    assert.deepEqual(out.headers.find(([n]) => n === 'Retry-After'), ['Retry-After', '15']);
    assert.equal(h.engine.handleSubscribe(subscribe(3, 'line-seize', { callInfo: `<${AOR}>;appearance-index=1` })).status, 480);
  });
});

describe('NOTIFY failures (RFC 6665 §4.2.2, notify_max_failures)', () => {
  test('408 keeps the subscription until notify_max_failures in a row; a 2xx resets the count', async () => {
    let status = 408;
    const h = harness({ notify_max_failures: 2 }, () => status);
    await h.engine.handleSubscribe(subscribe(1, 'call-info')).after();
    await settle();
    assert.equal(h.engine.allSubscriptions()[0]!.failures, 1, 'one 408 does not end it');
    status = 200;
    await h.engine.notifyGroup(AOR);
    assert.equal(h.engine.allSubscriptions()[0]!.failures, 0);
    status = 408;
    await h.engine.notifyGroup(AOR);
    await h.engine.notifyGroup(AOR);
    assert.equal(h.engine.allSubscriptions().length, 0, 'dropped after 2 consecutive failures');
  });

  test('a 481 ends the subscription at once', async () => {
    const h = harness({}, () => 481);
    await h.engine.handleSubscribe(subscribe(1, 'call-info')).after();
    assert.equal(h.engine.allSubscriptions().length, 0);
  });
});

describe('sca_call_info_update: call states', () => {
  test('seize → ringing (180) → active (200) → held (re-INVITE sendonly) → retrieved by another member → released by BYE', async () => {
    const h = harness();
    for (const p of [1, 2, 3]) await h.engine.handleSubscribe(subscribe(p, 'call-info')).after();
    await h.engine.handleSubscribe(subscribe(1, 'line-seize')).after();
    const inv = invite(1, { callId: 'call-1', callInfo: `<${AOR}>;appearance-index=1` });
    const obs = h.engine.requestForwarded(inv)!;
    assert.ok(obs);
    assert.equal(inv.has('Call-Info'), false, 'the SCA Call-Info is consumed before forwarding');
    obs(reply(inv, 180));
    assert.equal(h.engine.allAppearances()[0]!.state, 'ringing');
    obs(reply(inv, 200));
    const a = h.engine.allAppearances()[0]!;
    assert.equal(a.state, 'active');
    assert.equal(a.remote, 'sip:bob@example.com');
    assert.equal(a.display, 'Bob');
    h.engine.requestForwarded(invite(1, { callId: 'call-1', toTag: 'bobtag', cseq: 2, sdp: HOLD_SDP }));
    assert.equal(h.engine.allAppearances()[0]!.state, 'held');
    await settle();
    const last = h.sent.filter((s) => s.req.get('Event') === 'call-info').at(-1)!;
    assert.match(lamps(last.req.get('Call-Info')), /appearance-index=1;appearance-state=held;appearance-uri="\\"Bob\\" <sip:bob@example.com>"/);

    // Phone 2 retrieves: line-seize of the held index is allowed, then its INVITE (Replaces) moves the appearance.
    const ls2 = h.engine.handleSubscribe(subscribe(2, 'line-seize', { callInfo: `<${AOR}>;appearance-index=1` }));
    assert.equal(ls2.status, 200);
    await ls2.after();
    const inv2 = invite(2, { callId: 'call-2', callInfo: `<${AOR}>;appearance-index=1`, replaces: 'call-1;to-tag=bobtag;from-tag=call1' });
    const obs2 = h.engine.requestForwarded(inv2)!;
    obs2(reply(inv2, 200, { toTag: 'bob2' }));
    const r = h.engine.allAppearances()[0]!;
    assert.equal(r.state, 'active');
    assert.equal(r.owner, 'sip:shared@10.0.0.2:5060');
    // The old dialog's BYE (remote hangs up on phone 1) leaves the retrieved call alone.
    h.engine.requestForwarded(bye({ callId: 'call-1', fromAor: 'sip:bob@example.com', fromTag: 'bobtag', toAor: AOR, toTag: 'call1' }));
    assert.equal(h.engine.allAppearances().length, 1);
    // BYE from the remote side of the retrieved call releases it, and the line-seize with it.
    h.engine.requestForwarded(bye({ callId: 'call-2', fromAor: 'sip:bob@example.com', fromTag: 'bob2', toAor: AOR, toTag: 'call2' }));
    await settle();
    assert.equal(h.engine.allAppearances().length, 0);
    assert.equal(h.engine.allSubscriptions().filter((s) => s.event === 'line-seize').length, 0, 'line-seize released with its call');
    const idle = h.sent.filter((s) => s.req.get('Event') === 'call-info').at(-1)!;
    assert.match(lamps(idle.req.get('Call-Info')), /appearance-index=1;appearance-state=idle/);
    assert.ok(h.sent.some((s) => s.req.get('Subscription-State') === 'terminated;reason=noresource'));
  });

  test('re-INVITE without hold after held → active; 183 → progressing; failure → idle', async () => {
    const h = harness();
    await h.engine.handleSubscribe(subscribe(1, 'call-info')).after();
    const inv = invite(1, { callId: 'c' });
    const obs = h.engine.requestForwarded(inv)!;
    obs(reply(inv, 183));
    assert.equal(h.engine.allAppearances()[0]!.state, 'progressing');
    obs(reply(inv, 200));
    h.engine.requestForwarded(invite(1, { callId: 'c', toTag: 'bobtag', cseq: 2, sdp: HOLD_SDP }));
    h.engine.requestForwarded(invite(1, { callId: 'c', toTag: 'bobtag', cseq: 3, sdp: RESUME_SDP }));
    assert.equal(h.engine.allAppearances()[0]!.state, 'active');
    const inv2 = invite(1, { callId: 'd' });
    const obs2 = h.engine.requestForwarded(inv2)!;
    assert.equal(h.engine.allAppearances().length, 2);
    obs2(reply(inv2, 486));
    assert.equal(h.engine.allAppearances().length, 1);
  });

  test('an incoming call answered by a member takes the lowest idle index as active', () => {
    const h = harness();
    void h.engine.handleSubscribe(subscribe(1, 'call-info')).after();
    const req = invite(9, { callId: 'in' });
    req.setHeader('From', '"Carol" <sip:carol@example.com>;tag=ct');
    req.setHeader('To', `<${AOR}>`);
    const obs = h.engine.requestForwarded(req)!;
    obs(reply(req, 200, { toTag: 'mt', contact: 'sip:shared@10.0.0.3:5060' }));
    const a = h.engine.allAppearances()[0]!;
    assert.deepEqual([a.index, a.state, a.owner, a.remote, a.display], [1, 'active', 'sip:shared@10.0.0.3:5060', 'sip:carol@example.com', 'Carol']);
  });
});

describe('purge_expired_interval and persistence', () => {
  test('purge removes expired subscriptions with terminated;reason=timeout and frees an expired seizure for the group', async () => {
    const h = harness();
    await h.engine.handleSubscribe(subscribe(2, 'call-info', { expires: 3600 })).after();
    await h.engine.handleSubscribe(subscribe(1, 'line-seize')).after();
    h.clock.advance(16_000);
    h.sent.length = 0;
    assert.equal(await h.engine.purge(), 1);
    assert.ok(h.sent.some((s) => s.req.get('Event') === 'line-seize' && s.req.get('Subscription-State') === 'terminated;reason=timeout'));
    assert.match(lamps(h.sent.find((s) => s.req.get('Event') === 'call-info')?.req.get('Call-Info')), /appearance-index=1;appearance-state=idle/);
    assert.equal(h.engine.allAppearances().length, 0);
  });

  test('an expired seizure whose call is up keeps the appearance, and it cannot be seized by another member', async () => {
    const h = harness();
    await h.engine.handleSubscribe(subscribe(1, 'line-seize')).after();
    const inv = invite(1, { callId: 'k' });
    h.engine.requestForwarded(inv)!(reply(inv, 200));
    h.clock.advance(16_000);
    await h.engine.purge();
    assert.equal(h.engine.allAppearances()[0]!.state, 'active');
    assert.equal(h.engine.handleSubscribe(subscribe(2, 'line-seize', { callInfo: `<${AOR}>;appearance-index=1` })).status, 480);
  });

  test('flush writes call-info subscriptions; a new engine restores them and keeps NOTIFYing in the same dialog', async () => {
    const h = harness();
    const out = h.engine.handleSubscribe(subscribe(1, 'call-info', { recordRoute: '<sip:a.example.com;lr>, <sip:b.example.com;lr>' }));
    await out.after();
    await h.engine.handleSubscribe(subscribe(2, 'line-seize')).after();
    await h.engine.stop();
    const rows = await h.store.load(0);
    assert.equal(rows.length, 1, 'line-seize is not persisted');
    assert.equal(rows[0]!.event, 1);
    const h2 = harness();
    await h2.store.save(0, rows);
    assert.equal(await h2.engine.start(), 1);
    await h2.engine.notifyGroup(AOR);
    await h2.engine.stop();
    const n = h2.sent[0]!.req;
    assert.equal(n.callId(), rows[0]!.call_id);
    assert.equal(n.from().tag, out.toTag);
    assert.equal(n.cseq().seq, rows[0]!.notify_cseq + 1, 'CSeq continues');
    assert.deepEqual(n.getAll('Route'), ['<sip:a.example.com;lr>', '<sip:b.example.com;lr>']);
  });
  test('a restart after the table was replaced (admin restore) keeps only the stored call-info subscriptions', async () => {
    const h = harness();
    await h.engine.handleSubscribe(subscribe(1, 'call-info')).after();
    await h.engine.stop();
    await h.store.save(0, []);
    assert.equal(await h.engine.start(), 0);
    assert.equal(h.engine.allSubscriptions().length, 0);
    await h.engine.stop();
  });
});

describe('admin (seed §5 RPC commands)', () => {
  test('seize / update / release NOTIFY the group; errors map to the table', async () => {
    const h = harness();
    await h.engine.handleSubscribe(subscribe(1, 'call-info')).after();
    h.sent.length = 0;
    const a = await h.engine.seizeAppearance(AOR, 'sip:shared@10.0.0.2');
    assert.equal(a.index, 1);
    await h.engine.updateAppearance(AOR, 1, 'held', 'Line one');
    assert.match(lamps(h.sent.at(-1)!.req.get('Call-Info')), /appearance-state=held/);
    await h.engine.releaseAppearance(AOR, 1);
    assert.equal(h.sent.length, 3);
    await assert.rejects(h.engine.releaseAppearance(AOR, 1), { code: 'appearance_not_found' });
    await assert.rejects(h.engine.updateAppearance(AOR, 1, 'bogus'), { code: 'bad_state' });
    await assert.rejects(h.engine.seizeAppearance('not a uri', 'sip:x@y'), { code: 'bad_aor' });
  });
});
