import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStatelessResponse, statelessToTag } from './stateless-reply.js';
import { harness, request, udpPeer } from './spec-support.js';

describe('stateless replies (Kamailio sl_send_reply)', () => {
  test('the To tag is the same for every retransmission of a request, so the replies are identical', () => {
    const a = createStatelessResponse(request({ branch: 'z9hG4bK-r1' }), 404);
    const b = createStatelessResponse(request({ branch: 'z9hG4bK-r1' }), 404);
    assert.ok(a.to().tag);
    assert.deepEqual(a.serialize(), b.serialize());
  });

  test('different requests get different tags (branch, Call-ID, From tag, CSeq)', () => {
    const base = statelessToTag(request({ branch: 'z9hG4bK-r1' }));
    assert.notEqual(statelessToTag(request({ branch: 'z9hG4bK-r2' })), base);
    assert.notEqual(statelessToTag(request({ branch: 'z9hG4bK-r1', callId: 'other' })), base);
    assert.notEqual(statelessToTag(request({ branch: 'z9hG4bK-r1', fromTag: 'f2' })), base);
    assert.notEqual(statelessToTag(request({ branch: 'z9hG4bK-r1', cseq: 2 })), base);
  });

  test('§9.2: the 200 to a CANCEL and the 487 to its INVITE carry the same To tag', () => {
    const inv = request({ method: 'INVITE', branch: 'z9hG4bK-x' });
    const can = request({ method: 'CANCEL', branch: 'z9hG4bK-x' });
    assert.equal(createStatelessResponse(inv, 487).to().tag, createStatelessResponse(can, 200).to().tag);
  });

  test('§8.2.6.1: 100 Trying gets no tag; a To that has a tag keeps it', () => {
    assert.equal(createStatelessResponse(request(), 100).to().tag, undefined);
    assert.equal(createStatelessResponse(request({ toTag: 'dialog' }), 481).to().tag, 'dialog');
  });

  test('an explicit tag prefix keeps tags stable across restarts', () => {
    const t = statelessToTag(request(), 'node1');
    assert.match(t, /^node1\.[0-9a-f]{8}$/);
    assert.equal(statelessToTag(request(), 'node1'), t);
  });

  test('layer.replyStateless sends the reply where §18.2.2 says, without creating a transaction', () => {
    const { layer, transport } = harness();
    const req = request({ viaParams: ';rport', sentBy: '10.1.1.1:5060' });
    const res = layer.replyStateless(req, udpPeer(41000, '203.0.113.9'), 403, 'Relaying Forbidden');
    assert.equal(res.status, 403);
    assert.equal(transport.last().target.port, 41000);
    assert.match(transport.last().text, /^SIP\/2\.0 403 Relaying Forbidden\r\n/);
    assert.equal(layer.size(), 0);
  });
});
