import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NonceService } from './nonce-service.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const T0 = Date.UTC(2025, 0, 1);

describe('NonceService (stateless HMAC nonces)', () => {
  test('a nonce is valid from issue until its expiry, inclusive', () => {
    const s = new NonceService({ secret, expiresSec: 300 });
    const n = s.issue(T0);
    assert.equal(s.check(n, T0), 'valid');
    assert.equal(s.check(n, T0 + 300_000), 'valid');
    assert.deepEqual(s.verify(n, T0 + 1), { state: 'valid', issuedAt: T0, expiresAt: T0 + 300_000 });
  });

  test('RFC 7616 §3.3 stale: an authentic nonce past its expiry is stale, not invalid', () => {
    const s = new NonceService({ secret, expiresSec: 300 });
    const n = s.issue(T0);
    assert.equal(s.check(n, T0 + 300_001), 'stale');
    assert.equal(s.check(n, T0 + 86_400_000), 'stale');
  });

  test('an authentic nonce from the future (clock stepped back) is stale so the UA retries silently', () => {
    const s = new NonceService({ secret, expiresSec: 300 });
    assert.equal(s.check(s.issue(T0 + 10_000), T0), 'stale');
  });

  test('wire format: 40 base64url characters holding version, time, random and a 128-bit tag', () => {
    const s = new NonceService({ secret, expiresSec: 300 });
    const n = s.issue(T0);
    assert.match(n, /^[A-Za-z0-9_-]{40}$/);
    const b = Buffer.from(n, 'base64url');
    assert.equal(b.length, 30);
    assert.equal(b[0], 1);
    assert.equal(b.readUIntBE(1, 6), T0);
  });

  test('two nonces issued in the same millisecond differ (nc history is per nonce)', () => {
    const s = new NonceService({ secret, expiresSec: 300 });
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(s.issue(T0));
    assert.equal(seen.size, 100);
  });

  test('a forged nonce is invalid: any bit flipped, a moved timestamp, another secret', () => {
    const s = new NonceService({ secret, expiresSec: 300 });
    const n = s.issue(T0);
    const b = Buffer.from(n, 'base64url');
    for (const i of [0, 1, 6, 7, 13, 14, 29]) {
      const f = Buffer.from(b);
      f[i]! ^= 0x01;
      assert.equal(s.check(f.toString('base64url'), T0), 'invalid', `byte ${i}`);
    }
    // Re-dating an old nonce to now without the key: the tag no longer fits.
    const redated = Buffer.from(b);
    redated.writeUIntBE(T0 + 1_000_000, 1, 6);
    assert.equal(s.check(redated.toString('base64url'), T0 + 1_000_000), 'invalid');
    const other = new NonceService({ secret: Buffer.from('another secret, 32 bytes long!!!'), expiresSec: 300 });
    assert.equal(other.check(n, T0), 'invalid');
  });

  test('a garbled nonce is invalid: wrong length, bad characters, empty', () => {
    const s = new NonceService({ secret, expiresSec: 300 });
    const n = s.issue(T0);
    for (const g of ['', n.slice(1), `${n}A`, `${n.slice(0, 39)}=`, `${n.slice(0, 39)}+`, 'dcd98b7102dd2f0e8b11d0f600bfb0c093']) {
      assert.equal(s.check(g, T0), 'invalid', JSON.stringify(g));
    }
  });

  test('a short secret or a non-positive expiry is refused at construction', () => {
    assert.throws(() => new NonceService({ secret: Buffer.alloc(8), expiresSec: 300 }), RangeError);
    assert.throws(() => new NonceService({ secret, expiresSec: 0 }), RangeError);
  });
});
