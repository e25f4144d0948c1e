import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '@pbx/core';
import { ManualScheduler, systemScheduler, type TimerTarget } from './scheduler.js';

class Log implements TimerTarget {
  readonly fired: Array<[string, number]> = [];
  constructor(private readonly s: ManualScheduler) {}
  onTimer(name: string): void {
    this.fired.push([name, this.s.now()]);
  }
}

describe('ManualScheduler', () => {
  test('fires due timers in time order, moving the shared clock to each due time', () => {
    const clock = new ManualClock(1000);
    const s = new ManualScheduler(clock);
    const log = new Log(s);
    s.schedule(300, log, 'c');
    s.schedule(100, log, 'a');
    s.schedule(200, log, 'b');
    s.advance(250);
    assert.deepEqual(log.fired, [['a', 1100], ['b', 1200]]);
    assert.equal(clock.now(), 1250);
    s.advance(50);
    assert.deepEqual(log.fired.at(-1), ['c', 1300]);
    assert.equal(s.pending, 0);
  });

  test('ties fire in the order armed; cancelled timers never fire', () => {
    const s = new ManualScheduler();
    const log = new Log(s);
    s.schedule(10, log, 'x');
    const h = s.schedule(10, log, 'y');
    s.schedule(10, log, 'z');
    s.cancel(h);
    s.cancel(h);
    assert.equal(s.pending, 2);
    s.advance(10);
    assert.deepEqual(log.fired.map((f) => f[0]), ['x', 'z']);
  });

  test('timers armed while firing are honoured within the same advance', () => {
    const s = new ManualScheduler();
    const fired: number[] = [];
    const target: TimerTarget = {
      onTimer: () => {
        fired.push(s.now());
        if (fired.length < 4) s.schedule(100, target, 'again');
      },
    };
    s.schedule(100, target, 'first');
    s.advance(1000);
    assert.deepEqual(fired, [100, 200, 300, 400]);
  });

  test('runAll runs until no timer is left', () => {
    const s = new ManualScheduler();
    const log = new Log(s);
    s.schedule(5000, log, 'late');
    assert.equal(s.runAll(), 5000);
    assert.equal(log.fired.length, 1);
  });

  test('systemScheduler fires through setTimeout and can be cancelled', async () => {
    let n = 0;
    const t: TimerTarget = { onTimer: () => n++ };
    const h = systemScheduler.schedule(1, t, 'x');
    systemScheduler.cancel(h);
    await new Promise<void>((resolve) => systemScheduler.schedule(1, { onTimer: () => resolve() }, 'y'));
    assert.equal(n, 0);
  });
});
