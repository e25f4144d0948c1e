import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMessageRequest, MessageBuildError } from './build-message-request.js';

const BASE = {
  requestUri: 'sip:bob@192.0.2.50:5062;transport=tcp',
  from: 'sip:alice@example.com',
  to: 'sip:bob@example.com',
  contentType: 'text/plain',
  body: Buffer.from('hello'),
};

describe('buildMessageRequest (RFC 3428 §4, RFC 3261 §8.1.1)', () => {
  test('MUST carry Request-URI, To, From (with tag), Call-ID, CSeq, Max-Forwards; no Via until the transaction layer adds one', () => {
    const req = buildMessageRequest(BASE);
    assert.equal(req.method, 'MESSAGE');
    assert.equal(req.requestUri, BASE.requestUri);
    assert.equal(req.from().uri.toString(), BASE.from);
    assert.match(req.from().tag!, /^[0-9a-f]{16}$/);
    assert.equal(req.to().uri.toString(), BASE.to);
    assert.equal(req.to().tag, undefined);
    assert.match(req.callId(), /^[0-9a-f]{24}$/);
    assert.deepEqual(req.cseq(), { seq: 1, method: 'MESSAGE' });
    assert.equal(req.maxForwards(), 70);
    assert.equal(req.vias().length, 0);
    assert.equal(req.body.toString(), 'hello');
    const wire = req.serialize().toString('latin1');
    assert.match(wire, /^MESSAGE sip:bob@192\.0\.2\.50:5062;transport=tcp SIP\/2\.0\r\n/);
    assert.match(wire, /\r\nContent-Length: 5\r\n\r\nhello$/);
    assert.doesNotMatch(wire, /Via:/);
  });

  test('a Via prepended by the sender makes a complete request', () => {
    const req = buildMessageRequest(BASE);
    req.prependVia('SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-1');
    assert.match(req.serialize().toString('latin1'), /^MESSAGE [^\r]+\r\nVia: SIP\/2\.0\/TCP 192\.0\.2\.1:5060;branch=z9hG4bK-1\r\n/);
  });

  test('given Call-ID, CSeq, tag, Route set and extra headers are used in order', () => {
    const req = buildMessageRequest({
      ...BASE,
      callId: 'orig@phone',
      cseq: 7,
      fromTag: 'ft',
      route: ['<sip:edge1.example.com;lr>', '<sip:edge2.example.com;lr>'],
      headers: [
        ['Date', 'Wed, 01 Jan 2025 00:00:00 GMT'],
        ['X-A', '1'],
      ],
    });
    assert.equal(req.callId(), 'orig@phone');
    assert.equal(req.cseq().seq, 7);
    assert.equal(req.from().tag, 'ft');
    assert.deepEqual(req.route().map((r) => r.uri.toString()), ['sip:edge1.example.com;lr', 'sip:edge2.example.com;lr']);
    const names = req.headers().map((h) => h.name);
    assert.ok(names.indexOf('Date') < names.indexOf('X-A'));
  });

  test('stored headers cannot duplicate the ones the builder writes (From, Call-ID, Content-Length…)', () => {
    const req = buildMessageRequest({ ...BASE, headers: [['Call-ID', 'evil'], ['content-length', '0'], ['f', '<sip:x@y>'], ['Subject', 'ok']] });
    assert.notEqual(req.callId(), 'evil');
    assert.equal(req.getAll('From').length, 1);
    assert.equal(req.get('Subject'), 'ok');
    assert.equal(req.body.toString(), 'hello');
  });

  test('UTF-8 text in addresses and body is written as UTF-8', () => {
    const req = buildMessageRequest({ ...BASE, body: Buffer.from('grüße', 'utf8') });
    assert.equal(req.body.toString('utf8'), 'grüße');
    assert.equal(req.contentLength(), Buffer.byteLength('grüße'));
  });

  test('unusable parts throw MessageBuildError: a bad URI, a URI with spaces or brackets, CR/LF in a header', () => {
    assert.throws(() => buildMessageRequest({ ...BASE, requestUri: 'not a uri' }), MessageBuildError);
    assert.throws(() => buildMessageRequest({ ...BASE, requestUri: 'sip:' }), MessageBuildError);
    assert.throws(() => buildMessageRequest({ ...BASE, from: 'alice-at-example.com' }), MessageBuildError);
    assert.throws(() => buildMessageRequest({ ...BASE, to: 'sip:bob@exa mple.com' }), MessageBuildError);
    assert.throws(() => buildMessageRequest({ ...BASE, to: 'sip:@' }), MessageBuildError);
    assert.throws(() => buildMessageRequest({ ...BASE, from: 'sip:a@b>;x=<sip:c@d' }), MessageBuildError);
    assert.throws(() => buildMessageRequest({ ...BASE, headers: [['X-A', 'a\r\nVia: x']] }), MessageBuildError);
    assert.throws(() => buildMessageRequest({ ...BASE, route: ['sip:no-brackets'] }), MessageBuildError);
  });
});
