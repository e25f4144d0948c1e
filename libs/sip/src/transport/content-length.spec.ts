import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTENT_LENGTH_CONFLICT,
  CONTENT_LENGTH_INVALID,
  CONTENT_LENGTH_MISSING,
  readContentLength,
} from './content-length.js';

const start = 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n';

/** [header lines, expected] */
const cases: Array<[string, number]> = [
  ['Content-Length: 0', 0],
  ['Content-Length: 142', 142],
  ['content-length: 7', 7],
  ['CONTENT-LENGTH: 7', 7],
  ['l: 9', 9],
  ['L:9', 9],
  ['Content-Length : 3', 3],
  ['Content-Length\t:\t3\t', 3],
  ['Content-Length:\r\n 12', 12],
  ['Content-Length: 0012', 12],
  ['Content-Length: 5\r\nl: 5', 5],
  ['Content-Type: text/plain', CONTENT_LENGTH_MISSING],
  ['Content-Lengthy: 5', CONTENT_LENGTH_MISSING],
  ['Lines: 5', CONTENT_LENGTH_MISSING],
  ['X-Content-Length: 5', CONTENT_LENGTH_MISSING],
  ['Content-Length:', CONTENT_LENGTH_INVALID],
  ['Content-Length: -1', CONTENT_LENGTH_INVALID],
  ['Content-Length: 1 2', CONTENT_LENGTH_INVALID],
  ['Content-Length: 0x10', CONTENT_LENGTH_INVALID],
  ['Content-Length: 5\r\nContent-Length: 6', CONTENT_LENGTH_CONFLICT],
];

describe('readContentLength (RFC 3261 §20.14, §7.3.1)', () => {
  for (const [lines, expected] of cases) {
    test(`${JSON.stringify(lines)} → ${expected}`, () => {
      const header = Buffer.from(`${start}${lines}\r\nCall-ID: a\r\n\r\n`);
      assert.equal(readContentLength(header), expected);
    });
  }

  test('the start line is never taken for a header', () => {
    assert.equal(readContentLength(Buffer.from('l: 5 sip:x SIP/2.0\r\nCall-ID: a\r\n\r\n')), CONTENT_LENGTH_MISSING);
  });

  test('a huge value is reported as a number over any limit, not wrapped', () => {
    const v = readContentLength(Buffer.from(`${start}Content-Length: 123456789012345678901234567890\r\n\r\n`));
    assert.ok(v > 2 ** 40);
  });

  test('only the given range is read', () => {
    const buf = Buffer.from(`${start}Call-ID: a\r\n\r\nContent-Length: 5\r\n`);
    assert.equal(readContentLength(buf, 0, buf.indexOf('\r\n\r\n') + 4), CONTENT_LENGTH_MISSING);
  });
});
