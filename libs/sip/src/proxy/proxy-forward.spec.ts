import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TransportError } from '../transport/index.js';
import { createStatelessResponse } from '../transaction/index.js';
import { parseRequest, request, sentRequest, TIMERS } from '../transaction/spec-support.js';
import { CALLER, proxyHarness, uas } from './spec-support.js';
import type { ForwardOptions } from './types.js';

const A = uas(1);
const B = uas(2);
const C = uas(3);
const invite = (extra: Parameters<typeof request>[0] = {}) => request({ method: 'INVITE', branch: 'z9hG4bK-caller1', ruri: 'sip:bob@example.com', ...extra });
const to = (t: typeof A, q?: number) => ({ uri: `sip:bob@${t.address}`, q });

describe('stateful forwarding (RFC 3261 §16.6)', () => {
  test('each copy: new Request-URI, Max-Forwards - 1, Record-Route with ;lr, our Via with a unique magic-cookie branch', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B)], recordRoute: 'sip:192.0.2.1:5060' }));
    const orig = invite({ maxForwards: 10 });
    p.layer.receive(orig, CALLER);
    const a = sentRequest(p.sentTo(A, 'INVITE')[0]!);
    const b = sentRequest(p.sentTo(B, 'INVITE')[0]!);
    assert.equal(a.requestUri, 'sip:bob@192.0.2.21');
    assert.equal(b.requestUri, 'sip:bob@192.0.2.22');
    assert.equal(a.maxForwards(), 9);
    assert.equal(a.recordRoute()[0]!.toString(), '<sip:192.0.2.1:5060;lr>');
    const va = a.vias();
    assert.equal(va.length, 2);
    assert.equal(va[0]!.sentBy, '192.0.2.1:5060');
    assert.match(va[0]!.branch!, /^z9hG4bK/);
    assert.notEqual(va[0]!.branch, b.topVia()!.branch);
    assert.equal(va[1]!.branch, 'z9hG4bK-caller1');
    // The received request is not changed by the copies.
    assert.equal(orig.requestUri, 'sip:bob@example.com');
    assert.equal(orig.maxForwards(), 10);
    assert.equal(orig.vias().length, 1);
  });

  test('§16.2: an INVITE is answered 100 Trying at once; a non-INVITE is not', () => {
    const p = proxyHarness(() => ({ targets: [to(A)] }));
    p.layer.receive(invite(), CALLER);
    p.layer.receive(request({ method: 'MESSAGE', branch: 'z9hG4bK-m' }), CALLER);
    assert.deepEqual(p.upstream(), ['100 Trying']);
  });

  test('§16.3 step 3: Max-Forwards 0 is answered 483 and nothing is forwarded', () => {
    const p = proxyHarness(() => ({ targets: [to(A)] }));
    p.layer.receive(invite({ maxForwards: 0 }), CALLER);
    assert.deepEqual(p.upstream(), ['483 Too Many Hops']);
    assert.equal(p.sentTo(A).length, 0);
    assert.equal(p.proxy.stats().tooManyHops, 1);
  });

  test('§16.6 step 3: a request without Max-Forwards gets 70', () => {
    const p = proxyHarness(() => ({ targets: [to(A)] }));
    p.layer.receive(request({ method: 'MESSAGE', maxForwards: null }), CALLER);
    assert.equal(sentRequest(p.sentTo(A, 'MESSAGE')[0]!).maxForwards(), 70);
  });

  test('RFC 3327 §5.3: a target route set (Path) becomes Route headers and its first hop the destination', () => {
    const p = proxyHarness(() => ({ targets: [{ uri: 'sip:bob@198.51.100.7:5080', route: ['<sip:192.0.2.23;lr>', 'sip:192.0.2.24;lr'] }] }));
    p.layer.receive(request({ method: 'MESSAGE', extra: ['Route: <sip:192.0.2.99;lr>'] }), CALLER);
    const sent = p.sentTo(C, 'MESSAGE');
    assert.equal(sent.length, 1);
    const m = sentRequest(sent[0]!);
    assert.deepEqual(m.route().map((r) => r.uri.toString()), ['sip:192.0.2.23;lr', 'sip:192.0.2.24;lr', 'sip:192.0.2.99;lr']);
    assert.equal(m.requestUri, 'sip:bob@198.51.100.7:5080');
  });

  test('a target destination (a known flow) bypasses resolution', () => {
    const flow = { transport: 'tcp' as const, address: '198.51.100.8', port: 40000, connectionId: 12 };
    const p = proxyHarness(() => ({ targets: [{ uri: 'sip:bob@bob.invalid;transport=ws', destination: flow }] }));
    p.layer.receive(request({ method: 'MESSAGE' }), CALLER);
    const s = p.transport.sent.find((x) => x.text.startsWith('MESSAGE'))!;
    assert.deepEqual(s.target, flow);
    assert.equal(sentRequest(s).topVia()!.transport, 'TCP');
  });

  test('§16.6 step 6: a strict router as first Route gets the Request-URI appended and becomes the Request-URI', () => {
    const p = proxyHarness(() => ({}));
    p.layer.receive(request({ method: 'MESSAGE', ruri: 'sip:bob@198.51.100.7', extra: ['Route: <sip:192.0.2.21>, <sip:192.0.2.30;lr>'] }), CALLER);
    const m = sentRequest(p.sentTo(A, 'MESSAGE')[0]!);
    assert.equal(m.requestUri, 'sip:192.0.2.21');
    assert.deepEqual(m.route().map((r) => r.uri.toString()), ['sip:192.0.2.30;lr', 'sip:bob@198.51.100.7']);
  });

  test('onBranch (branch_route) sees each copy and may drop it', () => {
    const p = proxyHarness(() => ({
      targets: [to(A), to(B)],
      onBranch: (req, branch) => {
        req.addHeader('X-Branch', String(branch.index));
        return branch.index !== 1;
      },
    }));
    p.layer.receive(request({ method: 'MESSAGE' }), CALLER);
    assert.equal(sentRequest(p.sentTo(A, 'MESSAGE')[0]!).get('X-Branch'), '0');
    assert.equal(p.sentTo(B).length, 0);
  });
});

