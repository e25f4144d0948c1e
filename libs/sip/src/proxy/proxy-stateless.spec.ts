import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponse, request, sentRequest } from '../transaction/spec-support.js';
import { CALLER, PROXY, proxyHarness, uas } from './spec-support.js';

const B = uas(2);

describe('stateless forwarding (RFC 3261 §16.11)', () => {
  test('the ACK for a 2xx is forwarded per Route with a branch that is the same for its retransmissions', () => {
    const p = proxyHarness();
    const ack = () =>
      request({
        method: 'ACK',
        branch: 'z9hG4bK-ack1',
        toTag: 'dlg',
        ruri: 'sip:bob@192.0.2.22',
        extra: [`Route: <sip:${PROXY.address}:${PROXY.port};lr>`],
      });
    const a1 = ack();
    assert.equal(p.proxy.looseRoute(a1), 'request-uri');
    assert.equal(p.proxy.forwardStateless(a1), true);
    const a2 = ack();
    p.proxy.looseRoute(a2);
    p.proxy.forwardStateless(a2);
    const sent = p.sentTo(B, 'ACK').map(sentRequest);
    assert.equal(sent.length, 2);
    assert.equal(sent[0]!.topVia()!.branch, sent[1]!.topVia()!.branch);
    assert.match(sent[0]!.topVia()!.branch!, /^z9hG4bKsl[0-9a-f]{8}$/);
    assert.equal(sent[0]!.maxForwards(), 69);
    assert.equal(sent[0]!.route().length, 0);
    assert.equal(p.layer.size(), 0, 'no transaction');
  });

  test('an ACK that matches no transaction reaches the core, which relays it (proxy harness)', () => {
    const p = proxyHarness();
    p.layer.receive(request({ method: 'ACK', branch: 'z9hG4bK-a', toTag: 'x', ruri: 'sip:bob@192.0.2.22' }), CALLER);
    assert.equal(p.sentTo(B, 'ACK').length, 1);
  });

  test('Max-Forwards 0: a stateless request is not forwarded', () => {
    const p = proxyHarness();
    assert.equal(p.proxy.forwardStateless(request({ method: 'ACK', maxForwards: 0, ruri: 'sip:bob@192.0.2.22' })), false);
    assert.equal(p.transport.sent.length, 0);
  });

  test('a stray 2xx with our Via on top goes to the next Via (received/rport honoured), our Via removed', () => {
    const p = proxyHarness();
    const res = parseResponse(
      'SIP/2.0 200 OK\r\n' +
        `Via: SIP/2.0/UDP ${PROXY.address}:${PROXY.port};branch=z9hG4bKgone.1.0;rport=5060\r\n` +
        'Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK-caller;received=203.0.113.7;rport=40123\r\n' +
        'From: <sip:alice@example.com>;tag=f1\r\nTo: <sip:bob@example.com>;tag=t\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    );
    p.layer.receive(res, { ...CALLER, address: '192.0.2.22' });
    assert.equal(p.core.strays.length, 1);
    const out = p.transport.last();
    assert.deepEqual([out.target.address, out.target.port], ['203.0.113.7', 40123]);
    assert.equal(out.text.match(/^Via:/gm)!.length, 1);
    assert.equal(p.proxy.stats().statelessResponses, 1);
  });

  test('a stray response whose top Via is not ours is dropped', () => {
    const p = proxyHarness();
    const res = parseResponse(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-x\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-y\r\n' +
        'From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    );
    assert.equal(p.proxy.forwardResponse(res), false);
    assert.equal(p.proxy.stats().responsesDropped, 1);
  });
});

describe('loop detection (RFC 3261 §16.3 step 4)', () => {
  test('a request that comes back unchanged has looped; one whose Request-URI changed is spiralling', () => {
    const p = proxyHarness(() => ({ targets: [{ uri: 'sip:bob@192.0.2.22' }] }));
    const orig = request({ method: 'MESSAGE', ruri: 'sip:bob@example.com' });
    p.layer.receive(orig, CALLER);
    const fwd = sentRequest(p.sentTo(B, 'MESSAGE')[0]!);
    // The same request arriving again through some other element, Request-URI restored: a loop.
    const looped = request({
      method: 'MESSAGE',
      ruri: 'sip:bob@example.com',
      branch: 'z9hG4bK-other',
      sentBy: '198.51.100.9',
      lowerVias: fwd.vias().map((v) => v.toString()),
    });
    assert.equal(p.proxy.isLooped(looped), true);
    // The forwarded copy itself (Request-URI retargeted) coming back is a spiral, not a loop.
    const spiral = request({
      method: 'MESSAGE',
      ruri: 'sip:bob@192.0.2.22',
      branch: 'z9hG4bK-other',
      sentBy: '198.51.100.9',
      lowerVias: fwd.vias().map((v) => v.toString()),
    });
    assert.equal(p.proxy.isLooped(spiral), false);
    assert.equal(p.proxy.isLooped(request()), false);
  });
});
