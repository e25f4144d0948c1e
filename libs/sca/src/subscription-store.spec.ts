import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitRouteSet } from './subscription-store.js';
import { isHoldSdp } from './sdp-hold.js';

test('a stored route set splits on commas outside <> and quotes', () => {
  assert.deepEqual(splitRouteSet('<sip:a;lr>, "x, y" <sip:b;lr>'), ['<sip:a;lr>', '"x, y" <sip:b;lr>']);
  assert.deepEqual(splitRouteSet(null), []);
});

test('hold is a=sendonly, a=inactive or c=0.0.0.0 (RFC 3264 §8.4)', () => {
  assert.equal(isHoldSdp('v=0\r\na=sendonly\r\n'), true);
  assert.equal(isHoldSdp('v=0\r\na=inactive\r\n'), true);
  assert.equal(isHoldSdp('v=0\r\nc=IN IP4 0.0.0.0\r\n'), true);
  assert.equal(isHoldSdp('v=0\r\na=sendrecv\r\n'), false);
  assert.equal(isHoldSdp(undefined), false);
});
