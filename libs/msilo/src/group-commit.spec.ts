import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, type Settled } from './group-commit.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('GroupCommit', () => {
  test('items submitted in one event-loop iteration share one statement; each promise settles with its own result', async () => {
    const batches: number[][] = [];
    const g = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      return items.map((v) => ({ ok: true, value: v * 10 }));
    }, { maxBatch: 100, concurrency: 1 });
    const out = await Promise.all([1, 2, 3].map((v) => g.submit(v)));
    assert.deepEqual(out, [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  test('while a statement is in flight, new items wait and then go out together (group commit)', async () => {
    const gates: Array<ReturnType<typeof deferred<Settled<number>[]>>> = [];
    const batches: number[][] = [];
    const g = new GroupCommit<number, number>((items) => {
      batches.push(items);
      const d = deferred<Settled<number>[]>();
      gates.push(d);
      return d.promise;
    }, { maxBatch: 100, concurrency: 1 });
    const first = g.submit(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4].map((v) => g.submit(v));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [[1]], 'nothing else starts while one is in flight');
    let settled = false;
    void first.then(() => (settled = true));
    await Promise.resolve();
    assert.equal(settled, false, 'no answer before the commit');
    gates[0]!.resolve([{ ok: true, value: 1 }]);
    assert.equal(await first, 1);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
    gates[1]!.resolve([2, 3, 4].map((value) => ({ ok: true, value })));
    assert.deepEqual(await Promise.all(rest), [2, 3, 4]);
    await g.idle();
  });

  test('maxBatch splits a large queue; concurrency bounds statements in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const sizes: number[] = [];
    const g = new GroupCommit<number, number>(async (items) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      sizes.push(items.length);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return items.map((value) => ({ ok: true, value }));
    }, { maxBatch: 4, concurrency: 2 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => g.submit(i)));
    assert.deepEqual(sizes, [4, 4, 2]);
    assert.equal(peak, 2);
  });

  test('a failed item rejects only its own promise; a failed statement rejects its whole batch', async () => {
    const g = new GroupCommit<number, number>(async (items) => {
      if (items.includes(99)) throw new Error('statement failed');
      return items.map((v) => (v === 2 ? { ok: false, error: new Error('bad row') } : { ok: true, value: v }));
    }, { maxBatch: 100, concurrency: 1 });
    const r = await Promise.allSettled([g.submit(1), g.submit(2), g.submit(3)]);
    assert.deepEqual(r.map((x) => x.status), ['fulfilled', 'rejected', 'fulfilled']);
    await assert.rejects(g.submit(99), /statement failed/);
  });
});
