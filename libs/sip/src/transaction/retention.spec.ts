import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../message/index.js';
import { retainedBytes } from '../heap-spec-support.js';
import { harness, request, udpPeer } from './spec-support.js';

const BODY_BYTES = 20_000;
const COUNT = 500;

describe('a transaction that outlives its request does not keep its text (RFC 3261 §17.2.2 Timer J)', () => {
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
});
