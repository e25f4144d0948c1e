import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Binding } from './binding.js';
import { GroupCommitWriter, WriteBackBuffer } from './db-writers.js';
import { ExpiryWheel } from './expiry-wheel.js';
import { gruuTarget, pubGruu, RuidGenerator, tempGruu } from './gruu.js';
import { KeyedLock } from './keyed-lock.js';
import { MemoryLocationStore } from './memory-location-store.js';
import { allowsMethod, methodMask, methodNames } from './methods.js';
import { parseSipUri } from '@pbx/sip';

function b(ruid: string, expires: number): Binding {
  return new Binding({
    ruid, aor: 'alice', contact: 'sip:alice@192.0.2.1', received: null, path: null, expires, q: 0, callId: 'c', cseq: 1,
    flags: 0, cflags: 0, userAgent: '', methods: null, instance: null, regId: 0, serverId: 0, connectionId: 0, keepalive: 0,
    lastModified: 0, transport: 'udp', sourceAddress: '192.0.2.1', sourcePort: 5060, localAddress: '198.51.100.1', localPort: 5060,
  });
}

test('expiry wheel: visits each filed ruid once when its second comes, keeps what is not due yet', () => {
  const w = new ExpiryWheel(0);
  const expires = new Map([['x', 1500], ['y', 3000]]);
  for (const [r, e] of expires) w.add(r, e);
  const seen: string[] = [];
  const visit = (now: number) => (r: string) => {
    if (expires.get(r)! > now) return false;
    seen.push(r);
    return true;
  };
  w.due(1499, visit(1499));
  assert.equal(seen.length, 0);
  w.due(1500, visit(1500));
  assert.deepEqual(seen, ['x']);
  w.due(10_000_000, visit(10_000_000));
  assert.deepEqual(seen, ['x', 'y']);
  assert.equal(w.bucketCount, 0);
});

test('group commit: changes made while a write is in flight go out together in the next one', async () => {
  const store = new MemoryLocationStore();
  const runs: Array<() => void> = [];
  const g = new GroupCommitWriter(store, (fn) => runs.push(fn));
  const p1 = g.commit([b('a', 1)], []);
  const p2 = g.commit([b('b', 1)], ['z']);
  assert.equal(runs.length, 1);
  runs[0]!();
  await Promise.all([p1, p2]);
  assert.equal(store.batches.length, 1);
  assert.deepEqual(store.batches[0]!.deletes, ['z']);
  store.failNext = 1;
  const p3 = g.commit([b('c', 1)], []);
  runs[1]!();
  await assert.rejects(p3);
});

test('write-back: the last change per ruid wins; a delete after an upsert is a delete', async () => {
  const store = new MemoryLocationStore();
  const w = new WriteBackBuffer(store, 100);
  w.enqueue([b('a', 1)], []);
  w.enqueue([], ['a']);
  w.enqueue([b('c', 1)], []);
  await w.flush();
  assert.deepEqual(store.batches[0]!.deletes, ['a']);
  assert.deepEqual(store.batches[0]!.upserts.map((x) => x.ruid), ['c']);
});

test('keyed lock: one key at a time, in order; other keys do not wait', async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a = lock.run('k', async () => {
    await gate;
    order.push('a');
  });
  const b2 = lock.run('k', async () => {
    order.push('b');
  });
  await lock.run('other', async () => {
    order.push('other');
  });
  release();
  await Promise.all([a, b2]);
  assert.deepEqual(order, ['other', 'a', 'b']);
  assert.equal(lock.size, 0);
});

test('ruids are unique, lower case and fit location.ruid', () => {
  const g = new RuidGenerator(12, Date.UTC(2025, 0, 1));
  const a = g.next();
  const c = g.next();
  assert.notEqual(a, c);
  assert.match(a, /^uloc-[0-9a-z]+-[0-9a-z]+$/);
  assert.ok(a.length <= 64);
});

test('RFC 5627: pub-gruu = AoR;gr=instance URN; temp-gruu = ruid@domain;gr; both recognised in a Request-URI', () => {
  const aor = { key: 'alice', user: 'alice', domain: null, host: 'example.com', scheme: 'sip' as const };
  const pub = pubGruu(aor, '<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>');
  assert.equal(pub, 'sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
  assert.deepEqual(gruuTarget(parseSipUri(pub)), { kind: 'pub', instanceUrn: 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6' });
  const temp = tempGruu(aor, 'uloc-abc-1');
  assert.deepEqual(gruuTarget(parseSipUri(temp)), { kind: 'temp', ruid: 'uloc-abc-1' });
  assert.equal(gruuTarget(parseSipUri('sip:alice@example.com')), null);
});

test('Kamailio method bits: Allow → mask → names; null accepts every method', () => {
  const m = methodMask(['INVITE', 'MESSAGE', 'FOO']);
  assert.equal(m, 1 | 256 | 524288);
  assert.deepEqual(methodNames(m), ['INVITE', 'MESSAGE', 'OTHER']);
  assert.equal(allowsMethod(m, 'MESSAGE'), true);
  assert.equal(allowsMethod(m, 'BYE'), false);
  assert.equal(allowsMethod(null, 'BYE'), true);
});
