import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registrarConfigSchema } from './config.js';
import { contactExpires, randomize } from './expires.js';
import { RegistrarError } from './errors.js';

const cfg = (o: Record<string, unknown> = {}) => registrarConfigSchema.parse(o);
const half = () => 0.5;

test('RFC 3261 §10.2.1.1: the expires parameter, else the Expires header, else default_expires (seed §3.1)', () => {
  assert.equal(contactExpires(120, 300, cfg(), half), 120);
  assert.equal(contactExpires(undefined, 300, cfg(), half), 300);
  assert.equal(contactExpires(undefined, undefined, cfg({ default_expires: 1800 }), half), 1800);
});

test('0 removes the binding and is never raised, randomised or refused', () => {
  assert.equal(contactExpires(0, 300, cfg({ min_expires: 60, min_expires_mode: 1, expires_range: 50 }), half), 0);
  assert.equal(contactExpires(undefined, 0, cfg({ min_expires: 60 }), half), 0);
});

test('§20.19: a value above 2**32-1 is taken as 2**32-1', () => {
  assert.equal(contactExpires(2 ** 40, undefined, cfg(), half), 2 ** 32 - 1);
});

test('seed §3.4 min_expires raises; 0 disables; default_expires below it gets it', () => {
  assert.equal(contactExpires(10, undefined, cfg({ min_expires: 60 }), half), 60);
  assert.equal(contactExpires(10, undefined, cfg({ min_expires: 0 }), half), 10);
  assert.equal(contactExpires(undefined, undefined, cfg({ default_expires: 20, min_expires: 60 }), half), 60);
});

test('min_expires_mode 1: 423 only for 0 < e < 3600 and below min_expires (RFC 3261 §10.3 step 7)', () => {
  const c = cfg({ min_expires: 7200, min_expires_mode: 1 });
  assert.throws(() => contactExpires(10, undefined, c, half), (e: unknown) => e instanceof RegistrarError && e.status === 423);
  assert.equal(contactExpires(3600, undefined, c, half), 7200, 'one hour or more is raised, not refused');
});

test('seed §3.5 max_expires lowers; 0 disables', () => {
  assert.equal(contactExpires(9000, undefined, cfg({ max_expires: 3600 }), half), 3600);
  assert.equal(contactExpires(9000, undefined, cfg({ max_expires: 0 }), half), 9000);
});

test('seed §3.2/3.3: ranges randomise within [e - range%, e]', () => {
  assert.equal(randomize(1000, 30, () => 0), 700);
  assert.equal(randomize(1000, 30, () => 0.999), 999);
  assert.equal(contactExpires(undefined, undefined, cfg({ default_expires: 1000, default_expires_range: 20 }), () => 0), 800);
  assert.equal(contactExpires(1000, undefined, cfg({ expires_range: 20 }), () => 0), 800);
  assert.equal(contactExpires(1000, undefined, cfg({ default_expires_range: 20 }), () => 0), 1000);
  // the randomised value still respects min_expires
  assert.equal(contactExpires(100, undefined, cfg({ expires_range: 90, min_expires: 60 }), () => 0), 60);
});
