import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requestUrisEquivalent } from './uri-equivalence.js';

describe('requestUrisEquivalent (RFC 7616 §3.4.6 with RFC 3261 §19.1.4 comparison)', () => {
  test('RFC 3261 §19.1.4: the equivalent pairs of the RFC compare equal', () => {
    for (const [a, b] of [
      ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
      ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
      ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
      ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
      ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
      ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
      ['SIP:bob@[2001:DB8::1]:5070', 'sip:bob@[2001:db8::1]:5070'],
    ]) {
      assert.ok(requestUrisEquivalent(a!, b!), `${a} = ${b}`);
      assert.ok(requestUrisEquivalent(b!, a!), `${b} = ${a}`);
    }
  });

  test('RFC 3261 §19.1.4: the non-equivalent pairs of the RFC compare unequal', () => {
    for (const [a, b] of [
      ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
      ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
      ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
      ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
      ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
      ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
      ['sip:bob@biloxi.com', 'sips:bob@biloxi.com'],
      ['sip:bob@biloxi.com', 'sip:biloxi.com'],
      ['sip:bob@biloxi.com;user=phone', 'sip:bob@biloxi.com'],
      ['sip:bob@biloxi.com;maddr=192.0.2.1', 'sip:bob@biloxi.com'],
      ['sip:bob@biloxi.com;ttl=1', 'sip:bob@biloxi.com;ttl=2'],
    ]) {
      assert.ok(!requestUrisEquivalent(a!, b!), `${a} != ${b}`);
      assert.ok(!requestUrisEquivalent(b!, a!), `${b} != ${a}`);
    }
  });

  test('reserved characters stay significant when escaped', () => {
    assert.ok(!requestUrisEquivalent('sip:a%40b@host', 'sip:a@b@host'));
    assert.ok(requestUrisEquivalent('sip:a%2fb@host', 'sip:a%2Fb@host'));
  });

  test('non-SIP URIs: case-insensitive scheme, the rest compared exactly', () => {
    assert.ok(requestUrisEquivalent('TEL:+15551234', 'tel:+15551234'));
    assert.ok(!requestUrisEquivalent('tel:+15551234', 'tel:+15551235'));
    assert.ok(!requestUrisEquivalent('/dir/index.html', 'sip:bob@biloxi.com'));
    assert.ok(!requestUrisEquivalent('sip:bob@host:port', 'sip:bob@host:port'.replace('port', '5060')));
  });
});