describe('forking and responses (RFC 3261 §16.7)', () => {
  test('parallel fork: 1xx (not 100) relayed at once without our Via; 486 on one branch, 200 on the other → the caller gets 200', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 100);
    p.answer(A, 180);
    p.answer(B, 180);
    p.answer(A, 486);
    assert.equal(p.transport.count('ACK'), 1, 'the 486 branch is ACKed by its client transaction');
    assert.equal(p.sentTo(A, 'ACK').length, 1);
    p.answer(B, 200);
    assert.deepEqual(p.upstream(), ['100 Trying', '180 Ringing', '180 Ringing', '200 OK']);
    const ok = p.transport.sent.find((s) => s.text.startsWith('SIP/2.0 200'))!;
    assert.equal(ok.text.match(/^Via:/gm)!.length, 1, 'our Via is removed');
    assert.equal(p.pts[0]!.state, 'completed');
    assert.equal(p.proxy.size(), 0);
  });

  test('§16.7 step 10: every 2xx to an INVITE is forwarded (two branches answer 200)', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 200);
    p.answer(B, 200);
    p.answer(A, 200); // a retransmission from A
    assert.deepEqual(p.upstream(), ['100 Trying', '200 OK', '200 OK', '200 OK']);
  });

  test('a 2xx cancels the other pending branches (RFC 3326 Reason), waiting for a provisional where there is none (§9.1)', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B), to(C)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(B, 180);
    p.answer(A, 200);
    const cancelB = p.sentTo(B, 'CANCEL');
    assert.equal(cancelB.length, 1);
    const c = sentRequest(cancelB[0]!);
    assert.equal(c.topVia()!.branch, sentRequest(p.sentTo(B, 'INVITE')[0]!).topVia()!.branch);
    assert.equal(c.get('Reason'), 'SIP;cause=200;text="Call completed elsewhere"');
    assert.equal(p.sentTo(C, 'CANCEL').length, 0, 'C had no provisional yet');
    p.answer(C, 100);
    assert.equal(p.sentTo(C, 'CANCEL').length, 1);
    p.answer(B, 487);
    p.answer(C, 487);
    assert.deepEqual(p.upstream(), ['100 Trying', '180 Ringing', '200 OK']);
  });

  test('§16.7 step 6: best of several failures; the lowest class, 4xx ties to the lowest code', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B), to(C)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 486);
    p.answer(B, 503);
    assert.deepEqual(p.upstream(), ['100 Trying'], 'no final response while a branch is pending');
    p.answer(C, 404);
    assert.deepEqual(p.upstream(), ['100 Trying', '404 Not Found']);
  });

  test('§16.7 step 5-6: a 6xx wins and cancels the pending branches', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 404);
    p.answer(B, 180);
    p.answer(B, 603);
    assert.deepEqual(p.upstream(), ['100 Trying', '180 Ringing', '603 Decline']);
    const p2 = proxyHarness(() => ({ targets: [to(A), to(B)] }));
    p2.layer.receive(invite(), CALLER);
    p2.answer(A, 180);
    p2.answer(B, 600);
    assert.equal(p2.sentTo(A, 'CANCEL').length, 1);
    p2.answer(A, 487);
    assert.deepEqual(p2.upstream(), ['100 Trying', '180 Ringing', '600 Busy Everywhere']);
  });

  test('§16.7 step 6: a 503 is forwarded as 500', () => {
    const p = proxyHarness(() => ({ targets: [to(A)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 503);
    assert.deepEqual(p.upstream(), ['100 Trying', '500 Server Internal Error']);
  });

  test('§16.7 step 7: the challenges of every 401/407 are collected into the chosen one', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 401, { headers: [['WWW-Authenticate', 'Digest realm="a", nonce="1"']] });
    p.answer(B, 407, { headers: [['Proxy-Authenticate', 'Digest realm="b", nonce="2"']] });
    const res = p.transport.sent.find((s) => s.text.startsWith('SIP/2.0 401'))!.text;
    assert.match(res, /WWW-Authenticate: Digest realm="a", nonce="1"/);
    assert.match(res, /Proxy-Authenticate: Digest realm="b", nonce="2"/);
  });

  test('serial forking by q: the lower q group only after the higher one failed; a 2xx ends it', () => {
    const p = proxyHarness(() => ({ targets: [to(C, 0.1), to(A, 1), to(B, 0.5)] }));
    p.layer.receive(invite(), CALLER);
    assert.deepEqual([p.sentTo(A).length, p.sentTo(B).length, p.sentTo(C).length], [1, 0, 0]);
    p.answer(A, 480);
    assert.deepEqual([p.sentTo(B).length, p.sentTo(C).length], [1, 0]);
    p.answer(B, 200);
    assert.equal(p.sentTo(C).length, 0);
    assert.deepEqual(p.upstream(), ['100 Trying', '200 OK']);
  });

  test('serial forking: equal q values fork in parallel within the group; a 6xx stops further groups', () => {
    const p = proxyHarness(() => ({ targets: [to(A, 0.8), to(B, 0.8), to(C, 0.2)] }));
    p.layer.receive(invite(), CALLER);
    assert.deepEqual([p.sentTo(A).length, p.sentTo(B).length], [1, 1]);
    p.answer(A, 603);
    p.answer(B, 487);
    assert.equal(p.sentTo(C).length, 0);
    assert.deepEqual(p.upstream(), ['100 Trying', '603 Decline']);
  });

  test('a transport error on a branch counts as 503 (§16.9), forwarded as 500', () => {
    const p2 = proxyHarness(() => ({ targets: [{ uri: 'sip:bob@192.0.2.21;transport=tcp' }] }));
    p2.transport.failNext = new TransportError('connect_failed', 'refused');
    p2.layer.receive(request({ method: 'MESSAGE' }), CALLER);
    p2.transport.flush();
    assert.deepEqual(p2.upstream(), ['500 Server Internal Error']);
  });

  test('an unresolvable target (a host name without a resolver) fails its branch; alone it ends in 500', () => {
    const p = proxyHarness(() => ({ targets: [{ uri: 'sip:bob@pc.example.net' }] }));
    p.layer.receive(invite(), CALLER);
    assert.deepEqual(p.upstream(), ['100 Trying', '500 Server Internal Error']);
    assert.equal(p.proxy.stats().unroutable, 1);
  });

  test('an unresolvable branch beside a good one does not end the transaction early', () => {
    const p = proxyHarness(() => ({ targets: [{ uri: 'sip:bob@pc.example.net' }, to(A)] }));
    p.layer.receive(invite(), CALLER);
    assert.deepEqual(p.upstream(), ['100 Trying']);
    p.answer(A, 200);
    assert.deepEqual(p.upstream(), ['100 Trying', '200 OK']);
  });
});

