import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse-message.js';
import { createResponse } from './create-response.js';
import type { SipRequest, SipResponse } from './sip-message.js';

// createResponse on a received request makes a plan over the request's text:
// serialize() writes the bytes directly and HeaderField objects are built only
// when the response is read or edited header by header. Each spec below checks
// that both routes give the same response (RFC 3261 §8.2.6).

const lines = (...l: string[]) => Buffer.from(l.join('\r\n'), 'latin1');
const REQ = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1',
  'v: SIP/2.0/TCP b.example.com;branch=z9hG4bK2',
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@example.com>;tag=1928',
  'To: <sip:bob@example.com>',
  'Call-ID: a84b4c76e66710@pc33',
  'CSeq: 314159 INVITE',
  'Timestamp: 54',
  'Contact: <sip:alice@192.0.2.1>',
  'Content-Length: 0',
  '',
  '',
];
function request(raw: Buffer = lines(...REQ)): SipRequest {
  const r = parseMessage(raw);
  assert.ok(r.ok && r.message.kind === 'request', r.ok ? '' : r.error.reason);
  return r.message as SipRequest;
}
/** The same response through the field path: editing a header materializes the fields. */
function viaFields(res: SipResponse): Buffer {
  res.addHeader('X-Probe', '1');
  res.removeHeader('X-Probe');
  return res.serialize();
}

