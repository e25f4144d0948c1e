import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { retainedBytes } from '../heap-spec-support.js';
import { NonceCountTracker } from './nonce-count-tracker.js';

describe('NonceCountTracker (RFC 7616 §3.4 nonce-count replay detection)', () => {
  test('RFC 7616 §3.4: an nc not greater than the highest seen for the nonce is a replay', () => {
    const t = new NonceCountTracker({ maxEntries: 10, sweepIntervalMs: 1000 });
    assert.equal(t.accept('a', 1, 0, 100, 0), 'accepted');
    assert.equal(t.accept('a', 1, 0, 100, 1), 'replay');
    assert.equal(t.accept('a', 3, 0, 100, 2), 'accepted');
    assert.equal(t.accept('a', 2, 0, 100, 3), 'replay');
    assert.equal(t.accept('b', 1, 0, 100, 4), 'accepted'); // per nonce
  });

  test('nc starts at 00000001: zero is never fresh', () => {
    const t = new NonceCountTracker({ maxEntries: 10, sweepIntervalMs: 1000 });
    assert.equal(t.accept('a', 0, 0, 100, 0), 'replay');
  });

  test('bounded memory: expired nonces are swept', () => {
    const t = new NonceCountTracker({ maxEntries: 1000, sweepIntervalMs: 10 });
    for (let i = 0; i < 50; i++) t.accept(`n${i}`, 1, 0, 100, 0);
    assert.equal(t.size, 50);
    t.accept('late', 1, 200, 300, 200); // sweep runs: the first 50 expired at 100
    assert.equal(t.size, 1);
  });

  test('hard cap: the oldest are dropped, and a dropped nonce is never taken for a fresh one', () => {
    const t = new NonceCountTracker({ maxEntries: 3, sweepIntervalMs: 1_000_000 });
    t.accept('n1', 5, 1, 1000, 10);
    t.accept('n2', 1, 2, 1000, 10);
    t.accept('n3', 1, 3, 1000, 10);
    t.accept('n4', 1, 4, 1000, 10); // drops n1 (issued at 1)
    assert.equal(t.size, 3);
    // Without the watermark n1 would restart at nc=1: a replay window.
    assert.equal(t.accept('n1', 1, 1, 1000, 11), 'forgotten');
    assert.equal(t.accept('n1', 6, 1, 1000, 11), 'forgotten');
    // A nonce issued after the dropped one is still judged normally.
    assert.equal(t.accept('n5', 1, 5, 1000, 12), 'accepted');
    assert.equal(t.accept('n4', 1, 4, 1000, 12), 'replay');
  });

  test('an expired entry dropped at the cap does not raise the forgotten watermark', () => {
    const t = new NonceCountTracker({ maxEntries: 1, sweepIntervalMs: 1_000_000 });
    t.accept('old', 1, 50, 60, 0);
    t.accept('new', 1, 100, 1000, 100); // drops 'old', already expired at 100
    assert.equal(t.accept('mid', 1, 70, 1000, 100), 'accepted');
  });

  test('an entry keeps the nonce, not the request it arrived in', () => {
    const COUNT = 500;
    const HEADER_BYTES = 20_000;
    const t = new NonceCountTracker({ maxEntries: 10_000, sweepIntervalMs: 60_000 });
    const { bytes } = retainedBytes(() => {
      for (let i = 0; i < COUNT; i++) {
        const nonce = `${i}-${'n'.repeat(30)}`;
        const header = `Digest nonce="${nonce}", `.padEnd(HEADER_BYTES, ' ');
        assert.equal(t.accept(header.slice(14, 14 + nonce.length), 1, 0, 60_000, 0), 'accepted');
      }
    });
    assert.equal(t.size, COUNT);
    assert.ok(bytes < (COUNT * HEADER_BYTES) / 10, `${COUNT} nonces hold ${bytes} bytes; their headers had ${COUNT * HEADER_BYTES}`);
  });
});
