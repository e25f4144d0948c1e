import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../message/index.js';
import { createCancel } from './create-ack-cancel.js';
import { harness, request, udpPeer } from './spec-support.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { TransactionCore } from './types.js';

describe('CANCEL (RFC 3261 §9)', () => {
  test('§9.2: a CANCEL is matched to the INVITE server transaction it cancels and given to the core with it', () => {
    const { layer, core } = harness();
    layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-i1' }), udpPeer());
    const inviteTx = core.requests[0]!.tx as InviteServerTransaction;
    layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-i1' }), udpPeer());
    assert.equal(core.cancels.length, 1);
    assert.equal(core.cancels[0]!.inviteTx, inviteTx);
    assert.equal(core.cancels[0]!.cancelTx.kind, 'non-invite');
    assert.equal(core.cancels[0]!.cancelTx.method, 'CANCEL');
    assert.equal(layer.stats().cancelsMatched, 1);
  });

  test('§9.2: a CANCEL with no matching INVITE comes with inviteTx null', () => {
    const { layer, core } = harness();
    layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-none' }), udpPeer());
    assert.equal(core.cancels[0]!.inviteTx, null);
    assert.equal(layer.stats().cancelsUnmatched, 1);
  });

  test('§9.2: a retransmitted CANCEL is absorbed by its own transaction, which re-sends its 200', () => {
    const { layer, core, transport } = harness();
    layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-i1' }), udpPeer());
    layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-i1' }), udpPeer());
    const { cancelTx } = core.cancels[0]!;
    cancelTx.respond(createResponse(cancelTx.request, 200, undefined, { toTag: 't' }));
    layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-i1' }), udpPeer());
    assert.equal(core.cancels.length, 1);
    assert.equal(transport.count('SIP/2.0 200'), 2);
  });

  test('without onCancel the CANCEL reaches onRequest with its own transaction', () => {
    const seen: string[] = [];
    const core: TransactionCore = {
      onRequest: (req, _s, tx) => seen.push(`${req.method}:${tx?.kind}`),
      onStrayResponse: () => {},
    };
    const { layer } = harness({ core });
    layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-c' }), udpPeer());
    assert.deepEqual(seen, ['CANCEL:non-invite']);
  });

  test('RFC 2543 CANCEL matches its INVITE by Request-URI, From tag, Call-ID, CSeq number and top Via', () => {
    const { layer, core } = harness();
    layer.receive(request({ method: 'INVITE', branch: null }), udpPeer());
    layer.receive(request({ method: 'CANCEL', branch: null }), udpPeer());
    assert.ok(core.cancels[0]!.inviteTx);
  });

  test('§9.1: createCancel copies Request-URI, Call-ID, To, From, CSeq number, the top Via only and Route', () => {
    const inv = request({
      method: 'INVITE',
      branch: 'z9hG4bK-me',
      lowerVias: ['SIP/2.0/UDP 192.0.2.99;branch=z9hG4bK-below'],
      extra: ['Route: <sip:192.0.2.5;lr>'],
      cseq: 314,
    });
    const c = createCancel(inv, 'SIP;cause=200;text="Call completed elsewhere"');
    assert.equal(c.method, 'CANCEL');
    assert.equal(c.requestUri, inv.requestUri);
    assert.equal(c.vias().length, 1);
    assert.equal(c.topVia()!.branch, 'z9hG4bK-me');
    assert.equal(c.callId(), inv.callId());
    assert.equal(c.from().tag, inv.from().tag);
    assert.deepEqual(c.cseq(), { seq: 314, method: 'CANCEL' });
    assert.equal(c.route()[0]!.uri.toString(), 'sip:192.0.2.5;lr');
    assert.equal(c.maxForwards(), 70);
    assert.equal(c.get('Reason'), 'SIP;cause=200;text="Call completed elsewhere"');
  });
});
