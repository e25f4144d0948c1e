import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REASON_PHRASES } from '@pbx/sip';
import { SILO_ERRORS, SiloError, type SiloErrorCode } from './silo-errors.js';

describe('SILO_ERRORS: one table from engine error to SIP reply and HTTP status', () => {
  test('every code maps to a final SIP failure status, an HTTP error status and a description', () => {
    for (const [code, e] of Object.entries(SILO_ERRORS)) {
      assert.ok(e.sip >= 400 && e.sip <= 699, `${code}: SIP ${e.sip}`);
      assert.ok(Object.hasOwn(REASON_PHRASES, e.sip), `${code}: ${e.sip} is a registered SIP status`);
      assert.ok(e.http >= 400 && e.http <= 599, `${code}: HTTP ${e.http}`);
      assert.ok(e.reason.length > 0 && !/[\r\n]/.test(e.reason), `${code}: reason`);
      assert.ok(e.description.length > 10, `${code}: description`);
    }
  });

  test('SiloError carries the code and its HTTP status', () => {
    for (const code of Object.keys(SILO_ERRORS) as SiloErrorCode[]) {
      const e = new SiloError(code, 'detail');
      assert.equal(e.code, code);
      assert.equal(e.status, SILO_ERRORS[code].http);
      assert.match(e.message, /detail$/);
    }
  });
});
