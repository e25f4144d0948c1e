import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROXY_REPLIES, type ProxyReplyCode } from './local-replies.js';

describe('PROXY_REPLIES (the proxy core’s own final responses)', () => {
  const codes = Object.keys(PROXY_REPLIES) as ProxyReplyCode[];

  test('every code maps to a final failure status with a reason and the rule it comes from', () => {
    assert.ok(codes.length >= 8);
    for (const code of codes) {
      const e = PROXY_REPLIES[code];
      assert.ok(e.status >= 400 && e.status <= 699, `${code}: ${e.status}`);
      assert.ok(e.reason.length > 0 && !/[\r\n]/.test(e.reason), `${code}: reason`);
      assert.match(e.rule, /\S{8,}/, `${code}: rule`);
    }
  });

  test('the statuses the RFC fixes', () => {
    assert.equal(PROXY_REPLIES.tooManyHops.status, 483);
    assert.equal(PROXY_REPLIES.requestTerminated.status, 487);
    assert.equal(PROXY_REPLIES.noSuchTransaction.status, 481);
    assert.equal(PROXY_REPLIES.timeout.status, 408);
    assert.equal(PROXY_REPLIES.serviceUnavailableUpstream.status, 500);
  });
});
