import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMsrpUri, sessionOf } from './msrp-uri.js';

describe('MSRP URI (RFC 4975 §6, RFC 7977)', () => {
  it('parses scheme, host, port, session and transport', () => {
    assert.deepEqual(parseMsrpUri('msrps://bob@Relay.example.com:2856/s1.x;tcp'), {
      scheme: 'msrps', host: 'relay.example.com', port: 2856, session: 's1.x', transport: 'tcp',
    });
  });
  it('parses IPv6 hosts in brackets and ws transport', () => {
    const u = parseMsrpUri('msrp://[::1]:9000/abc;ws')!;
    assert.equal(u.host, '::1');
    assert.equal(u.transport, 'ws');
  });
  it('rejects what is not an MSRP URI', () => {
    assert.equal(parseMsrpUri('sip:bob@example.com'), null);
    assert.equal(parseMsrpUri('msrp://a:99999/x;tcp'), null);
    assert.equal(parseMsrpUri('msrp://a:1/x'), null);
  });
  it('sessionOf takes the session-id without a full parse', () => {
    assert.equal(sessionOf('msrp://[::1]:9000/abc;tcp'), 'abc');
    assert.equal(sessionOf('msrp://h:1;tcp'), null);
  });
});