describe('createResponse (RFC 3261 §8.2.6)', () => {
  test('RFC 3261 §8.2.6.2: Via values in order, From, To with the new tag, Call-ID, CSeq; bytes as received', () => {
    const res = createResponse(request(), 180, undefined, { toTag: 'xyz' });
    const expected =
      'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\nv: SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\nFrom: "Alice" <sip:alice@example.com>;tag=1928\r\nTo: <sip:bob@example.com>;tag=xyz\r\nCall-ID: a84b4c76e66710@pc33\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n';
    assert.equal(res.serialize().toString('latin1'), expected);
    assert.equal(res.serialize().toString('latin1'), expected, 'serialize() can be called again');
    assert.equal(viaFields(createResponse(request(), 180, undefined, { toTag: 'xyz' })).toString('latin1'), expected);
  });
  test('RFC 3261 §8.2.6.2: a To that has a tag keeps it; typed accessors read the response', () => {
    const req = request(lines(...REQ.map((l) => (l.startsWith('To:') ? 'To: <sip:bob@example.com>;tag=keep' : l))));
    const res = createResponse(req, 486, undefined, { toTag: 'new' });
    assert.equal(res.to().tag, 'keep');
    assert.equal(res.topVia()!.branch, 'z9hG4bK1');
    assert.equal(res.vias().length, 2);
    assert.deepEqual(res.cseq(), { seq: 314159, method: 'INVITE' });
    assert.ok(res.serialize().toString('latin1').includes('\r\nTo: <sip:bob@example.com>;tag=keep\r\n'));
  });
  test('headers(): copied lines keep their raw text, added ones have raw null (as for any built message)', () => {
    const h = createResponse(request(), 200, undefined, { toTag: 't' }).headers();
    assert.deepEqual(
      h.map((x) => [x.name, x.raw === null]),
      [
        ['Via', false],
        ['v', false],
        ['From', false],
        ['To', true],
        ['Call-ID', false],
        ['CSeq', false],
        ['Content-Length', true],
      ],
    );
    assert.equal(h[3]!.value, '<sip:bob@example.com>;tag=t');
  });
  test('RFC 3581 §4: a top Via rewritten by replaceTopVia is copied as rewritten, the index kept, same bytes as the field path', () => {
    const make = () => {
      const req = request();
      const via = req.topVia()!.clone();
      via.params.set('received', '192.0.2.9');
      via.params.set('rport', 5070);
      req.replaceTopVia(via);
      assert.equal(req.fields, null, 'no header fields made');
      return req;
    };
    const req = make();
    assert.equal(req.topVia()!.received, '192.0.2.9');
    assert.equal(req.vias().length, 2);
    const expectedVia = 'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1;received=192.0.2.9;rport=5070\r\nv: SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n';
    assert.ok(req.serialize().toString('latin1').startsWith('INVITE sip:bob@example.com SIP/2.0\r\n' + expectedVia));
    assert.ok(req.copy().serialize().toString('latin1').includes(expectedVia), 'a proxy copy sees the rewritten Via');
    const res = createResponse(make(), 200, undefined, { toTag: 't' });
    const text = res.serialize().toString('latin1');
    assert.ok(text.startsWith('SIP/2.0 200 OK\r\n' + expectedVia), text);
    assert.equal(viaFields(createResponse(make(), 200, undefined, { toTag: 't' })).toString('latin1'), text);
    assert.equal(res.topVia()!.rport, 5070);
    // Materializing the request (any header edit) keeps the rewritten line.
    const edited = make();
    edited.addHeader('X-Probe', '1');
    assert.ok(edited.serialize().toString('latin1').includes(expectedVia));
  });
  test('RFC 3261 §7.3.1: replaceTopVia on a line of several via-parms keeps the others after it', () => {
    const req = request(lines(...REQ.map((l) => (l.startsWith('Via:') ? 'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1 , SIP/2.0/UDP c.example.com;branch=z9hG4bK3' : l))));
    const via = req.topVia()!.clone();
    via.params.set('received', '192.0.2.9');
    req.replaceTopVia(via);
    assert.deepEqual(
      req.vias().map((v) => [v.host, v.received]),
      [
        ['a.example.com', '192.0.2.9'],
        ['c.example.com', undefined],
        ['b.example.com', undefined],
      ],
    );
    assert.ok(createResponse(req, 200).serialize().toString('latin1').includes('\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1;received=192.0.2.9, SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\n'));
  });
  test('RFC 3261 §8.2.6.1: a 100 copies Timestamp; other responses do not', () => {
    assert.equal(createResponse(request(), 100).get('Timestamp'), '54');
    assert.ok(createResponse(request(), 100).serialize().toString('latin1').includes('\r\nTimestamp: 54\r\n'));
    assert.equal(createResponse(request(), 200).get('Timestamp'), undefined);
  });
  test('extra headers, Content-Type and body; Content-Length counts the body bytes', () => {
    const make = () => createResponse(request(), 200, undefined, { toTag: 't', headers: { Contact: ['<sip:a@b>;expires=60', '<sip:c@d>'], Allow: 'INVITE, ACK' }, body: 'héllo', contentType: 'text/plain' });
    const out = make().serialize();
    const text = out.toString('latin1');
    assert.ok(text.includes('\r\nContact: <sip:a@b>;expires=60\r\nContact: <sip:c@d>\r\nAllow: INVITE, ACK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\n'), text);
    assert.deepEqual(out.subarray(out.length - 6), Buffer.from('héllo', 'utf8'));
    assert.deepEqual(viaFields(make()), out);
    assert.equal(make().contacts()[0]!.expires, 60);
  });
  test('RFC 3261 §20.14: a Content-Length among the extra headers is replaced by the real one, once', () => {
    const res = createResponse(request(), 200, undefined, { headers: [['Content-Length', '99'], ['X-A', '1']], body: 'abc' });
    const text = res.serialize().toString('latin1');
    assert.equal(text.match(/Content-Length/g)!.length, 1, text);
    assert.ok(text.includes('\r\nContent-Length: 3\r\nX-A: 1\r\n\r\nabc'), text);
  });
  test('header injection: a CR or LF in an extra header value throws', () => {
    assert.throws(() => createResponse(request(), 200, undefined, { headers: [['X-A', 'a\r\nInjected: 1']] }), TypeError);
  });
  test('text above U+00FF (reason, tag, extra headers) is written as UTF-8, bytes below as latin1', () => {
    const res = createResponse(request(), 603, 'Déclin ✓', { toTag: 'ü✓', headers: [['X-Note', '日本']] });
    const out = res.serialize();
    assert.ok(out.includes(Buffer.concat([Buffer.from('SIP/2.0 603 D\xe9clin ', 'latin1'), Buffer.from('✓\r\n', 'utf8')])));
    assert.ok(out.includes(Buffer.from('X-Note: 日本\r\n', 'utf8')));
    assert.ok(out.includes(Buffer.from(';tag=\xfc', 'latin1')));
  });
  test('status and reason changed after creation are what is serialized', () => {
    const res = createResponse(request(), 180, undefined, { toTag: 't' });
    res.setStatus(183, 'Session Progress');
    assert.ok(res.serialize().toString('latin1').startsWith('SIP/2.0 183 Session Progress\r\n'));
    const direct = createResponse(request(), 180);
    direct.reason = 'Klingeln ✓';
    assert.ok(direct.serialize().includes(Buffer.from('SIP/2.0 180 Klingeln ✓\r\n', 'utf8')));
    const custom = createResponse(request(), 200, 'Fine');
    assert.ok(custom.serialize().toString('latin1').startsWith('SIP/2.0 200 Fine\r\n'));
    assert.equal(createResponse(request(), 499).reason, 'Bad Request', '§21: unknown codes fall back to x00');
  });
  test('setBody on a created response recomputes Content-Length', () => {
    const res = createResponse(request(), 200, undefined, { toTag: 't' });
    res.setBody('v=0\r\n', 'application/sdp');
    const text = res.serialize().toString('latin1');
    assert.ok(text.includes('\r\nContent-Length: 5\r\n') && text.includes('\r\nContent-Type: application/sdp\r\n') && text.endsWith('\r\n\r\nv=0\r\n'), text);
  });
  test('the response is a snapshot: editing the request afterwards does not change it', () => {
    const req = request();
    const res = createResponse(req, 200, undefined, { toTag: 't' });
    req.removeTopVia();
    req.setHeader('CSeq', '2 INVITE');
    const text = res.serialize().toString('latin1');
    assert.ok(text.includes('branch=z9hG4bK1') && text.includes('\r\nCSeq: 314159 INVITE\r\n'), text);
  });
  test('RFC 3261 §7: a bare-LF request gets a response with CRLF line ends; a folded To is unfolded before the tag', () => {
    const raw = Buffer.from([...REQ.slice(0, 5), 'To: <sip:bob@example.com>', '  ;foo=bar', ...REQ.slice(6)].join('\n'), 'latin1');
    const res = createResponse(request(raw), 200, undefined, { toTag: 't' });
    const text = res.serialize().toString('latin1');
    assert.ok(!/[^\r]\n/.test(text), JSON.stringify(text));
    assert.ok(text.includes('\r\nTo: <sip:bob@example.com> ;foo=bar;tag=t\r\n'), JSON.stringify(text));
    assert.deepEqual(viaFields(createResponse(request(raw), 200, undefined, { toTag: 't' })).toString('latin1'), text);
  });
  test('a response to an edited request copies the edited lines', () => {
    const req = request();
    req.prependVia('SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp');
    const text = createResponse(req, 200).serialize().toString('latin1');
    assert.ok(text.startsWith('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\r\nVia: SIP/2.0/UDP a.example.com'), text);
  });
});

describe('copies of a request (RFC 3261 §16.6 step 1)', () => {
  test('RFC 3261 §16.6 step 1: a copy reads the same headers and can be edited without touching the original', () => {
    const orig = request();
    const c = orig.copy();
    assert.deepEqual([c.topVia()!.branch, c.from().tag, c.callId(), c.cseq().seq, c.contacts().length, c.maxForwards()], ['z9hG4bK1', '1928', 'a84b4c76e66710@pc33', 314159, 1, 70]);
    assert.deepEqual(c.serialize(), orig.serialize());
    c.setRequestUri('sip:bob@192.0.2.22');
    c.setHeader('Max-Forwards', '69');
    c.prependVia('SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp');
    assert.equal(c.vias().length, 3);
    assert.deepEqual([orig.requestUri, orig.maxForwards(), orig.vias().length], ['sip:bob@example.com', 70, 2]);
    const again = c.copy();
    again.removeTopVia();
    assert.deepEqual([c.vias().length, again.vias().length], [3, 2]);
  });
});
