import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../message/index.js';
import { harness, request, tcpPeer, TIMERS, udpPeer } from './spec-support.js';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.js';

function start(reliable = false) {
  const h = harness();
  const req = request({ method: 'MESSAGE' });
  h.layer.receive(req, reliable ? tcpPeer() : udpPeer());
  const tx = h.core.requests[0]!.tx as NonInviteServerTransaction;
  return { ...h, req, tx };
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  test('a new request creates a transaction in Trying and reaches the core once', () => {
    const { core, tx, layer } = start();
    assert.equal(core.requests.length, 1);
    assert.equal(tx.kind, 'non-invite');
    assert.equal(tx.state, 'trying');
    assert.equal(layer.size(), 1);
  });

  test('§17.2.2: in Trying, request retransmissions are discarded silently', () => {
    const { layer, core, transport } = start();
    layer.receive(request({ method: 'MESSAGE' }), udpPeer());
    assert.equal(core.requests.length, 1);
    assert.equal(transport.sent.length, 0);
    assert.equal(layer.stats().requestRetransmissionsAbsorbed, 1);
  });

  test('§17.2.2: in Proceeding, a retransmission re-sends the last provisional response', () => {
    const { layer, tx, req, transport } = start();
    tx.respond(createResponse(req, 180));
    assert.equal(tx.state, 'proceeding');
    layer.receive(request({ method: 'MESSAGE' }), udpPeer());
    assert.deepEqual(transport.lines(), ['SIP/2.0 180 Ringing', 'SIP/2.0 180 Ringing']);
  });

  test('§17.2.2: in Completed, a retransmission re-sends the final response byte for byte', () => {
    const { layer, tx, req, transport, core } = start();
    assert.equal(tx.respond(createResponse(req, 200, undefined, { toTag: 't' })), true);
    assert.equal(tx.state, 'completed');
    layer.receive(request({ method: 'MESSAGE' }), udpPeer());
    layer.receive(request({ method: 'MESSAGE' }), udpPeer());
    assert.equal(transport.sent.length, 3);
    assert.deepEqual(transport.sent[1]!.data, transport.sent[0]!.data);
    assert.deepEqual(transport.sent[2]!.data, transport.sent[0]!.data);
    assert.equal(core.requests.length, 1);
    assert.equal(layer.stats().responsesResent, 2);
  });

  test('§8.2.7 respondAndEnd: the final response ends the transaction at once, and a later retransmission reaches the core again', () => {
    const { layer, tx, req, transport, core } = start();
    layer.receive(request({ method: 'MESSAGE' }), udpPeer());
    assert.equal(core.requests.length, 1, 'absorbed while the TU works on it');
    tx.respondAndEnd(createResponse(req, 180));
    assert.equal(tx.state, 'proceeding');
    assert.equal(tx.respondAndEnd(createResponse(req, 200, undefined, { toTag: 't' })), true);
    assert.equal(tx.state, 'terminated');
    assert.equal(layer.size(), 0);
    assert.equal(tx.respond(createResponse(req, 500)), false);
    layer.receive(request({ method: 'MESSAGE' }), udpPeer());
    assert.equal(core.requests.length, 2);
    assert.deepEqual(transport.lines(), ['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
  });

  test('§17.2.2: "any other final responses passed by the TU ... MUST be discarded"', () => {
    const { tx, req, transport } = start();
    tx.respond(createResponse(req, 200));
    assert.equal(tx.respond(createResponse(req, 500)), false);
    assert.equal(tx.respond(createResponse(req, 180)), false);
    assert.equal(transport.sent.length, 1);
  });

  test('§17.2.2 Timer J: 64*T1 over UDP, then Terminated and a new request is new', () => {
    const { layer, tx, req, scheduler, core } = start();
    tx.respond(createResponse(req, 200));
    scheduler.advance(TIMERS.jUnreliable - 1);
    assert.equal(tx.state, 'completed');
    scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(layer.size(), 0);
    layer.receive(request({ method: 'MESSAGE' }), udpPeer());
    assert.equal(core.requests.length, 2);
  });

  test('§17.2.2 Timer J is 0 for reliable transports: Terminated on the final response', () => {
    const { layer, tx, req, scheduler } = start(true);
    tx.respond(createResponse(req, 202));
    assert.equal(tx.state, 'terminated');
    assert.equal(layer.size(), 0);
    assert.equal(scheduler.pending, 0);
  });

  test('over a reliable transport the response goes back on the same connection', () => {
    const { tx, req, transport } = start(true);
    tx.respond(createResponse(req, 200));
    assert.equal(transport.last().target.connectionId, 9);
    assert.equal(transport.last().target.transport, 'tcp');
  });

  test('a transaction the core never answers is dropped after 64*T1 + T2 (abandon guard)', () => {
    const { layer, tx, scheduler } = start();
    scheduler.advance(TIMERS.f + TIMERS.t2);
    assert.equal(tx.state, 'terminated');
    assert.equal(layer.stats().abandoned, 1);
    assert.equal(scheduler.pending, 0);
  });

  test('respond refuses statuses outside 100..699', () => {
    const { tx, req } = start();
    const bad = createResponse(req, 200);
    bad.status = 99;
    assert.throws(() => tx.respond(bad), RangeError);
  });
});
