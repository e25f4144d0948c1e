import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMessage } from './parse-message.js';
import { createResponse } from './create-response.js';
import { frameStreamMessage } from './frame-stream.js';
import { SipHeaderError, SIP_PARSE_ERRORS } from './errors.js';
import { COMPACT, CANONICAL, headerId } from './header-names.js';
import type { SipRequest, SipResponse } from './sip-message.js';

const REGISTER = readFileSync(new URL('../../fixtures/sample-register.sip', import.meta.url));
const lines = (...l: string[]) => Buffer.from(l.join('\r\n'), 'latin1');
const base = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;rport',
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@example.com>;tag=1928',
  'To: <sip:bob@example.com>',
  'Call-ID: a84b4c76e66710@pc33',
  'CSeq: 63104 OPTIONS',
];
const ok = (b: Buffer, opts?: Parameters<typeof parseMessage>[1]) => {
  const r = parseMessage(b, opts);
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.reason} ${r.error.detail ?? ''}`);
  return r.message;
};
const fail = (b: Buffer, opts?: Parameters<typeof parseMessage>[1]) => {
  const r = parseMessage(b, opts);
  assert.equal(r.ok, false);
  return (r as Extract<typeof r, { ok: false }>).error;
};

describe('SIP message parsing', () => {
  test('sample REGISTER: start line, typed Via/From/To/Call-ID/CSeq/Contact', () => {
    const m = ok(REGISTER) as SipRequest;
    assert.equal(m.method, 'REGISTER');
    assert.equal(m.uri.toString(), 'sip:127.0.0.1:7060');
    const v = m.topVia()!;
    assert.deepEqual([v.transport, v.host, v.port, v.branch, v.rport], ['UDP', '127.0.0.1', 7100, 'z9hG4bK-12345-1-0', null]);
    assert.equal(m.from().tag, '12345SIPpTag001');
    assert.equal(m.to().tag, undefined);
    assert.equal(m.callId(), '1-12345@127.0.0.1');
    assert.deepEqual(m.cseq(), { seq: 1, method: 'REGISTER' });
    const c = m.contacts()[0]!;
    assert.equal(c.expires, 3600);
    assert.equal(c.instance, '<urn:uuid:00000000-0000-1000-8000-000A95A0E128>');
    assert.equal(c.uri.toString(), 'sip:alice12345@127.0.0.1:7199;transport=udp');
    assert.equal(m.expires(), 3600);
    assert.deepEqual(m.allow(), ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'MESSAGE', 'NOTIFY']);
    assert.deepEqual(m.supported(), ['path', 'outbound', 'gruu']);
    assert.equal(m.userAgent(), 'sipp-bench/3.6');
    assert.equal(m.maxForwards(), 70);
  });
  test('RFC 3261 §7.3.1: header field names are case-insensitive', () => {
    const m = ok(lines(...base, 'cOnTaCt: <sip:a@b>', 'X-Custom: 1', '', ''));
    assert.equal(m.get('contact'), '<sip:a@b>');
    assert.equal(m.get('CONTACT'), '<sip:a@b>');
    assert.equal(m.get('x-custom'), '1');
    assert.equal(m.get('CALL-ID'), 'a84b4c76e66710@pc33');
  });
  test('RFC 3261 §7.3.3: compact forms are the same headers as the long forms', () => {
    const m = ok(lines('OPTIONS sip:bob@example.com SIP/2.0', 'v: SIP/2.0/UDP h;branch=z9hG4bK1', 'f: <sip:a@b>;tag=1', 't: <sip:b@b>', 'i: abc', 'CSeq: 1 OPTIONS', 'm: <sip:c@d>', 'k: path', 'l: 0', '', ''));
    assert.equal(m.callId(), 'abc');
    assert.equal(m.contacts().length, 1);
    assert.deepEqual(m.supported(), ['path']);
    assert.equal(m.get('Content-Length'), '0');
    for (const [c, id] of Object.entries(COMPACT)) assert.equal(headerId(c), id, `${c} → ${CANONICAL[id]}`);
    assert.equal(headerId('o'), headerId('Event'));
    assert.equal(headerId('r'), headerId('Refer-To'));
    assert.equal(headerId('x'), headerId('Session-Expires'));
  });
  test('RFC 3261 §7.3.1: folded lines (LWS continuation) are unfolded to one SP', () => {
    const m = ok(lines(...base, 'Subject: I know you\'re there,', '   pick up the phone', '\tand talk to me!', '', ''));
    assert.equal(m.get('Subject'), "I know you're there, pick up the phone and talk to me!");
  });
  test('RFC 3261 §7.3.1: comma-separated values split outside quotes and <>', () => {
    const m = ok(lines(...base, 'Contact: "Doe, J" <sip:a,1@b;x=1>, <sip:c@d>;q=0.5', 'Contact: sip:e@f', 'Route: <sip:p1;lr>, <sip:p2;lr>', '', ''));
    const c = m.contacts();
    assert.deepEqual(c.map((x) => x.uri.toString()), ['sip:a,1@b;x=1', 'sip:c@d', 'sip:e@f']);
    assert.equal(c[0]!.displayName, 'Doe, J');
    assert.equal(c[1]!.q, 0.5);
    assert.equal(m.route().length, 2);
    assert.deepEqual(m.getList('Contact'), ['"Doe, J" <sip:a,1@b;x=1>', '<sip:c@d>;q=0.5', 'sip:e@f']);
  });
  test('RFC 3261 §10.2.2: Contact "*" is the wildcard', () => {
    const m = ok(lines(...base, 'Contact: *', 'Expires: 0', '', ''));
    assert.deepEqual(m.contact(), { star: true, params: null });
    assert.deepEqual(m.contacts(), []);
  });
  test('getAll keeps one raw value per line (WWW-Authenticate/Authorization are not comma-split)', () => {
    const m = ok(lines(...base, 'Authorization: Digest username="a", realm="b", nonce="c"', 'Authorization: Digest username="x", realm="y"', '', ''));
    assert.deepEqual(m.getAll('authorization'), ['Digest username="a", realm="b", nonce="c"', 'Digest username="x", realm="y"']);
  });
  test('RFC 3261 §8.2: missing Call-ID is reported with a usable reason and no response is possible', () => {
    const e = fail(lines(...base.filter((l) => !l.startsWith('Call-ID')), '', ''));
    assert.deepEqual([e.code, e.reason, e.canRespond, e.status], ['missing_header', 'Missing Call-ID', false, 400]);
  });
  test('RFC 3261 §8.2: a bad CSeq is "Bad CSeq header"', () => {
    const e = fail(lines(...base.filter((l) => !l.startsWith('CSeq')), 'CSeq: x OPTIONS', '', ''));
    assert.deepEqual([e.code, e.reason, e.header], ['bad_header', 'Bad CSeq header', 'CSeq']);
  });
  test('RFC 3261 §16.3 step 3: Max-Forwards must be numeric', () => {
    const e = fail(lines(...base.filter((l) => !l.startsWith('Max-Forwards')), 'Max-Forwards: abc', '', ''));
    assert.deepEqual([e.reason, e.canRespond], ['Bad Max-Forwards header', true]);
    assert.equal(e.message!.kind, 'request');
  });
  test('RFC 3261 §18.3: datagram body shorter than Content-Length is an error, longer is truncated', () => {
    assert.equal(fail(lines(...base, 'Content-Length: 10', '', 'abc')).reason, 'Content-Length mismatch');
    const m = ok(lines(...base, 'Content-Length: 3', '', 'abcdef'));
    assert.equal(m.body.toString(), 'abc');
    assert.ok(m.serialize().toString().endsWith('\r\n\r\nabc'));
  });
  test('RFC 3261 §18.3: on a stream transport Content-Length is mandatory', () => {
    assert.equal(fail(lines(...base, '', ''), { stream: true }).code, 'missing_content_length');
    assert.equal(fail(lines(...base, 'Content-Length: 5', '', 'ab'), { stream: true }).code, 'incomplete');
  });
  test('RFC 3261 §7.1: SIP/2.0 only; another version is 505', () => {
    const e = fail(lines('OPTIONS sip:bob@example.com SIP/3.0', ...base.slice(1), '', ''));
    assert.deepEqual([e.code, e.status], ['bad_version', 505]);
  });
  test('RFC 3261 §7.5: CRLFs before the start line are ignored', () => {
    ok(Buffer.concat([Buffer.from('\r\n\r\n'), lines(...base, '', '')]));
  });
  test('limits: message size, header count and line length', () => {
    assert.equal(fail(lines(...base, '', ''), { maxMessageSize: 50 }).code, 'too_large');
    assert.equal(fail(lines(...base, '', ''), { maxHeaders: 3 }).code, 'too_many_headers');
    assert.equal(fail(lines(...base, 'X: ' + 'a'.repeat(200), '', ''), { maxLineLength: 100 }).code, 'line_too_long');
  });
  test('responses: status line, empty reason, bad codes', () => {
    const m = ok(lines('SIP/2.0 180 Ringing', ...base.slice(1), '', '')) as SipResponse;
    assert.deepEqual([m.status, m.reason], [180, 'Ringing']);
    assert.equal(fail(lines('SIP/2.0 99 Low', ...base.slice(1), '', '')).code, 'bad_status_code');
    assert.equal(fail(lines('SIP/2.0 1000 High', ...base.slice(1), '', '')).code, 'bad_status_code');
  });
  test('typed accessors throw only SipHeaderError, with a reason phrase', () => {
    const m = ok(lines(...base, 'Expires: soon', 'Event: ', 'Contact: <sip:a@1.2.3.4:5060transport=udp>', '', ''));
    assert.throws(() => m.expires(), (e: unknown) => e instanceof SipHeaderError && e.reason === 'Bad Expires header');
    // Contact structure is checked on contact(); its URI is decoded on first access.
    const c = m.contacts()[0]!;
    assert.throws(() => c.uri, (e: unknown) => e instanceof SipHeaderError && e.reason === 'Bad Contact header' && e.detail === 'invalid port in URI');
  });
  test('typed headers: Event, Subscription-State, Call-Info, Content-Type, Retry-After, Flow-Timer, Path, Record-Route', () => {
    const m = ok(
      lines(
        ...base,
        'Event: call-info;id=42',
        'Subscription-State: active;expires=3600',
        'Call-Info: <sip:alice@example.com>;appearance-index=2;appearance-state=seized, <sip:x@y>;appearance-index=*',
        'Content-Type: application/SDP; charset="utf-8"',
        'Retry-After: 18000 (in a meeting);duration=3600',
        'Flow-Timer: 120',
        'Path: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>',
        'Record-Route: <sip:rr.example.com;lr>',
        'Min-Expires: 60',
        'Unsupported: foo',
        'Require: 100rel',
        '',
        '',
      ),
    );
    assert.deepEqual([m.event()!.type, m.event()!.id], ['call-info', '42']);
    assert.deepEqual([m.subscriptionState()!.state, m.subscriptionState()!.expires], ['active', 3600]);
    const ci = m.callInfo();
    assert.deepEqual(ci.map((c) => [c.appearanceIndex, c.appearanceState]), [
      [2, 'seized'],
      ['*', undefined],
    ]);
    assert.deepEqual([m.contentType()!.mediaType, m.contentType()!.charset], ['application/sdp', 'utf-8']);
    assert.deepEqual(m.retryAfter(), { seconds: 18000, comment: 'in a meeting', params: m.retryAfter()!.params, duration: 3600 });
    assert.equal(m.flowTimer(), 120);
    assert.equal(m.path().length, 2);
    assert.equal(m.recordRoute()[0]!.uri.toString(), 'sip:rr.example.com;lr');
    assert.equal(m.minExpires(), 60);
    assert.deepEqual(m.unsupported(), ['foo']);
    assert.deepEqual(m.require(), ['100rel']);
  });
  test('every error code is documented with a status and a reason', () => {
    for (const [code, info] of Object.entries(SIP_PARSE_ERRORS)) {
      assert.ok(info.status >= 400 && info.status < 600, code);
      assert.ok(info.reason.length > 0 && info.description.length > 0, code);
    }
  });
});

describe('serialization and mutation', () => {
  test('an untouched message serializes byte for byte (compact forms, folding kept)', () => {
    const raw = lines('OPTIONS sip:bob@example.com SIP/2.0', 'v: SIP/2.0/UDP h;branch=z9hG4bK1', 'Subject: a', '  b', ...base.slice(2), 'l: 0', '', '');
    assert.deepEqual(ok(raw).serialize(), raw);
  });
  test('RFC 3261 §16.6: proxy edits — Via on top, Max-Forwards, Record-Route, Route removal — keep other lines exact', () => {
    const raw = lines(...base, 'Route: <sip:proxy.example.com;lr>, <sip:next.example.com;lr>', 'x-odd:   spacing kept  ', 'Content-Length: 0', '', '');
    const m = ok(raw) as SipRequest;
    const removed = m.removeFirstRoute()!;
    assert.equal(removed.uri.toString(), 'sip:proxy.example.com;lr');
    m.prependVia('SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKproxy');
    m.setHeader('Max-Forwards', String(m.maxForwards()! - 1));
    m.addRecordRoute('<sip:198.51.100.1;lr>');
    const out = m.serialize().toString('latin1');
    assert.ok(out.startsWith('OPTIONS sip:bob@example.com SIP/2.0\r\nRecord-Route: <sip:198.51.100.1;lr>\r\nVia: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKproxy\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;rport\r\nMax-Forwards: 69\r\n'), out);
    assert.ok(out.includes('\r\nRoute: <sip:next.example.com;lr>\r\n'));
    assert.ok(out.includes('\r\nx-odd:   spacing kept  \r\n'));
    assert.equal(m.vias().length, 2);
    assert.equal(m.topVia()!.branch, 'z9hG4bKproxy');
    const again = ok(m.serialize());
    assert.equal(again.vias().length, 2);
  });
  test('RFC 3261 §16.7 step 3: removeTopVia drops one value of a comma-separated Via line', () => {
    const m = ok(lines('SIP/2.0 200 OK', 'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2', ...base.slice(2), '', ''));
    assert.equal(m.removeTopVia()!.host, 'a');
    assert.deepEqual(m.vias().map((v) => v.host), ['b']);
    assert.ok(m.serialize().toString().includes('Via: SIP/2.0/UDP b;branch=z9hG4bK2\r\n'));
  });
  test('RFC 3261 §20.14: Content-Length is recomputed from the body on serialize', () => {
    const m = ok(lines(...base, 'Content-Length: 0', '', ''));
    m.setBody('hello', 'text/plain');
    const out = m.serialize().toString();
    assert.ok(out.includes('Content-Length: 5\r\n'));
    assert.ok(out.includes('Content-Type: text/plain\r\n'));
    assert.ok(out.endsWith('\r\n\r\nhello'));
    const noCl = ok(lines(...base, '', ''));
    noCl.addHeader('X-A', '1');
    assert.ok(noCl.serialize().toString().includes('Content-Length: 0\r\n'));
  });
  test('setRequestUri, removeHeader, addHeader positions', () => {
    const m = ok(lines(...base, 'X-A: 1', 'X-A: 2', '', '')) as SipRequest;
    m.setRequestUri('sip:bob@192.0.2.9:5080;transport=tcp');
    assert.equal(m.removeHeader('x-a'), 2);
    m.addHeader('X-B', 'last');
    m.addHeader('Via', 'SIP/2.0/TCP first;branch=z9hG4bKx', { position: 'first' });
    const out = m.serialize().toString();
    assert.ok(out.startsWith('OPTIONS sip:bob@192.0.2.9:5080;transport=tcp SIP/2.0\r\nVia: SIP/2.0/TCP first;branch=z9hG4bKx\r\n'));
    assert.ok(!out.includes('X-A'));
    assert.ok(out.includes('X-B: last\r\n'));
    assert.throws(() => m.addHeader('X-Bad', 'a\r\nInjected: 1'), SipHeaderError);
    assert.throws(() => m.setRequestUri('sip:a@1.2.3.4:5060transport=udp'), { name: 'SipUriError' });
  });
  test('RFC 3261 §8.2.6: createResponse copies Via, From, To (+tag), Call-ID, CSeq and sets Content-Length: 0', () => {
    const raw = lines('OPTIONS sip:bob@example.com SIP/2.0', 'v: SIP/2.0/UDP a;branch=z9hG4bK1', 'Via: SIP/2.0/UDP b;branch=z9hG4bK2', ...base.slice(2), 'Timestamp: 54', '', '');
    const req = ok(raw) as SipRequest;
    const res = createResponse(req, 200, undefined, { toTag: 'xyz', headers: [['Allow', 'INVITE, OPTIONS']] });
    const out = res.serialize().toString();
    assert.equal(
      out,
      'SIP/2.0 200 OK\r\nv: SIP/2.0/UDP a;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP b;branch=z9hG4bK2\r\nFrom: "Alice" <sip:alice@example.com>;tag=1928\r\nTo: <sip:bob@example.com>;tag=xyz\r\nCall-ID: a84b4c76e66710@pc33\r\nCSeq: 63104 OPTIONS\r\nAllow: INVITE, OPTIONS\r\nContent-Length: 0\r\n\r\n',
    );
    const parsed = ok(res.serialize()) as SipResponse;
    assert.equal(parsed.to().tag, 'xyz');
    const trying = createResponse(req, 100);
    assert.equal(trying.reason, 'Trying');
    assert.equal(trying.get('Timestamp'), '54', '§8.2.6.1: 100 copies Timestamp');
    const tagged = ok(lines(...base.filter((l) => !l.startsWith('To')), 'To: <sip:bob@example.com>;tag=keep', '', '')) as SipRequest;
    assert.equal(createResponse(tagged, 486, undefined, { toTag: 'new' }).to().tag, 'keep');
    assert.equal(createResponse(tagged, 499).reason, 'Bad Request', '§21: unknown codes fall back to x00');
  });
  test('a 400 can be built from a rejected request when canRespond', () => {
    const r = parseMessage(lines(...base.filter((l) => !l.startsWith('CSeq')), 'CSeq: 1 INVITE', '', ''));
    assert.ok(!r.ok && r.error.canRespond && r.error.message);
    if (r.ok || !r.error.message || r.error.message.kind !== 'request') return;
    const res = createResponse(r.error.message, 400, r.error.reason);
    assert.ok(res.serialize().toString().startsWith('SIP/2.0 400 CSeq method mismatch\r\n'));
  });
  test('wire strings: bytes above 0x7F survive parse → serialize; new text above U+00FF is written as UTF-8', () => {
    const raw = Buffer.concat([lines(...base, 'Subject: '), Buffer.from('Grüße', 'utf8'), Buffer.from('\r\n\r\n')]);
    const m = ok(raw);
    m.addHeader('X-Note', '日本');
    const out = m.serialize();
    assert.ok(out.includes(Buffer.from('Subject: Grüße\r\n', 'utf8')));
    assert.ok(out.includes(Buffer.from('X-Note: 日本\r\n', 'utf8')));
  });
  test('RFC 3261 §18.3 / RFC 5626 §3.5.1: stream framing finds messages and keep-alives', () => {
    const msg = lines(...base, 'Content-Length: 3', '', 'abc');
    const two = Buffer.concat([Buffer.from('\r\n\r\n'), msg, msg.subarray(0, 20)]);
    assert.deepEqual(frameStreamMessage(two, 0), { kind: 'ping', end: 4 });
    const f = frameStreamMessage(two, 4);
    assert.deepEqual(f, { kind: 'message', end: 4 + msg.length });
    assert.deepEqual(frameStreamMessage(two, 4 + msg.length), { kind: 'incomplete' });
    assert.deepEqual(frameStreamMessage(Buffer.from('\r\nX'), 0), { kind: 'pong', end: 2 });
    assert.equal(ok(two.subarray(4, 4 + msg.length), { stream: true }).body.toString(), 'abc');
    const bad = frameStreamMessage(lines(...base, '', ''), 0);
    assert.equal(bad.kind === 'error' && bad.error.code, 'missing_content_length');
  });
});

describe('line endings and keep-alives', () => {
  test('RFC 3261 §7.5: leading CRLFs are not part of the serialized message', () => {
    const body = lines(...base, 'Content-Length: 0', '', '');
    assert.deepEqual(ok(Buffer.concat([Buffer.from('\r\n\r\n'), body])).serialize(), body);
  });
  test('bare-LF messages parse; an edited one is written with CRLF line ends', () => {
    const raw = Buffer.from([...base, 'Content-Length: 0', '', ''].join('\n'), 'latin1');
    const m = ok(raw);
    assert.deepEqual(m.serialize(), raw, 'untouched: byte for byte');
    m.addHeader('X-A', '1');
    const out = m.serialize().toString('latin1');
    assert.ok(!/[^\r]\n/.test(out), JSON.stringify(out));
    assert.ok(ok(Buffer.from(out, 'latin1')).get('X-A') === '1');
  });
});

describe('hostile inputs', () => {
  test('robustness: thousands of list values parse in linear time (no per-value rescans of the message)', () => {
    const routes = Array.from({ length: 6000 }, (_, i) => `<sip:p${i}.example.com;lr>`).join(',');
    const contacts = Array.from({ length: 3000 }, (_, i) => `<sip:c${i}@h>;x="y${i}"`).join(',');
    const big = { maxMessageSize: 1 << 20, maxLineLength: 1 << 20 };
    const t0 = performance.now();
    const m = ok(lines(...base, 'Route: ' + routes, 'Contact: ' + contacts, '', ''), big);
    assert.equal(m.route().length, 6000);
    assert.equal(m.contacts().length, 3000);
    assert.equal(m.contacts()[2999]!.params.get('x'), 'y2999');
    assert.ok(performance.now() - t0 < 2000, `took ${performance.now() - t0} ms`);
  });
});

describe('building values', () => {
  test('RFC 3261 §25.1: NameAddr, Via and Params serialize with quoting where needed', async () => {
    const { NameAddr } = await import('./name-addr.js');
    const { Params } = await import('./params.js');
    const { parseUriOrThrow } = await import('./uri.js');
    const { parseViaValue, parseNameAddrValue } = await import('./builders.js');
    const na = new NameAddr(parseUriOrThrow('sip:a@example.com;lr'), 'A "x"', Params.from([['tag', '1'], ['+sip.instance', '<urn:uuid:1>']]));
    assert.equal(na.toString(), '"A \\"x\\"" <sip:a@example.com;lr>;tag=1;+sip.instance="<urn:uuid:1>"');
    const back = parseNameAddrValue(na.toString(), 'Contact');
    assert.deepEqual([back.displayName, back.tag, back.instance, back.uri.toString()], ['A "x"', '1', '<urn:uuid:1>', 'sip:a@example.com;lr']);
    const v = parseViaValue('SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKabc;rport');
    v.params.set('received', '2001:db8::9');
    v.params.set('rport', 5062);
    assert.equal(v.toString(), 'SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKabc;rport=5062;received=2001:db8::9');
    assert.throws(() => parseViaValue('SIP/2.0/UDP'), SipHeaderError);
  });
});
