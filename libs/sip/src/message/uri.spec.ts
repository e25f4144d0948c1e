import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri, parseUriOrThrow, uriEquals, escape, unescape, SipUri, TelUri } from './uri.js';
import { SipUriError } from './errors.js';
import { USER } from './char-classes.js';

const u = (s: string) => parseUriOrThrow(s);
const bad = (s: string): string => {
  const r = parseUri(s);
  assert.equal(r.ok, false, `${s} must be rejected`);
  return r.ok ? '' : r.reason;
};

describe('URIs', () => {
  test('RFC 3261 §19.1.1: sip URI components (user, password, host, port, params, headers)', () => {
    const x = u('sip:alice:secret@Example.COM:5070;transport=TCP;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent') as SipUri;
    assert.equal(x.scheme, 'sip');
    assert.equal(x.user, 'alice');
    assert.equal(x.password, 'secret');
    assert.equal(x.host, 'Example.COM');
    assert.equal(x.hostname, 'example.com');
    assert.equal(x.port, 5070);
    assert.equal(x.transport, 'tcp');
    assert.ok(x.lr);
    assert.equal(x.params.get('maddr'), '239.255.255.1');
    assert.deepEqual(x.headerList(), [
      ['subject', 'project x'],
      ['priority', 'urgent'],
    ]);
    assert.equal(x.toString(), 'sip:alice:secret@Example.COM:5070;transport=TCP;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent');
  });
  test('RFC 3261 §19.1.1: sips and IPv6 references keep their brackets', () => {
    const x = u('sips:[2001:DB8::1]:5061;ob') as SipUri;
    assert.equal(x.secure, true);
    assert.equal(x.hostType, 'ipv6');
    assert.equal(x.host, '[2001:DB8::1]');
    assert.equal(x.hostname, '2001:db8::1');
    assert.equal(x.port, 5061);
    assert.ok(x.params.has('ob'));
    assert.ok(x.ob);
    const g = u('sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;user=Phone') as SipUri;
    assert.equal(g.gr, 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
    assert.equal(g.userParam, 'phone');
  });
  test('RFC 3261 §25.1: a port must be digits followed by ";", "?" or the end (bad port)', () => {
    assert.equal(bad('sip:a@1.2.3.4:5060transport=udp'), 'invalid port in URI');
    assert.equal(bad('sip:a@1.2.3.4:'), 'invalid port in URI');
    assert.equal(bad('sip:a@1.2.3.4:65536'), 'invalid port in URI');
  });
  test('RFC 3261 §25.1: malformed hosts, users, escapes and characters are rejected with a reason', () => {
    assert.equal(bad('sip:a@'), 'missing host in URI');
    assert.equal(bad('sip:@example.com'), 'empty user part in URI');
    assert.equal(bad('sip:a@256.1.1.1'), 'invalid IPv4 address in URI');
    assert.equal(bad('sip:a@[2001:db8:::1]'), 'invalid IPv6 reference in URI');
    assert.equal(bad('sip:a@[2001:db8::1'), 'unterminated IPv6 reference in URI');
    assert.equal(bad('sip:a%2@example.com'), 'invalid escape in user part');
    assert.equal(bad('sip:a b@example.com'), 'invalid character in user part');
    assert.equal(bad('sip:a@exa mple.com'), 'whitespace inside URI');
    assert.equal(bad('sip:a@-example.com'), 'host label starts or ends with "-"');
    assert.equal(bad('sip:a@example.com;'), 'empty URI parameter');
    assert.equal(bad('sip:a@example.com;lr='), 'empty value for URI parameter lr');
    assert.equal(bad('sip:a@example.com?x'), 'URI header without "="');
    assert.equal(bad('<sip:a@example.com>'), 'URI scheme must start with a letter');
    assert.equal(bad('nocolon'), 'missing ":" after URI scheme');
    assert.equal(bad(''), 'empty URI');
  });
  test('RFC 3261 §19.1.2: escaped characters are kept as written and decoded on request', () => {
    const x = u('sip:%61lice@example.com') as SipUri;
    assert.equal(x.user, '%61lice');
    assert.equal(unescape(x.user!), 'alice');
    assert.equal(escape('a b@c', USER), 'a%20b%40c');
  });
  test('RFC 3966: tel URIs (global numbers, local numbers need phone-context)', () => {
    const t = u('tel:+1-201-555-0123;ext=42') as TelUri;
    assert.equal(t.kind, 'tel');
    assert.equal(t.global, true);
    assert.equal(t.digits, '+12015550123');
    assert.equal(t.params.get('ext'), '42');
    assert.equal(t.toString(), 'tel:+1-201-555-0123;ext=42');
    assert.equal(bad('tel:7042'), 'local tel number without phone-context');
    assert.equal((u('tel:7042;phone-context=example.com') as TelUri).global, false);
    assert.equal(bad('tel:+1-2x'), 'invalid character in tel number');
  });
  test('RFC 3261 §19.1 / §25.1: other schemes are kept as opaque absolute URIs', () => {
    const x = u('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
    assert.equal(x.kind, 'absolute');
    assert.equal(x.scheme, 'urn');
    assert.equal(x.toString(), 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
  });
  test('parseUriOrThrow throws SipUriError with the reason', () => {
    assert.throws(() => parseUriOrThrow('sip:a@1.2.3.4:5060transport=udp'), (e: unknown) => e instanceof SipUriError && e.detail === 'invalid port in URI');
  });

  // RFC 3261 §19.1.4 examples
  const eq = (a: string, b: string) => uriEquals(u(a), u(b));
  test('RFC 3261 §19.1.4: the RFC\'s equivalent URI pairs compare equal', () => {
    assert.ok(eq('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'));
    assert.ok(eq('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'));
    assert.ok(eq('sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'));
    assert.ok(eq('sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'));
    assert.ok(eq('sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'));
    assert.ok(eq('sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'));
    assert.ok(eq('sip:a@[2001:db8::1]', 'sip:a@[2001:DB8:0:0:0:0:0:1]'));
  });
  test('RFC 3261 §19.1.4: the RFC\'s non-equivalent URI pairs compare unequal', () => {
    assert.ok(!eq('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'));
    assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'));
    assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'));
    assert.ok(!eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'));
    assert.ok(!eq('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'));
    assert.ok(!eq('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'));
    assert.ok(!eq('sip:alice@atlanta.com', 'sips:alice@atlanta.com'));
    assert.ok(!eq('sip:user@example.com', 'sip:user%40x@example.com'));
  });
  test('RFC 3966 §4: tel URIs compare without visual separators', () => {
    assert.ok(eq('tel:+1-201-555-0123', 'tel:+1.201.555.0123'));
    assert.ok(!eq('tel:+1-201-555-0123', 'tel:+1-201-555-0124'));
  });
});
