import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aorKeyOf, aorOf, splitAorKey } from './aor.js';
import { RegistrarError } from './errors.js';

const base = { useDomain: false, caseSensitive: false };

test('case_sensitive 0 folds the user; 1 keeps it; the domain is always lower case', () => {
  assert.equal(aorOf('sip:Alice@Example.COM', { ...base, useDomain: true }).key, 'alice@example.com');
  assert.equal(aorOf('sip:Alice@Example.COM', { useDomain: true, caseSensitive: true }).key, 'Alice@example.com');
});

test('usrloc.use_domain 0: the user alone; URI parameters and port never matter', () => {
  assert.equal(aorOf('sip:alice@example.com:5080;transport=tcp', base).key, 'alice');
});

test('RFC 3261 §19.1.4: the user part is compared unescaped', () => {
  assert.equal(aorOf('sip:al%69ce@example.com', base).key, 'alice');
});

test('realm_prefix is stripped from the domain', () => {
  const a = aorOf('sip:alice@sip.example.com', { useDomain: true, caseSensitive: false, realmPrefix: 'sip.' });
  assert.equal(a.key, 'alice@example.com');
  assert.equal(a.host, 'example.com');
  assert.equal(aorOf('sip:alice@sip.', { useDomain: true, caseSensitive: false, realmPrefix: 'sip.' }).domain, 'sip.');
});

test('a tel: URI, a URI without user, or a too long user is refused', () => {
  assert.throws(() => aorOf('tel:+15551234', base), (e: unknown) => e instanceof RegistrarError && e.code === 'bad_aor');
  assert.throws(() => aorOf('sip:example.com', base), (e: unknown) => e instanceof RegistrarError && e.code === 'no_username');
  assert.throws(() => aorOf(`sip:${'a'.repeat(65)}@example.com`, base), (e: unknown) => e instanceof RegistrarError && e.code === 'aor_too_long');
});

test('keys split back into location.username/domain at the last @', () => {
  assert.deepEqual(splitAorKey('a@b@example.com', true), { username: 'a@b', domain: 'example.com' });
  assert.deepEqual(splitAorKey('a@b', false), { username: 'a@b', domain: null });
  assert.equal(aorKeyOf('alice', null), 'alice');
  assert.equal(aorKeyOf('alice', 'example.com'), 'alice@example.com');
});
