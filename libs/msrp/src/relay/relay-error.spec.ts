import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RELAY_ERRORS } from './relay-error.js';

/** The response codes RFC 4975 §10 and RFC 4976 §5 define; the relay may answer with no other. */
const MSRP_CODES = new Set([200, 400, 401, 403, 408, 413, 415, 423, 481, 501, 506]);

describe('RELAY_ERRORS (one table: engine error → MSRP status → HTTP status)', () => {
  for (const [code, e] of Object.entries(RELAY_ERRORS)) {
    it(`${code}: an RFC 4975/4976 status with a comment and an HTTP status`, () => {
      assert.ok(MSRP_CODES.has(e.status), `${code}: ${e.status} is not an MSRP response code`);
      assert.ok(e.comment.length > 0 && !/[\r\n]/.test(e.comment));
      assert.ok(e.http >= 400 && e.http < 600);
    });
  }
});
