import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AUTH_FAILURES, type AuthFailure } from './auth-failure.js';

test('STYLE 4: every AuthFailure code has a reply row with a status, a reason and a description', () => {
  // The union in the source is the list of codes; the table must cover exactly those.
  const src = readFileSync(new URL('../../src/auth/auth-failure.ts', import.meta.url), 'utf8');
  const union = /export type AuthFailure =([\s\S]*?);/.exec(src)![1]!;
  const codes = [...union.matchAll(/'([a-z-]+)'/g)].map((m) => m[1] as AuthFailure);
  assert.ok(codes.length >= 10);
  assert.deepEqual(Object.keys(AUTH_FAILURES).sort(), [...codes].sort());
  for (const code of codes) {
    const row = AUTH_FAILURES[code];
    assert.ok(row.description.length > 0, code);
    if (row.status === 'challenge') {
      assert.equal(row.reason, '', `${code}: challenges use the standard phrase`);
    } else {
      assert.ok([400, 403].includes(row.status), code);
      assert.ok(row.reason.length > 0, code);
      assert.equal(row.stale, false, `${code}: stale only makes sense in a challenge`);
    }
  }
});

test('RFC 7616 §3.3: stale=true only for failures after the response verified', () => {
  const stale = Object.entries(AUTH_FAILURES).filter(([, r]) => r.stale).map(([c]) => c).sort();
  assert.deepEqual(stale, ['nc-replay', 'nonce-forgotten', 'nonce-stale']);
});
