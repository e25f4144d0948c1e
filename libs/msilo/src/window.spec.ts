import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Window } from './window.js';

/** Acquires `size` and records the order in which holders got in. */
function taker(w: Window, got: string[]) {
  return (name: string, size: number): Promise<void> => Promise.resolve(w.acquire(size)).then(() => void got.push(name));
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('Window (msilo maxInFlight / maxInFlightBytes)', () => {
  test('at most maxCount holders; a release lets the next waiter in', async () => {
    const w = new Window(2);
    const got: string[] = [];
    const take = taker(w, got);
    void take('a', 0);
    void take('b', 0);
    void take('c', 0);
    await settle();
    assert.deepEqual(got, ['a', 'b']);
    w.release(0);
    await settle();
    assert.deepEqual(got, ['a', 'b', 'c']);
  });

  test('the sizes held stay within maxBytes', async () => {
    const w = new Window(100, 1000);
    const got: string[] = [];
    const take = taker(w, got);
    void take('a', 400);
    void take('b', 400);
    void take('c', 400);
    await settle();
    assert.deepEqual(got, ['a', 'b'], '1,200 bytes would exceed 1,000');
    w.release(400);
    await settle();
    assert.deepEqual(got, ['a', 'b', 'c']);
  });

  test('waiters go in order: a small one does not overtake a large one (storage order)', async () => {
    const w = new Window(100, 1000);
    const got: string[] = [];
    const take = taker(w, got);
    void take('a', 600);
    void take('big', 600);
    void take('small', 100);
    await settle();
    assert.deepEqual(got, ['a'], '"small" would fit, but waits behind "big"');
    w.release(600);
    await settle();
    assert.deepEqual(got, ['a', 'big', 'small']);
  });

  test('a message larger than maxBytes goes alone, never stuck', async () => {
    const w = new Window(100, 1000);
    const got: string[] = [];
    const take = taker(w, got);
    void take('huge', 5000);
    void take('next', 10);
    await settle();
    assert.deepEqual(got, ['huge']);
    w.release(5000);
    await settle();
    assert.deepEqual(got, ['huge', 'next']);
  });
});
