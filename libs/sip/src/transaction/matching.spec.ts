import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../message/index.js';
import { harness, RecordingUser, request, responseTo, tcpPeer, udpPeer } from './spec-support.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';

describe('server transaction matching (RFC 3261 §17.2.3)', () => {
  test('same branch and sent-by, same method: a retransmission of one transaction', () => {
    const { layer, core } = harness();
    layer.receive(request({ branch: 'z9hG4bK-1' }), udpPeer());
    layer.receive(request({ branch: 'z9hG4bK-1' }), udpPeer());
    assert.equal(core.requests.length, 1);
  });

  test('same branch, different sent-by: different transactions', () => {
    const { layer, core } = harness();
    layer.receive(request({ branch: 'z9hG4bK-1', sentBy: '192.0.2.10:5060' }), udpPeer());
    layer.receive(request({ branch: 'z9hG4bK-1', sentBy: '192.0.2.11:5060' }), udpPeer(5060, '192.0.2.11'));
    assert.equal(core.requests.length, 2);
  });

  test('same branch, different method: different transactions (and CANCEL is kept apart from its INVITE)', () => {
    const { layer, core } = harness();
    layer.receive(request({ branch: 'z9hG4bK-1', method: 'INVITE' }), udpPeer());
    layer.receive(request({ branch: 'z9hG4bK-1', method: 'OPTIONS' }), udpPeer());
    layer.receive(request({ branch: 'z9hG4bK-1', method: 'CANCEL' }), udpPeer());
    assert.equal(core.requests.length, 2);
    assert.equal(core.cancels.length, 1);
    assert.equal(layer.size(), 3);
  });

  test('sent-by host compares case-insensitively', () => {
    const { layer, core } = harness();
    layer.receive(request({ branch: 'z9hG4bK-1', sentBy: 'PC33.example.com' }), udpPeer());
    layer.receive(request({ branch: 'z9hG4bK-1', sentBy: 'pc33.EXAMPLE.com' }), udpPeer());
    assert.equal(core.requests.length, 1);
  });

  test('§17.1.1.3 / §17.2.3: the ACK for a 300-699 matches the INVITE (method INVITE) and is absorbed', () => {
    const { layer, core } = harness();
    layer.receive(request({ branch: 'z9hG4bK-1', method: 'INVITE' }), udpPeer());
    const tx = core.requests[0]!.tx as InviteServerTransaction;
    tx.respond(createResponse(tx.request, 404, undefined, { toTag: 'x' }));
    layer.receive(request({ branch: 'z9hG4bK-1', method: 'ACK', toTag: 'x' }), udpPeer());
    assert.equal(core.requests.length, 1);
    assert.equal(tx.state, 'confirmed');
  });

  test('§13.2.2.4: the ACK for a 2xx has its own branch: it goes to the core without a transaction', () => {
    const { layer, core } = harness();
    layer.receive(request({ branch: 'z9hG4bK-1', method: 'INVITE' }), udpPeer());
    const tx = core.requests[0]!.tx as InviteServerTransaction;
    tx.respond(createResponse(tx.request, 200, undefined, { toTag: 'x' }));
    layer.receive(request({ branch: 'z9hG4bK-2', method: 'ACK', toTag: 'x' }), udpPeer());
    assert.equal(core.requests.length, 2);
    assert.equal(core.requests[1]!.tx, null);
    assert.equal(layer.stats().acksPassedUp, 1);
  });

  test('an ACK matching nothing (a proxy relaying end-to-end ACKs) goes to the core', () => {
    const { layer, core } = harness();
    layer.receive(request({ branch: 'z9hG4bK-9', method: 'ACK', toTag: 'x' }), udpPeer());
    assert.equal(core.requests.length, 1);
    assert.equal(core.requests[0]!.tx, null);
  });

  describe('RFC 2543 fallback (no magic cookie)', () => {
    const old = { branch: null, method: 'INVITE' } as const;

    test('a retransmitted INVITE matches by Request-URI, From tag, Call-ID, CSeq and top Via', () => {
      const { layer, core } = harness();
      layer.receive(request(old), udpPeer());
      layer.receive(request(old), udpPeer());
      assert.equal(core.requests.length, 1);
      layer.receive(request({ ...old, cseq: 2 }), udpPeer());
      layer.receive(request({ ...old, fromTag: 'other' }), udpPeer());
      layer.receive(request({ ...old, ruri: 'sip:carol@example.com' }), udpPeer());
      assert.equal(core.requests.length, 4);
    });

    test('an old-style branch without the cookie is not trusted: the full match applies', () => {
      const { layer, core } = harness();
      layer.receive(request({ branch: '1234', method: 'INVITE' }), udpPeer());
      layer.receive(request({ branch: '1234', method: 'INVITE', callId: 'different' }), udpPeer());
      assert.equal(core.requests.length, 2);
    });

    test('the ACK matches only with the To tag of the response the transaction sent', () => {
      const { layer, core } = harness();
      layer.receive(request(old), udpPeer());
      const tx = core.requests[0]!.tx as InviteServerTransaction;
      tx.respond(createResponse(tx.request, 486, undefined, { toTag: 'sent' }));
      layer.receive(request({ branch: null, method: 'ACK', toTag: 'other' }), udpPeer());
      assert.equal(core.requests.length, 2, 'a different To tag: not this transaction');
      layer.receive(request({ branch: null, method: 'ACK', toTag: 'sent' }), udpPeer());
      assert.equal(core.requests.length, 2);
      assert.equal(tx.state, 'confirmed');
    });
  });
});

