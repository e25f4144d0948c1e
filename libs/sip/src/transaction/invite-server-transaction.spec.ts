import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../message/index.js';
import { harness, request, tcpPeer, TIMERS, udpPeer } from './spec-support.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';

const INVITE = { method: 'INVITE', branch: 'z9hG4bK-inv1' } as const;

function start(reliable = false, tryingDelayMs: number | null = 200) {
  const h = harness({ tryingDelayMs });
  const req = request(INVITE);
  h.layer.receive(req, reliable ? tcpPeer() : udpPeer());
  const tx = h.core.requests[0]!.tx as InviteServerTransaction;
  return { ...h, req, tx };
}

function ack(opts: { branch?: string; toTag?: string } = {}) {
  return request({ method: 'ACK', branch: opts.branch ?? INVITE.branch, toTag: opts.toTag ?? 'uas' });
}

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  test('§17.2.1: 100 Trying is sent when the TU sends nothing within 200 ms', () => {
    const { tx, transport, scheduler } = start();
    assert.equal(tx.state, 'proceeding');
    scheduler.advance(199);
    assert.equal(transport.sent.length, 0);
    scheduler.advance(1);
    assert.deepEqual(transport.lines(), ['SIP/2.0 100 Trying']);
    assert.ok(!/tag=/.test(transport.sent[0]!.text.split('\r\nTo:')[1]!.split('\r\n')[0]!), '100 carries no To tag');
  });

  test('§17.2.1: no automatic 100 when the TU answers first', () => {
    const { tx, req, transport, scheduler } = start();
    tx.respond(createResponse(req, 180, undefined, { toTag: 'uas' }));
    scheduler.advance(1000);
    assert.deepEqual(transport.lines(), ['SIP/2.0 180 Ringing']);
  });

  test('§17.2.1: in Proceeding a retransmitted INVITE re-sends the most recent provisional response', () => {
    const { tx, req, transport, layer, core } = start();
    tx.respond(createResponse(req, 180, undefined, { toTag: 'uas' }));
    tx.respond(createResponse(req, 183, undefined, { toTag: 'uas' }));
    layer.receive(request(INVITE), udpPeer());
    assert.deepEqual(transport.lines(), ['SIP/2.0 180 Ringing', 'SIP/2.0 183 Session Progress', 'SIP/2.0 183 Session Progress']);
    assert.equal(core.requests.length, 1);
  });

  test('§17.2.1 Timer G: a 486 over UDP is re-sent at T1, 2T1, 4T1 … capped at T2, until the ACK', () => {
    const { tx, req, transport, scheduler } = start();
    tx.respond(createResponse(req, 486, undefined, { toTag: 'uas' }));
    assert.equal(tx.state, 'completed');
    const at: number[] = [];
    const base = scheduler.now();
    for (let i = 0; i < 40_000; i += 50) {
      const before = transport.sent.length;
      scheduler.advance(50);
      if (transport.sent.length > before) at.push(scheduler.now() - base);
    }
    // G fires at 0.5, 1.5, 3.5, 7.5, 11.5, … (interval 0.5, 1, 2, 4, 4, …) until Timer H (32 s).
    assert.deepEqual(at.slice(0, 6), [500, 1500, 3500, 7500, 11500, 15500]);
    assert.ok(at.every((t) => t < TIMERS.h));
    assert.equal(tx.state, 'terminated');
  });

  test('§17.2.1 Timer H: no ACK within 64*T1 ends the transaction (counted as an ACK timeout)', () => {
    const { tx, req, scheduler, layer } = start();
    tx.respond(createResponse(req, 486, undefined, { toTag: 'uas' }));
    scheduler.advance(TIMERS.h - 1);
    assert.equal(tx.state, 'completed');
    scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(layer.stats().ackTimeouts, 1);
  });

  test('§17.2.1: the ACK for a 300-699 moves it to Confirmed, is absorbed, and Timer I (T4) ends it', () => {
    const { tx, req, scheduler, layer, core, transport } = start();
    tx.respond(createResponse(req, 486, undefined, { toTag: 'uas' }));
    layer.receive(ack(), udpPeer());
    assert.equal(tx.state, 'confirmed');
    assert.equal(core.requests.length, 1, 'the ACK does not reach the core');
    assert.equal(layer.stats().acksAbsorbed, 1);
    const sent = transport.sent.length;
    scheduler.advance(TIMERS.iUnreliable - 1);
    assert.equal(transport.sent.length, sent, 'Timer G stopped');
    layer.receive(ack(), udpPeer());
    assert.equal(core.requests.length, 1, 'ACK retransmissions absorbed in Confirmed');
    assert.equal(tx.state, 'confirmed');
    scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(scheduler.pending, 0);
  });

  test('§17.2.1: in Completed a retransmitted INVITE re-sends the final response', () => {
    const { tx, req, transport, layer } = start();
    tx.respond(createResponse(req, 404, undefined, { toTag: 'uas' }));
    layer.receive(request(INVITE), udpPeer());
    assert.deepEqual(transport.lines(), ['SIP/2.0 404 Not Found', 'SIP/2.0 404 Not Found']);
  });

  test('§17.2.1 reliable transport: no Timer G, and the ACK ends it at once (Timer I = 0)', () => {
    const { tx, req, scheduler, layer, transport } = start(true);
    tx.respond(createResponse(req, 603, undefined, { toTag: 'uas' }));
    scheduler.advance(5000);
    assert.equal(transport.sent.length, 1);
    layer.receive(ack(), tcpPeer());
    assert.equal(tx.state, 'terminated');
    assert.equal(scheduler.pending, 0);
  });

  test('RFC 6026 §7.1: a 2xx moves it to Accepted; INVITE retransmissions are absorbed, not passed up', () => {
    const { tx, req, layer, core, transport } = start();
    tx.respond(createResponse(req, 200, undefined, { toTag: 'uas' }));
    assert.equal(tx.state, 'accepted');
    layer.receive(request(INVITE), udpPeer());
    assert.equal(core.requests.length, 1);
    assert.equal(transport.sent.length, 1, 'the transaction does not re-send the 2xx itself');
  });

  test('RFC 6026 §8.6: further 2xx from the TU are sent in Accepted; non-2xx are refused', () => {
    const { tx, req, transport } = start();
    tx.respond(createResponse(req, 200, undefined, { toTag: 'a' }));
    assert.equal(tx.respond(createResponse(req, 200, undefined, { toTag: 'b' })), true);
    assert.equal(tx.respond(createResponse(req, 486, undefined, { toTag: 'c' })), false);
    assert.equal(transport.count('SIP/2.0 200'), 2);
  });

  test('RFC 6026 §8.7: an ACK matching the transaction in Accepted goes to the TU', () => {
    const { tx, req, layer, core } = start();
    tx.respond(createResponse(req, 200, undefined, { toTag: 'uas' }));
    layer.receive(ack(), udpPeer());
    assert.equal(core.requests.length, 2);
    assert.equal(core.requests[1]!.req.method, 'ACK');
    assert.equal(core.requests[1]!.tx, null);
  });

  test('RFC 6026 Timer L: Accepted ends after 64*T1', () => {
    const { tx, req, scheduler, layer } = start();
    tx.respond(createResponse(req, 200, undefined, { toTag: 'uas' }));
    scheduler.advance(TIMERS.l - 1);
    assert.equal(tx.state, 'accepted');
    scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(layer.size(), 0);
  });

  test('§13.3.1.4: a UAS 2xx is re-sent at T1, 2T1 … T2 until the ACK (new branch) arrives', () => {
    const { tx, req, scheduler, layer, transport, core } = start();
    tx.respond(createResponse(req, 200, undefined, { toTag: 'uas' }), { retransmitUntilAck: true });
    scheduler.advance(500);
    scheduler.advance(1000);
    scheduler.advance(2000);
    assert.equal(transport.count('SIP/2.0 200'), 4);
    assert.deepEqual(transport.sent[3]!.data, transport.sent[0]!.data);
    layer.receive(ack({ branch: 'z9hG4bK-ack-new' }), udpPeer());
    assert.equal(layer.stats().acksFor2xxMatched, 1);
    assert.equal(core.requests.at(-1)!.req.method, 'ACK', 'the ACK still reaches the core');
    scheduler.advance(10_000);
    assert.equal(transport.count('SIP/2.0 200'), 4, 'no more retransmissions after the ACK');
  });

  test('§13.3.1.4: without an ACK the 2xx retransmissions stop when the transaction ends (64*T1)', () => {
    const { tx, req, scheduler, transport } = start();
    tx.respond(createResponse(req, 200, undefined, { toTag: 'uas' }), { retransmitUntilAck: true });
    scheduler.advance(TIMERS.l + 10_000);
    const n = transport.count('SIP/2.0 200');
    // 0.5, 1.5, 3.5, 7.5, then every 4 s up to 32 s: 4 + 6 = 10 re-sends plus the first.
    assert.equal(n, 11);
    assert.equal(tx.state, 'terminated');
    assert.equal(scheduler.pending, 0);
  });

  test('an INVITE nobody answers is dropped after 64*T1 + T2; a provisional from the TU disarms that', () => {
    const a = start(false, null);
    a.scheduler.advance(TIMERS.b + TIMERS.t2);
    assert.equal(a.tx.state, 'terminated');
    assert.equal(a.layer.stats().abandoned, 1);
    const b = start(false, null);
    b.tx.respond(createResponse(b.req, 180, undefined, { toTag: 'x' }));
    b.scheduler.advance(10 * TIMERS.b);
    assert.equal(b.tx.state, 'proceeding');
  });
});