describe('CANCEL propagation (RFC 3261 §16.10)', () => {
  test('the caller CANCELs: 200 to the CANCEL, CANCEL to the ringing branch, 487 to the INVITE', () => {
    const p = proxyHarness(() => ({ targets: [to(A)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 180);
    p.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-caller1' }), CALLER);
    assert.equal(p.sentTo(A, 'CANCEL').length, 1);
    assert.equal(p.pts[0]!.cancelled, true);
    p.answer(A, 487);
    assert.deepEqual(p.upstream(), ['100 Trying', '180 Ringing', '200 OK', '487 Request Terminated']);
    // §9.2: the 200 (CANCEL) and 487 (INVITE) carry the same To tag.
    const tags = p.transport.sent.filter((s) => /^SIP\/2\.0 (200|487)/.test(s.text)).map((s) => /To: [^\r]*tag=([^;\r]+)/.exec(s.text)![1]);
    assert.equal(tags[0], tags[1]);
  });

  test('a CANCEL before any provisional from the branch waits for one (§9.1), and no new branches start', () => {
    let failureHook = 0;
    const p = proxyHarness(() => ({ targets: [to(A, 1), to(B, 0.5)], onFailure: () => void failureHook++ }));
    p.layer.receive(invite(), CALLER);
    p.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-caller1' }), CALLER);
    assert.equal(p.sentTo(A, 'CANCEL').length, 0);
    p.answer(A, 180);
    assert.equal(p.sentTo(A, 'CANCEL').length, 1);
    p.answer(A, 487);
    assert.equal(p.sentTo(B).length, 0, 'the serial group is not tried after a CANCEL');
    assert.equal(failureHook, 0, 'no failure hook after a CANCEL');
    assert.deepEqual(p.upstream().slice(-1), ['487 Request Terminated']);
  });

  test('a CANCEL matching no INVITE is answered 481', () => {
    const p = proxyHarness();
    p.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-none' }), CALLER);
    assert.deepEqual(p.upstream(), ['481 Call/Transaction Does Not Exist']);
  });

  test('a CANCEL after the 2xx has no effect beyond its 200', () => {
    const p = proxyHarness(() => ({ targets: [to(A)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 200);
    p.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-caller1' }), CALLER);
    assert.deepEqual(p.upstream(), ['100 Trying', '200 OK', '200 OK']);
    assert.equal(p.sentTo(A, 'CANCEL').length, 0);
  });
});

describe('Timer C (RFC 3261 §16.8)', () => {
  test('a branch with a provisional response is CANCELled when Timer C fires; 100 does not reset it', () => {
    const p = proxyHarness(() => ({ targets: [to(A)], timerC: 180_000 }));
    p.layer.receive(invite(), CALLER);
    p.scheduler.advance(20_000);
    p.answer(A, 100);
    p.scheduler.advance(159_999);
    assert.equal(p.sentTo(A, 'CANCEL').length, 0);
    p.scheduler.advance(1);
    assert.equal(p.sentTo(A, 'CANCEL').length, 1);
    assert.equal(p.proxy.stats().timerC, 1);
    p.answer(A, 487);
    assert.deepEqual(p.upstream().slice(-1), ['487 Request Terminated']);
  });

  test('§16.7 step 2: a 101-199 response resets Timer C', () => {
    const p = proxyHarness(() => ({ targets: [to(A)], timerC: 180_000 }));
    p.layer.receive(invite(), CALLER);
    p.scheduler.advance(20_000);
    p.answer(A, 180);
    p.scheduler.advance(179_999);
    assert.equal(p.sentTo(A, 'CANCEL').length, 0);
    p.scheduler.advance(1);
    assert.equal(p.sentTo(A, 'CANCEL').length, 1);
  });

  test('a branch without a provisional response behaves as if it received 408 when Timer C fires', () => {
    const p = proxyHarness(() => ({ targets: [to(A)], timerC: 10_000 }));
    p.layer.receive(invite(), CALLER);
    p.scheduler.advance(10_000);
    assert.deepEqual(p.upstream(), ['100 Trying', '408 Request Timeout']);
    assert.equal(p.layer.stats().clientTransactions, 0, 'the branch transaction is ended');
  });

  test('§9.1: a CANCELled branch that never answers is given up after 64*T1', () => {
    const p = proxyHarness(() => ({ targets: [to(A)], timerC: 10_000 }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 180);
    p.scheduler.advance(10_000);
    assert.equal(p.sentTo(A, 'CANCEL').length, 1);
    p.scheduler.advance(TIMERS.b);
    assert.deepEqual(p.upstream().slice(-1), ['408 Request Timeout']);
  });
});

describe('failure hook (Kamailio failure_route)', () => {
  test('sees the best response before it is sent and may start new branches', () => {
    const seen: number[] = [];
    const opts: ForwardOptions = {
      targets: [to(A)],
      onFailure: (best, pt) => {
        seen.push(best.status);
        if (best.status === 486) pt.forward([to(B)]);
      },
    };
    const p = proxyHarness(() => opts);
    p.layer.receive(invite(), CALLER);
    p.answer(A, 486);
    assert.deepEqual(p.upstream(), ['100 Trying']);
    assert.equal(p.sentTo(B, 'INVITE').length, 1);
    p.answer(B, 404);
    assert.deepEqual(seen, [486, 404]);
    assert.deepEqual(p.upstream(), ['100 Trying', '404 Not Found']);
  });

  test('may answer itself, also asynchronously (e.g. store the MESSAGE and reply 202)', async () => {
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const p = proxyHarness(() => ({
      targets: [to(A)],
      onFailure: async (_best, pt) => {
        await Promise.resolve();
        pt.reply(202, 'Accepted');
        done();
      },
    }));
    p.layer.receive(request({ method: 'MESSAGE' }), CALLER);
    p.answer(A, 480, { method: 'MESSAGE' });
    await finished;
    assert.deepEqual(p.upstream(), ['202 Accepted']);
  });

  test('may change the best response before it is sent', () => {
    const p = proxyHarness(() => ({ targets: [to(A)], onFailure: (best) => void best.setStatus(480, 'Temporarily Unavailable') }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 404);
    assert.deepEqual(p.upstream(), ['100 Trying', '480 Temporarily Unavailable']);
  });

  test('§16.7 step 5: after a 6xx the hook cannot start new branches; the 6xx goes upstream', () => {
    let started = -1;
    const p = proxyHarness(() => ({ targets: [to(A)], onFailure: (_best, pt) => void (started = pt.forward([to(B)])) }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 603);
    assert.equal(started, 0);
    assert.equal(p.sentTo(B).length, 0);
    assert.deepEqual(p.upstream(), ['100 Trying', '603 Decline']);
  });

  test('onReply (onreply_route) sees every response of every branch', () => {
    const seen: string[] = [];
    const p = proxyHarness(() => ({ targets: [to(A), to(B)], onReply: (res, branch) => void seen.push(`${branch.index}:${res.status}`) }));
    p.layer.receive(invite(), CALLER);
    p.answer(A, 180);
    p.answer(B, 486);
    p.answer(A, 200);
    assert.deepEqual(seen, ['0:180', '1:486', '0:200']);
  });
});

describe('non-INVITE forwarding', () => {
  test('the first 2xx is forwarded; later responses are not', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B)] }));
    p.layer.receive(request({ method: 'MESSAGE' }), CALLER);
    p.answer(A, 200, { method: 'MESSAGE' });
    p.answer(B, 200, { method: 'MESSAGE' });
    assert.deepEqual(p.upstream(), ['200 OK']);
    assert.equal(p.transport.count('CANCEL'), 0, 'non-INVITE branches are never CANCELled');
  });

  test('RFC 4320 §4.1: when every branch times out, no 408 is sent upstream', () => {
    const p = proxyHarness(() => ({ targets: [to(A)] }));
    p.layer.receive(request({ method: 'MESSAGE' }), CALLER);
    p.scheduler.advance(TIMERS.f);
    assert.deepEqual(p.upstream(), []);
    assert.equal(p.proxy.size(), 0);
  });

  test('finalResponseTimeout (fr_timer) ends a silent branch early so a failure hook can still answer', () => {
    const p = proxyHarness(() => ({ targets: [to(A)], finalResponseTimeout: 5000, onFailure: (_b, pt) => void pt.reply(202) }));
    p.layer.receive(request({ method: 'MESSAGE' }), CALLER);
    p.scheduler.advance(5000);
    assert.deepEqual(p.upstream(), ['202 Accepted']);
  });

  test('in-dialog: no targets → one branch to the request’s own next hop (first Route)', () => {
    const p = proxyHarness(() => ({}));
    const bye = parseRequest(
      request({ method: 'BYE', toTag: 'dlg', ruri: 'sip:bob@198.51.100.7', extra: ['Route: <sip:192.0.2.22;lr>'] })
        .serialize()
        .toString('latin1'),
    );
    p.layer.receive(bye, CALLER);
    assert.equal(p.sentTo(B, 'BYE').length, 1);
    p.answer(B, 200, { method: 'BYE' });
    assert.deepEqual(p.upstream(), ['200 OK']);
  });
});

describe('lifecycle', () => {
  test('stop() disarms every proxy timer; with layer.stop() no timer is left', () => {
    const p = proxyHarness(() => ({ targets: [to(A), to(B)] }));
    p.layer.receive(invite(), CALLER);
    p.answer(B, 180);
    p.answer(A, 200); // B is being CANCELled: its 64*T1 CANCEL wait is armed
    assert.ok(p.scheduler.pending > 0);
    p.proxy.stop();
    p.layer.stop();
    assert.equal(p.scheduler.pending, 0);
  });

  test('forward() refuses a server transaction that already has its final response', () => {
    const p = proxyHarness();
    p.core.onEach = (req, tx) => {
      tx!.respond(createStatelessResponse(req, 404));
      assert.throws(() => p.proxy.forward(tx!), /cannot forward/);
    };
    p.layer.receive(request({ method: 'MESSAGE' }), CALLER);
    assert.deepEqual(p.upstream(), ['404 Not Found']);
  });
});