describe('client transaction matching (RFC 3261 §17.1.3)', () => {
  test('a response matches by top Via branch and CSeq method', () => {
    const { layer, core } = harness();
    const u = new RecordingUser();
    const inv = request({ method: 'INVITE', branch: 'z9hG4bK-c1', sentBy: '192.0.2.1' });
    layer.sendRequest(inv, { transport: 'udp', address: '192.0.2.20', port: 5060 }, u);
    const src = udpPeer(5060, '192.0.2.20');
    layer.receive(responseTo(inv, 180), src);
    assert.deepEqual(u.statuses(), [180]);
    // The same branch with CSeq method CANCEL belongs to the CANCEL's transaction, not the INVITE's.
    const cancelRes = responseTo(request({ method: 'CANCEL', branch: 'z9hG4bK-c1', sentBy: '192.0.2.1' }), 200);
    layer.receive(cancelRes, src);
    assert.deepEqual(u.statuses(), [180]);
    assert.equal(core.strays.length, 1);
  });

  test('a response whose branch matches nothing is a stray response for the core', () => {
    const { layer, core } = harness();
    layer.receive(responseTo(request({ branch: 'z9hG4bK-nobody' }), 200), udpPeer());
    assert.equal(core.strays.length, 1);
    assert.equal(layer.stats().strayResponses, 1);
  });
});

describe('Via received / rport on receipt (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  test('received is added when sent-by differs from the source; rport gets the source port', () => {
    const { layer, core } = harness();
    layer.receive(request({ sentBy: '10.0.0.5:5060', viaParams: ';rport' }), udpPeer(40123, '203.0.113.7'));
    const via = core.requests[0]!.req.topVia()!;
    assert.equal(via.received, '203.0.113.7');
    assert.equal(via.rport, 40123);
    assert.equal(via.branch, 'z9hG4bK-abc1');
  });

  test('nothing changes (no re-serialization) when sent-by is the source address and there is no rport', () => {
    const { layer, core } = harness();
    const req = request({ sentBy: '192.0.2.10:5060' });
    layer.receive(req, udpPeer());
    assert.equal(core.requests[0]!.req.dirty, false);
  });

  test('§18.2.2: the response goes to the source port with rport, to the sent-by port without', () => {
    const a = harness();
    a.layer.receive(request({ sentBy: '10.0.0.5:5062', viaParams: ';rport' }), udpPeer(40123, '203.0.113.7'));
    const txa = a.core.requests[0]!.tx!;
    txa.respond(createResponse(txa.request, 200));
    assert.deepEqual([a.transport.last().target.address, a.transport.last().target.port], ['203.0.113.7', 40123]);
    assert.match(a.transport.last().text, /^Via: .*;rport=40123/m);
    assert.match(a.transport.last().text, /^Via: .*;received=203\.0\.113\.7/m);

    const b = harness();
    b.layer.receive(request({ sentBy: '10.0.0.5:5062' }), udpPeer(40123, '203.0.113.7'));
    const txb = b.core.requests[0]!.tx!;
    txb.respond(createResponse(txb.request, 200));
    assert.deepEqual([b.transport.last().target.address, b.transport.last().target.port], ['203.0.113.7', 5062]);
  });

  test('§18.2.2: a stream response whose connection has gone is retried on a new connection to received:sent-by port', () => {
    const h = harness();
    h.layer.receive(request({ transport: 'TCP', sentBy: '192.0.2.10:5070' }), tcpPeer(9, 40000));
    const tx = h.core.requests[0]!.tx!;
    h.transport.refuse = true;
    tx.respond(createResponse(tx.request, 200));
    assert.equal(h.transport.sent.length, 2);
    assert.equal(h.transport.sent[0]!.target.connectionId, 9);
    assert.deepEqual(h.transport.sent[1]!.target, { transport: 'tcp', address: '192.0.2.10', port: 5070 });
    assert.equal(h.layer.stats().serverTransportErrors, 1);
  });
});
