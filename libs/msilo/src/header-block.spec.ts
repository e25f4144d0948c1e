import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHeaderBlock, parseHeaderBlock } from './header-block.js';

describe('header blocks (contact_hdr, content_type_hdr, extra_hdrs: "Name: value\\r\\n" each)', () => {
  test('CRLF, bare LF, no final CRLF, and the two-character \\r\\n escapes of single-quoted YAML', () => {
    const want = [
      ['X-Extra', 'a'],
      ['Y-Extra', 'foo'],
    ];
    assert.deepEqual(parseHeaderBlock('X-Extra: a\r\nY-Extra: foo\r\n').lines, want);
    assert.deepEqual(parseHeaderBlock('X-Extra: a\nY-Extra: foo').lines, want);
    assert.deepEqual(parseHeaderBlock('X-Extra: a\\r\\nY-Extra: foo\\r\\n').lines, want);
  });

  test('lines that are not "token: value" are rejected, never sent', () => {
    const r = parseHeaderBlock('Contact registrar@192.168.1.2\r\nBad Name: x\r\nGood: y\r\n');
    assert.deepEqual(r.lines, [['Good', 'y']]);
    assert.equal(r.rejected.length, 2);
  });

  test('format is the inverse', () => {
    assert.equal(formatHeaderBlock([['A', '1'], ['B', '2']]), 'A: 1\r\nB: 2\r\n');
  });
});
