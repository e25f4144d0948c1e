import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DelayQueueScheduler } from './delay-queue-scheduler.js';
import type { TimerTarget } from './scheduler.js';

/** Records which timers fired, in order, and resolves once `expected` have. */
function recorder(expected: number): { target: TimerTarget; fired: string[]; done: Promise<void> } {
  const fired: string[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    fired,
    done,
    target: {
      onTimer(name: string) {
        fired.push(name);
        if (fired.length === expected) resolve();
      },
    },
  };
}

describe('DelayQueueScheduler (the transaction timers on Node)', () => {
  test('timers of different delays fire in due order, whatever the order they were armed in', async () => {
    const s = new DelayQueueScheduler();
    const r = recorder(3);
    s.schedule(30, r.target, 'c');
    s.schedule(10, r.target, 'a');
    s.schedule(20, r.target, 'b');
    await r.done;
    assert.deepEqual(r.fired, ['a', 'b', 'c']);
  });

  test('timers of one delay fire in arming order; cancelled ones never fire, wherever they sit in the queue', async () => {
    const s = new DelayQueueScheduler();
    const r = recorder(3);
    const handles = ['t0', 't1', 't2', 't3', 't4', 't5'].map((n) => s.schedule(15, r.target, n));
    s.cancel(handles[0]!); // head
    s.cancel(handles[3]!); // middle
    s.cancel(handles[5]!); // tail
    s.cancel(handles[5]!); // twice: ignored
    await r.done;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(r.fired, ['t1', 't2', 't4']);
  });

  test('never fires early: a timer of 40 ms fires 40 ms or more after it was armed', async () => {
    const s = new DelayQueueScheduler();
    const t0 = performance.now();
    const at = await new Promise<number>((resolve) => s.schedule(40, { onTimer: () => resolve(performance.now()) }, 'x'));
    assert.ok(at - t0 >= 39.5, `fired after ${(at - t0).toFixed(2)} ms`);
  });

  test('a queue emptied by cancelling, then used again, fires the new timer (RFC 3261 §17 timers are re-armed this way)', async () => {
    const s = new DelayQueueScheduler();
    s.cancel(s.schedule(20, { onTimer: () => assert.fail('cancelled timer fired') }, 'gone'));
    const r = recorder(2);
    s.schedule(20, r.target, 'again');
    // Armed from inside a firing timer of the same delay: fires one delay later.
    s.schedule(5, { onTimer: () => s.schedule(20, r.target, 'chained') }, 'starter');
    await r.done;
    assert.deepEqual(r.fired, ['again', 'chained']);
  });

  test('a cancelled timer does not keep the process alive (as clearTimeout would not)', async () => {
    const module = fileURLToPath(new URL('./delay-queue-scheduler.js', import.meta.url));
    const script = `import { DelayQueueScheduler } from ${JSON.stringify(module)};
      const s = new DelayQueueScheduler();
      s.cancel(s.schedule(60000, { onTimer() {} }, 'guard'));`;
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }, (err) => (err ? reject(err) : resolve())),
    );
    assert.ok(Date.now() - t0 < 10_000, `the process lived ${Date.now() - t0} ms`);
  });
});
