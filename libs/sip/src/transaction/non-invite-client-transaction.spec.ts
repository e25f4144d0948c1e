import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SendTarget } from '../transport/index.js';
import { harness, RecordingUser, request, responseTo, TIMERS, udpPeer } from './spec-support.js';
import type { NonInviteClientTransaction } from './non-invite-client-transaction.js';

const UDP: SendTarget = { transport: 'udp', address: '192.0.2.20', port: 5060 };
const TCP: SendTarget = { transport: 'tcp', address: '192.0.2.20', port: 5060 };
const SRC = udpPeer(5060, '192.0.2.20');

function start(target: SendTarget = UDP) {
  const h = harness();
  const user = new RecordingUser();
  const req = request({ method: 'MESSAGE', branch: 'z9hG4bK-nict1', sentBy: '192.0.2.1:5060' });
  const tx = h.layer.sendRequest(req, target, user) as NonInviteClientTransaction;
  return { ...h, user, req, tx };
}

/** Times (ms from start) at which the request was re-sent, up to `until`. */
function resendTimes(h: ReturnType<typeof start>, until: number): number[] {
  const at: number[] = [];
  for (let t = 0; t < until; t += 100) {
    const n = h.transport.sent.length;
    h.scheduler.advance(100);
    if (h.transport.sent.length > n) at.push(h.scheduler.now());
  }
  return at;
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  test('§17.1.2.2 Timer E: re-sent at T1, then doubling up to T2, while Trying; Timer F gives a 408', () => {
    const h = start();
    const at = resendTimes(h, TIMERS.f - 100);
    // intervals 0.5, 1, 2, 4, 4, 4 … : 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, …
    assert.deepEqual(at.slice(0, 6), [500, 1500, 3500, 7500, 11500, 15500]);
    h.scheduler.advance(100);
    assert.deepEqual(h.user.statuses(), [408]);
    assert.deepEqual(h.tx.failure, { kind: 'timeout', timer: 'F' });
    assert.equal(h.tx.state, 'terminated');
    assert.equal(h.scheduler.pending, 0);
  });

  test('§17.1.2.2: in Proceeding Timer E is reset to T2 each time', () => {
    const h = start();
    h.scheduler.advance(500); // first re-send at 0.5 s, next due at 1.5 s
    h.layer.receive(responseTo(h.req, 180), SRC);
    assert.equal(h.tx.state, 'proceeding');
    const at = resendTimes(h, 12_000);
    // E still fires at 1.5 s (armed in Trying), then every T2.
    assert.deepEqual(at, [1500, 5500, 9500]);
    assert.deepEqual(h.user.statuses(), [180]);
  });

  test('§17.1.2.2: a final response goes up once; Completed absorbs retransmissions; Timer K (T4) ends it', () => {
    const h = start();
    h.layer.receive(responseTo(h.req, 200), SRC);
    h.layer.receive(responseTo(h.req, 200), SRC);
    assert.deepEqual(h.user.statuses(), [200]);
    assert.equal(h.tx.state, 'completed');
    assert.equal(h.layer.stats().responseRetransmissionsAbsorbed, 1);
    h.scheduler.advance(TIMERS.kUnreliable - 1);
    assert.equal(h.tx.state, 'completed');
    h.scheduler.advance(1);
    assert.equal(h.tx.state, 'terminated');
    assert.equal(h.user.terminated, 1);
  });

  test('§17.1.2.2 reliable transport: no Timer E, and a final response ends it at once (Timer K = 0)', () => {
    const h = start(TCP);
    h.scheduler.advance(10_000);
    assert.equal(h.transport.sent.length, 1);
    h.layer.receive(responseTo(h.req, 404), { ...SRC, transport: 'tcp', connectionId: 77 });
    assert.equal(h.tx.state, 'terminated');
    assert.equal(h.scheduler.pending, 0);
  });

  test('the user may terminate the transaction from onResponse', () => {
    const h = harness();
    const req = request({ method: 'OPTIONS', branch: 'z9hG4bK-opt', sentBy: '192.0.2.1' });
    let terminated = 0;
    const tx = h.layer.sendRequest(req, UDP, {
      onResponse: (_res, _src, t) => t.terminate(),
      onTerminated: () => terminated++,
    });
    h.layer.receive(responseTo(req, 200), SRC);
    assert.equal(tx.state, 'terminated');
    assert.equal(terminated, 1);
    assert.equal(h.scheduler.pending, 0);
  });

  test('a transaction still waiting when the layer stops reports a 503 (failure stopped), so its user settles', () => {
    const h = start();
    h.layer.receive(responseTo(h.req, 100), SRC);
    h.layer.stop();
    assert.deepEqual(h.user.statuses(), [100, 503]);
    assert.deepEqual(h.tx.failure, { kind: 'stopped' });
    assert.equal(h.tx.state, 'terminated');
    assert.equal(h.scheduler.pending, 0);
    const late = new RecordingUser();
    const req2 = request({ method: 'MESSAGE', branch: 'z9hG4bK-nict-late', sentBy: '192.0.2.1:5060' });
    h.layer.sendRequest(req2, UDP, late);
    assert.deepEqual(late.statuses(), [503], 'a request after stop is answered at once');
    assert.equal(h.transport.sent.length, 1, 'nothing more was sent');
  });
});
