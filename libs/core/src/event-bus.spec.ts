import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from './event-bus.js';

describe('EventBus.emitLazy', () => {
  test('builds the payload only while someone listens, and delivers it then', () => {
    const bus = new EventBus<{ tick: { n: number } }>();
    let built = 0;
    const build = () => ({ n: ++built });
    bus.emitLazy('tick', build);
    assert.equal(built, 0);
    const seen: number[] = [];
    const off = bus.onAny((_name, p) => seen.push(p.n));
    bus.emitLazy('tick', build);
    assert.deepEqual(seen, [1]);
    off();
    bus.emitLazy('tick', build);
    assert.equal(built, 1);
  });
});
