import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TransportError } from '../transport/index.js';
import type { SendTarget } from '../transport/index.js';
import { harness, RecordingUser, request, responseTo, sentRequest, TIMERS, udpPeer } from './spec-support.js';
import type { InviteClientTransaction } from './invite-client-transaction.js';

const UDP: SendTarget = { transport: 'udp', address: '192.0.2.20', port: 5060 };
const TCP: SendTarget = { transport: 'tcp', address: '192.0.2.20', port: 5060 };

function start(target: SendTarget = UDP) {
  const h = harness();
  const user = new RecordingUser();
  const req = request({
    method: 'INVITE',
    branch: 'z9hG4bK-uac1',
    sentBy: '192.0.2.1:5060',
    extra: ['Route: <sip:192.0.2.30;lr>', 'Route: <sip:192.0.2.20;lr>'],
  });
  const tx = h.layer.sendRequest(req, target, user) as InviteClientTransaction;
  return { ...h, user, req, tx };
}

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  test('§17.1.1.2 Timer A: retransmits at T1, 2T1, 4T1 … (no cap) while Calling; Timer B gives a 408', () => {
    const { tx, transport, scheduler, user, layer } = start();
    assert.equal(tx.state, 'calling');
    const at: number[] = [];
    for (let t = 0; t < TIMERS.b; t += 100) {
      const n = transport.sent.length;
      scheduler.advance(100);
      if (transport.sent.length > n && scheduler.now() < TIMERS.b) at.push(scheduler.now());
    }
    assert.deepEqual(at, [500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(transport.count('INVITE'), 7);
    assert.deepEqual(user.statuses(), [408]);
    assert.equal(user.responses[0]!.local, true);
    assert.deepEqual(tx.failure, { kind: 'timeout', timer: 'B' });
    assert.equal(tx.state, 'terminated');
    assert.equal(user.terminated, 1);
    assert.equal(layer.stats().clientTimeouts, 1);
    assert.equal(scheduler.pending, 0);
  });

  test('the synthesized 408 carries our Via on top and a To tag (so a proxy can treat it as a response)', () => {
    const { scheduler, user } = start();
    scheduler.advance(TIMERS.b);
    const res = user.responses[0]!.res;
    assert.equal(res.topVia()!.branch, 'z9hG4bK-uac1');
    assert.ok(res.to().tag);
  });

  test('§17.1.1.2: a provisional response stops Timer A and moves it to Proceeding (Timer B no longer applies)', () => {
    const { tx, transport, scheduler, user, req, layer } = start();
    layer.receive(responseTo(req, 100), udpPeer(5060, '192.0.2.20'));
    assert.equal(tx.state, 'proceeding');
    scheduler.advance(TIMERS.b * 2);
    assert.equal(transport.count('INVITE'), 1);
    assert.deepEqual(user.statuses(), [100]);
    assert.equal(tx.state, 'proceeding');
  });

  test('§17.1.1.3: a 486 is ACKed (same Via branch, To with tag, Route copied), passed up once; Timer D ends it', () => {
    const { tx, transport, scheduler, user, req, layer } = start();
    const src = udpPeer(5060, '192.0.2.20');
    layer.receive(responseTo(req, 180), src);
    layer.receive(responseTo(req, 486), src);
    assert.equal(tx.state, 'completed');
    const ack = sentRequest(transport.last());
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.requestUri, req.requestUri);
    assert.equal(ack.vias().length, 1);
    assert.equal(ack.topVia()!.branch, 'z9hG4bK-uac1');
    assert.equal(ack.to().tag, 'uas-tag');
    assert.equal(ack.from().tag, req.from().tag);
    assert.deepEqual(ack.cseq(), { seq: 1, method: 'ACK' });
    assert.deepEqual(ack.route().map((r) => r.uri.toString()), ['sip:192.0.2.30;lr', 'sip:192.0.2.20;lr']);
    // "Any retransmissions of the final response ... MUST cause the ACK to be re-passed ... but ... MUST NOT be passed up"
    layer.receive(responseTo(req, 486), src);
    assert.equal(transport.count('ACK'), 2);
    assert.deepEqual(user.statuses(), [180, 486]);
    scheduler.advance(TIMERS.dUnreliable - 1);
    assert.equal(tx.state, 'completed');
    scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  test('RFC 6026 §8.4: a 2xx moves it to Accepted; every 2xx (retransmissions, other forks) goes up until Timer M', () => {
    const { tx, scheduler, user, req, layer, transport, core } = start();
    const src = udpPeer(5060, '192.0.2.20');
    layer.receive(responseTo(req, 200, { toTag: 'a' }), src);
    assert.equal(tx.state, 'accepted');
    layer.receive(responseTo(req, 200, { toTag: 'a' }), src);
    layer.receive(responseTo(req, 200, { toTag: 'b' }), src);
    layer.receive(responseTo(req, 486, { toTag: 'c' }), src);
    assert.deepEqual(user.statuses(), [200, 200, 200]);
    assert.equal(transport.count('ACK'), 0, 'the ACK for a 2xx is the TU’s');
    scheduler.advance(TIMERS.m);
    assert.equal(tx.state, 'terminated');
    layer.receive(responseTo(req, 200, { toTag: 'a' }), src);
    assert.equal(core.strays.length, 1, 'after Timer M a 2xx is a stray response');
  });

  test('§17.1.1.2 reliable transport: no Timer A; a 486 is ACKed and ends it at once (Timer D = 0)', () => {
    const { tx, transport, scheduler, req, layer } = start(TCP);
    scheduler.advance(10_000);
    assert.equal(transport.count('INVITE'), 1);
    layer.receive(responseTo(req, 486), { ...udpPeer(), transport: 'tcp', connectionId: 77 });
    assert.equal(transport.count('ACK'), 1);
    assert.equal(tx.state, 'terminated');
  });

  test('§17.1.4 / §8.1.3.1: a transport error is reported as a 503 response', () => {
    const { tx, transport, user, layer } = start(TCP);
    transport.clear();
    const h = harness();
    const u = new RecordingUser();
    h.transport.failNext = new TransportError('connect_failed', 'refused');
    const t2 = h.layer.sendRequest(request({ method: 'INVITE', branch: 'z9hG4bK-x', sentBy: '192.0.2.1' }), TCP, u);
    h.transport.flush();
    assert.deepEqual(u.statuses(), [503]);
    assert.equal(t2.failure?.kind, 'transport');
    assert.equal(t2.state, 'terminated');
    assert.equal(h.layer.stats().clientTransportErrors, 1);
    assert.equal(h.scheduler.pending, 0);
    // The first transaction was unaffected.
    assert.equal(tx.state, 'calling');
    assert.equal(user.responses.length, 0);
    assert.equal(layer.size(), 1);
  });

  test('RFC 5626 §5.3: a send down a flow that has gone comes back as 430 Flow Failed', () => {
    const h = harness();
    const u = new RecordingUser();
    h.transport.failNext = new TransportError('connection_gone');
    h.layer.sendRequest(request({ method: 'INVITE', branch: 'z9hG4bK-y', sentBy: '192.0.2.1' }), { ...TCP, connectionId: 5 }, u);
    h.transport.flush();
    assert.deepEqual(u.statuses(), [430]);
  });

  test('the path the request took (the connection) is where the ACK and a CANCEL go', () => {
    const { tx, transport, req, layer } = start(TCP);
    transport.flush();
    assert.equal(tx.nextHop.connectionId, 77);
    layer.receive(responseTo(req, 486), { ...udpPeer(), transport: 'tcp', connectionId: 77 });
    assert.equal(transport.last().target.connectionId, 77);
  });

  test('sendRequest refuses ACK, a request without an RFC 3261 branch, and a duplicate branch', () => {
    const { layer } = harness();
    const u = new RecordingUser();
    assert.throws(() => layer.sendRequest(request({ method: 'ACK' }), UDP, u), /ACK/);
    assert.throws(() => layer.sendRequest(request({ method: 'INVITE', branch: 'old-style' }), UDP, u), /RFC 3261 branch/);
    layer.sendRequest(request({ method: 'INVITE', branch: 'z9hG4bK-dup' }), UDP, u);
    assert.throws(() => layer.sendRequest(request({ method: 'INVITE', branch: 'z9hG4bK-dup' }), UDP, u), /exists/);
  });
});
