import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, flushMicrotasks, message, rig } from './spec-support.js';

const BOB = 'sip:bob@example.com';

describe('check_time and clean_period sweeps', () => {
  test('clean_period: expired messages are discarded on every clean_period-th check_time cycle, announced as message.expired', async () => {
    const r = rig({ check_time: 10, clean_period: 3, expire_time: 45 });
    r.silo.start();
    await r.silo.store(message({ body: 'old news' }));
    // Expires at +45 s; the expiry sweeps run at +30 s and +60 s.
    await advance(r, 50_000);
    assert.equal(r.store.size, 1, 'expired at +45 s but the next sweep is at +60 s');
    await advance(r, 10_000);
    assert.equal(r.store.size, 0);
    const e = r.events.find((x) => x.name === 'message.expired')!;
    assert.deepEqual((e.payload as { id: number; bodyPreview: string }).id, 1);
    assert.equal((e.payload as { bodyPreview: string }).bodyPreview, 'old news');
    await r.silo.stop();
  });

  test('expire_time: a message is discarded when exp_time <= now, not before', async () => {
    const r = rig({ expire_time: 100 });
    await r.silo.store(message());
    r.clock.advance(99_000);
    assert.equal(await r.silo.expireNow(), 0);
    r.clock.advance(1_000);
    assert.equal(await r.silo.expireNow(), 1);
    assert.equal(r.store.size, 0);
  });

  test('check_time (default 60 s): the sweep timer runs every check_time seconds', async () => {
    const r = rig({ clean_period: 1, expire_time: 30 });
    r.silo.start();
    await r.silo.store(message());
    await advance(r, 59_000);
    assert.equal(r.store.size, 1);
    await advance(r, 1_000);
    assert.equal(r.store.size, 0);
    await r.silo.stop();
  });

  test('check_time: a delivery that never gets an answer is released after staleDeliveryMs, counted failed, and kept', async () => {
    const r = rig({ check_time: 10 }, { limits: { staleDeliveryMs: 30_000 } });
    await r.silo.store(message());
    r.sender.reply = () => 'defer';
    void r.silo.dump(BOB, { destinations: [{ uri: 'sip:bob@192.0.2.50' }] });
    await flushMicrotasks(50);
    assert.equal(r.silo.delivering, 1);
    r.silo.start();
    r.scheduler.advance(30_000);
    await r.silo.runCheckCycle();
    assert.equal(r.silo.delivering, 0);
    assert.equal(r.stat('failed_messages'), 1);
    assert.equal(r.store.size, 1);
    // A late 2xx still deletes it (it was delivered), without counting a second failure.
    r.sender.sent[0]!.answer(200);
    await r.silo.settled();
    assert.equal(r.store.size, 0);
    assert.equal(r.stat('failed_messages'), 1);
    for (const s of r.sender.sent) s.answer(200);
    await r.silo.stop();
  });

  test('start() registers the check_time timer (and send_time when reminders are on); stop() cancels them', async () => {
    const r = rig({ send_time: 30, reminder: 'sip:rem@example.org' });
    r.silo.start();
    r.silo.start();
    assert.equal(r.scheduler.active, 2);
    await r.silo.stop();
    assert.equal(r.scheduler.active, 0);
  });

  test('a sweep that fails (database down) is logged and the next one runs', async () => {
    const r = rig({ check_time: 10, clean_period: 1, expire_time: 5 });
    const real = r.store.deleteExpired.bind(r.store);
    let down = true;
    r.store.deleteExpired = async (now) => {
      if (down) throw new Error('db down');
      return real(now);
    };
    await r.silo.store(message());
    r.silo.start();
    await advance(r, 10_000);
    assert.match(r.warnings.join('\n'), /db down/);
    down = false;
    await advance(r, 10_000);
    assert.equal(r.store.size, 0);
    await r.silo.stop();
  });
});
