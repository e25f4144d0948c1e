import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipUri } from '../message/index.js';
import { request } from '../transaction/spec-support.js';
import { looseRoute } from './loose-route.js';

const own = (u: SipUri) => u.hostname === 'p1.example.com' || u.hostname === '192.0.2.1';

describe('loose routing (RFC 3261 §16.4, Kamailio loose_route)', () => {
  test('no Route and a foreign Request-URI: not-routed, nothing changes', () => {
    const r = request({ method: 'INVITE' });
    assert.equal(looseRoute(r, own), 'not-routed');
    assert.equal(r.dirty, false);
  });

  test('rule 2: our Route value is removed; the next Route is the next hop', () => {
    const r = request({ method: 'BYE', toTag: 'd', ruri: 'sip:bob@198.51.100.7', extra: ['Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>'] });
    assert.equal(looseRoute(r, own), 'next-hop');
    assert.deepEqual(r.route().map((x) => x.uri.toString()), ['sip:p2.example.com;lr']);
    assert.equal(r.requestUri, 'sip:bob@198.51.100.7');
  });

  test('rule 2: only our Route value: route by the Request-URI', () => {
    const r = request({ method: 'BYE', toTag: 'd', ruri: 'sip:bob@198.51.100.7', extra: ['Route: <sip:p1.example.com;lr>'] });
    assert.equal(looseRoute(r, own), 'request-uri');
    assert.equal(r.route().length, 0);
  });

  test('double record-routing: consecutive Route values of ours all go', () => {
    const r = request({ method: 'BYE', toTag: 'd', extra: ['Route: <sip:192.0.2.1;transport=tcp;lr>', 'Route: <sip:p1.example.com;lr>, <sip:p9.example.com;lr>'] });
    assert.equal(looseRoute(r, own), 'next-hop');
    assert.deepEqual(r.route().map((x) => x.uri.toString()), ['sip:p9.example.com;lr']);
  });

  test('rule 1 (§16.12.1.2, a strict router upstream): our URI in the Request-URI is replaced by the last Route value', () => {
    const r = request({
      method: 'BYE',
      toTag: 'd',
      ruri: 'sip:p1.example.com;lr',
      extra: ['Route: <sip:p2.example.com;lr>, <sip:bob@198.51.100.7>'],
    });
    assert.equal(looseRoute(r, own), 'next-hop');
    assert.equal(r.requestUri, 'sip:bob@198.51.100.7');
    assert.deepEqual(r.route().map((x) => x.uri.toString()), ['sip:p2.example.com;lr']);
  });

  test('rule 1 with only the remote target left: route by the new Request-URI', () => {
    const r = request({ method: 'BYE', toTag: 'd', ruri: 'sip:p1.example.com;lr', extra: ['Route: <sip:bob@198.51.100.7>'] });
    assert.equal(looseRoute(r, own), 'request-uri');
    assert.equal(r.requestUri, 'sip:bob@198.51.100.7');
    assert.equal(r.route().length, 0);
  });

  test('a request for us with no route set is not-routed (it is an initial request for the local domain)', () => {
    const r = request({ method: 'OPTIONS', ruri: 'sip:p1.example.com' });
    assert.equal(looseRoute(r, own), 'not-routed');
  });

  test('a pre-loaded Route to someone else: next-hop, unchanged', () => {
    const r = request({ method: 'INVITE', extra: ['Route: <sip:p9.example.com;lr>'] });
    assert.equal(looseRoute(r, own), 'next-hop');
    assert.equal(r.route().length, 1);
  });
});
