import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { retainedBytes } from '../heap-spec-support.js';
import { detach } from './detach.js';

const TEXT_BYTES = 20_000;
const COUNT = 1_000;

/** COUNT message-sized texts, of which `keep` keeps a 24-char piece each. */
function piecesOf(keep: (piece: string) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const text = `${i}:`.padEnd(TEXT_BYTES, 'x');
    out.push(keep(text.slice(0, 24)));
  }
  return out;
}

describe('detach: a copy that does not keep the message it came from', () => {
  test('a slice keeps its whole text alive; a detached slice does not', () => {
    const sliced = retainedBytes(() => piecesOf((p) => p));
    const detached = retainedBytes(() => piecesOf(detach));
    assert.ok(sliced.bytes > (COUNT * TEXT_BYTES) / 2, `plain slices hold ${sliced.bytes} bytes`);
    assert.ok(detached.bytes < (COUNT * TEXT_BYTES) / 20, `detached copies hold ${detached.bytes} bytes`);
    assert.equal(detached.kept[7], '7:'.padEnd(24, 'x'));
    assert.equal(sliced.kept.length, COUNT);
  });

  test('short strings come back as they are', () => {
    assert.equal(detach('abc'), 'abc');
    assert.equal(detach(''), '');
  });
});
