import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../message/index.js';
import { retainedBytes } from '../heap-spec-support.js';
import { NonceCountTracker } from '../auth/nonce-count-tracker.js';
import { harness, request, udpPeer } from './spec-support.js';

const BODY_BYTES = 20_000;
const COUNT = 500;

describe('what outlives a request does not keep its text (RFC 3261 §17.2.2 Timer J)', () => {
  test('a completed non-INVITE server transaction waits out Timer J without holding the request', () => {
    const h = harness();
    h.core.onEach = (req, tx) => tx!.respond(createResponse(req, 200, undefined, { toTag: 't' }));
    const { bytes } = retainedBytes(() => {
      for (let i = 0; i < COUNT; i++) h.layer.receive(request({ method: 'MESSAGE', branch: `z9hG4bK-retained-${i}`, body: 'b'.repeat(BODY_BYTES) }), udpPeer());
      // What the test doubles recorded is theirs, not the layer's.
      h.core.requests.length = 0;
      h.transport.sent.length = 0;
    });
    assert.equal(h.layer.size(), COUNT, 'every transaction is still in Timer J');
    assert.ok(bytes < (COUNT * BODY_BYTES) / 10, `${COUNT} transactions in Timer J hold ${bytes} bytes; their requests had ${COUNT * BODY_BYTES}`);
  });

  test('the nonce-count table keeps the nonce, not the request it arrived in', () => {
    const t = new NonceCountTracker({ maxEntries: 10_000, sweepIntervalMs: 60_000 });
    const { bytes } = retainedBytes(() => {
      for (let i = 0; i < COUNT; i++) {
        const nonce = `${i}-${'n'.repeat(30)}`;
        const header = `Digest nonce="${nonce}", `.padEnd(BODY_BYTES, ' ');
        assert.equal(t.accept(header.slice(14, 14 + nonce.length), 1, 0, 60_000, 0), 'accepted');
      }
    });
    assert.equal(t.size, COUNT);
    assert.ok(bytes < (COUNT * BODY_BYTES) / 10, `${COUNT} nonces hold ${bytes} bytes; their headers had ${COUNT * BODY_BYTES}`);
  });
});
