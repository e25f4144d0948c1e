import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCA_ERRORS, ScaError, type ScaErrorCode } from './sca-errors.js';

test('every SCA error maps to a SIP 4xx with a reason and an HTTP 4xx', () => {
  for (const code of Object.keys(SCA_ERRORS) as ScaErrorCode[]) {
    const e = new ScaError(code);
    assert.ok(e.sipStatus >= 400 && e.sipStatus < 500, code);
    assert.ok(e.sipReason.length > 0, code);
    assert.ok(e.httpStatus >= 400 && e.httpStatus < 500, code);
    assert.ok(e.message.length > 0, code);
  }
});

test('no free appearance is 480 (BroadWorks §3)', () => {
  assert.equal(new ScaError('no_appearance').sipStatus, 480);
});
