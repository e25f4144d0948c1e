import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse-message.js';
import { parseNameAddrValue, parseViaValue } from './builders.js';
import { parseUri, parseUriOrThrow, type SipUri } from './uri.js';
import { SipHeaderError } from './errors.js';
import type { SipMessage } from './sip-message.js';

// The typed getters (Via branch, NameAddr tag, SipUri transport…) read one
// parameter in place from the validated text until `params` is decoded; the
// scanners read bytes. These specs pin both to the decoded Params and to the
// chars of the original string.

const START = ['OPTIONS sip:bob@example.com SIP/2.0', 'Max-Forwards: 70', 'Call-ID: c1', 'CSeq: 1 OPTIONS'];
function msg(...more: string[]): SipMessage {
  const r = parseMessage(Buffer.from([...START, ...more, '', ''].join('\r\n'), 'latin1'));
  assert.ok(r.ok, r.ok ? '' : `${r.error.reason}: ${r.error.detail}`);
  return r.message;
}

describe('parameter lookup in place (RFC 3261 §7.3.1, §19.1.1, §20.42)', () => {
  test('RFC 3261 §7.3.1: parameter names are case-insensitive, SWS around "=" and ";" allowed, values as written', () => {
    const m = msg('Via: SIP/2.0/UDP 192.0.2.1:5060 ; BRANCH = z9hG4bKAbC ;Received=192.0.2.9; rport=5070;maddr=239.1.1.1;ttl=16', 'From: <sip:a@example.com> ; TAG = Ab9', 'To: <sip:b@example.com>');
    const v = m.topVia()!;
    assert.deepEqual([v.branch, v.received, v.rport, v.maddr, v.ttl], ['z9hG4bKAbC', '192.0.2.9', 5070, '239.1.1.1', 16]);
    assert.equal(m.from().tag, 'Ab9');
    assert.equal(m.to().tag, undefined);
    // The decoded Params agree with the in-place reads.
    assert.deepEqual([v.params.get('branch'), v.params.get('RPORT'), m.from().params.get('tag')], ['z9hG4bKAbC', '5070', 'Ab9']);
  });
  test('RFC 3581 §3: rport without a value is null, absent is undefined', () => {
    assert.equal(msg('Via: SIP/2.0/UDP h;branch=z9hG4bK1;rport', 'From: <sip:a@b>;tag=1', 'To: <sip:b@b>').topVia()!.rport, null);
    assert.equal(msg('Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:b@b>').topVia()!.rport, undefined);
  });
  test('the first occurrence of a repeated parameter wins, as in Params#get; a quoted value is unquoted', () => {
    const m = msg('Via: SIP/2.0/UDP h;branch=first;branch=second', 'From: <sip:a@b>;tag="q;uo\\"ted";tag=2', 'To: <sip:b@b>', 'Contact: <sip:c@d>;expires=60;q=0.5;+sip.instance="<urn:uuid:1;x>";reg-id=2;pub-gruu="sip:p@g;gr=1";temp-gruu="sip:t@g;gr"');
    assert.equal(m.topVia()!.branch, 'first');
    assert.equal(m.from().tag, 'q;uo"ted');
    const c = m.contacts()[0]!;
    assert.deepEqual([c.expires, c.q, c.instance, c.regId, c.pubGruu, c.tempGruu], [60, 0.5, '<urn:uuid:1;x>', 2, 'sip:p@g;gr=1', 'sip:t@g;gr']);
  });
  test('a parameter whose name only starts like the one asked for is not it', () => {
    const m = msg('Via: SIP/2.0/UDP h;branchx=1;xbranch=2', 'From: <sip:a@b>;tags=1;t=2', 'To: <sip:b@b>');
    assert.equal(m.topVia()!.branch, undefined);
    assert.equal(m.from().tag, undefined);
  });
  test('an edited Params is what the getters read afterwards', () => {
    const m = msg('Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:b@b>');
    const v = m.topVia()!;
    v.params.set('received', '192.0.2.7');
    v.params.set('branch', 'z9hG4bK2');
    assert.deepEqual([v.branch, v.received], ['z9hG4bK2', '192.0.2.7']);
    m.from().params.delete('tag');
    assert.equal(m.from().tag, undefined);
  });
  test('RFC 3261 §19.1.1: URI parameters (transport, lr, ob, gr, maddr, user) read in place, case-insensitive names', () => {
    const u = parseUriOrThrow('sip:alice@example.com;TRANSPORT=TCP;Lr;ob;gr=urn:x;maddr=239.1.1.1;user=Phone;transportx=udp') as SipUri;
    assert.deepEqual([u.transport, u.lr, u.ob, u.gr, u.maddr, u.userParam], ['tcp', true, true, 'urn:x', '239.1.1.1', 'phone']);
    const plain = parseUriOrThrow('sip:alice@example.com;transportx=udp') as SipUri;
    assert.deepEqual([plain.transport, plain.lr, plain.ob, plain.gr], [undefined, false, false, undefined]);
    u.params.set('transport', 'udp');
    assert.equal(u.transport, 'udp');
  });
});

