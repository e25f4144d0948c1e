import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsRegistry } from './stats.js';
import { EventBus } from './event-bus.js';

test('stats registry snapshots counters and gauges by module', () => {
  const reg = new StatsRegistry();
  const c = reg.counter('registrar', 'accepted_regs', 'REGISTERs accepted');
  reg.gauge('registrar', 'registered_users', 'AoRs with bindings', () => 7);
  c.inc();
  c.inc(2);
  assert.deepEqual(reg.snapshot(), { registrar: { accepted_regs: 3, registered_users: 7 } });
  assert.throws(() => reg.counter('x', 'accepted_regs', 'dup'), /twice/);
});

test('event bus isolates a throwing listener and reaches the others', () => {
  const errors: unknown[] = [];
  const bus = new EventBus<{ a: number }>((e) => errors.push(e));
  const seen: number[] = [];
  bus.on('a', () => {
    throw new Error('boom');
  });
  bus.on('a', (n) => seen.push(n));
  bus.onAny((_name, n) => seen.push(n * 10));
  bus.emit('a', 1);
  assert.deepEqual(seen, [1, 10]);
  assert.equal(errors.length, 1);
});
