import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Window } from './window.js';

const settle = () => new Promise<void>((r) => setImmediate(r));

/**
 * Asks `w` for each [name, size] in turn, then releases the first one:
 * returns who got in before that release and who after it.
 */
async function admitted(w: Window, asks: ReadonlyArray<[string, number]>): Promise<[string[], string[]]> {
  const got: string[] = [];
  for (const [name, size] of asks) void Promise.resolve(w.acquire(size)).then(() => void got.push(name));
  await settle();
  const before = [...got];
  w.release(asks[0]![1]);
  await settle();
  return [before, got];
}

describe('Window (msilo maxInFlight / maxInFlightBytes)', () => {
  test('at most maxCount holders; a release lets the next waiter in', async () => {
    assert.deepEqual(await admitted(new Window(2), [['a', 0], ['b', 0], ['c', 0]]), [['a', 'b'], ['a', 'b', 'c']]);
  });

  test('the sizes held stay within maxBytes', async () => {
    // 1,200 bytes would exceed 1,000: "c" waits for "a".
    assert.deepEqual(await admitted(new Window(100, 1000), [['a', 400], ['b', 400], ['c', 400]]), [['a', 'b'], ['a', 'b', 'c']]);
  });

  test('waiters go in order: a small one does not overtake a large one (storage order)', async () => {
    // "small" would fit beside "a", but waits behind "big".
    assert.deepEqual(await admitted(new Window(100, 1000), [['a', 600], ['big', 600], ['small', 100]]), [['a'], ['a', 'big', 'small']]);
  });

  test('a message larger than maxBytes goes alone, never stuck', async () => {
    assert.deepEqual(await admitted(new Window(100, 1000), [['huge', 5000], ['next', 10]]), [['huge'], ['huge', 'next']]);
  });
});