describe('wire strings through the byte scanners', () => {
  test('chars above U+00FF in a built value are kept, and never taken for a delimiter', () => {
    // U+0122 and U+013C have low bytes 0x22 '"' and 0x3C '<'.
    const na = parseNameAddrValue('"Ģ日本 <x>" <sip:a@example.com>;tag=1', 'Contact');
    assert.deepEqual([na.displayName, na.uri.toString(), na.tag], ['Ģ日本 <x>', 'sip:a@example.com', '1']);
    assert.throws(() => parseNameAddrValue('<sip:a@b>;tag=\u013c'), SipHeaderError, 'a char above U+00FF is no token char');
    assert.throws(() => parseNameAddrValue('Ā <sip:a@b>'), SipHeaderError, 'display-name tokens are ASCII');
  });
  test('a URI error names the char as written, not its low byte', () => {
    const r = parseUri('sip:a@example.com✓');
    assert.deepEqual(r, { ok: false, reason: 'invalid character "✓" in URI' });
  });
  test('setHeader with text above U+00FF: typed accessors parse it like received text', () => {
    const m = msg('Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:b@b>');
    m.setHeader('Contact', '"Zoë ✓" <sip:z@example.com>;expires=30');
    const c = m.contacts()[0]!;
    assert.deepEqual([c.displayName, c.expires, (c.uri as SipUri).host], ['Zoë ✓', 30, 'example.com']);
    m.setHeader('Via', 'SIP/2.0/UDP h2;branch=z9hG4bK✓');
    assert.throws(() => m.topVia(), SipHeaderError);
    assert.equal(parseViaValue('SIP/2.0/UDP h;branch="✓"').branch, '✓', 'a quoted-string may hold any text');
  });
  test('RFC 3261 §8.1.1.5: the CSeq method is the request method, byte for byte', () => {
    const m = msg('Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:b@b>');
    assert.equal(m.cseq().method, 'OPTIONS');
    const r = parseMessage(Buffer.from([...START.slice(0, 3), 'CSeq: 1 options', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:b@b>', '', ''].join('\r\n')));
    assert.equal(r.ok ? '' : r.error.code, 'cseq_method_mismatch', 'methods are case-sensitive (§7.1)');
    const ext = parseMessage(Buffer.from(['FOOBAR sip:b@example.com SIP/2.0', 'CSeq: 7 FOOBAR', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:b@b>', 'Call-ID: x', '', ''].join('\r\n')));
    assert.ok(ext.ok && ext.message.kind === 'request');
    assert.deepEqual([ext.message.method, ext.message.cseq().method], ['FOOBAR', 'FOOBAR']);
  });
  test('RFC 3261 §7.3.1: folded Via, Contact, Max-Forwards and Content-Length lines are read unfolded', () => {
    const m = msg('Via: SIP/2.0/UDP h', ' ;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:b@b>', 'Contact: <sip:c@d>,', '\t<sip:e@f>', 'Content-Length:', ' 0');
    assert.equal(m.topVia()!.branch, 'z9hG4bK1');
    assert.equal(m.contacts().length, 2);
    assert.equal(m.contentLength(), 0);
  });
});
