import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expandPv, pvContextForOwner, pvContextOf } from './pseudo-variables.js';
import { message } from './spec-support.js';

describe('pseudo-variables in msilo parameters', () => {
  const ctx = pvContextOf(message({ ruri: 'sip:bob@example.com;transport=tcp', from: 'sip:alice@example.net', to: 'sip:bob@example.com', callId: 'cid-1' }));

  test('$ru $rU $rd $fu $fU $fd $tu $tU $td $ci $rm expand from the request', () => {
    assert.equal(expandPv('$ru|$rU|$rd', ctx), 'sip:bob@example.com;transport=tcp|bob|example.com');
    assert.equal(expandPv('$fu|$fU|$fd', ctx), 'sip:alice@example.net|alice|example.net');
    assert.equal(expandPv('$tu|$tU|$td', ctx), 'sip:bob@example.com|bob|example.com');
    assert.equal(expandPv('$ci $rm', ctx), 'cid-1 MESSAGE');
  });

  test('the seed examples: "sip:$rU@example.org", "*** User $rU is offline!", "X-Extra: $tu\\r\\n"', () => {
    assert.equal(expandPv('sip:$rU@example.org', ctx), 'sip:bob@example.org');
    assert.equal(expandPv('*** User $rU is offline!', ctx), '*** User bob is offline!');
    assert.equal(expandPv('X-Extra: $tu\r\nY-Extra: foo\r\n', ctx), 'X-Extra: sip:bob@example.com\r\nY-Extra: foo\r\n');
  });

  test('unknown variables and longer names are left as written', () => {
    assert.equal(expandPv('$avp(x) $rUx $$ $', ctx), '$avp(x) $rUx $$ $');
  });

  test('a dump without its REGISTER: From/To are the owner AoR, R-URI the domain', () => {
    const c = pvContextForOwner('bob', 'example.com');
    assert.equal(expandPv('$tu $fU $rd $ru', c), 'sip:bob@example.com bob example.com sip:example.com');
  });
});
