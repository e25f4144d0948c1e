// Digest verification throughput: full DigestAuthenticator.authenticate() of
// a valid Authorization header (parse, uri check, nonce HMAC, HA1 lookup,
// response hash, constant-time compare, nc bookkeeping), per algorithm.
// Run after the build: node test/dist/bench/digest.bench.js
// Figures are printed, never asserted.
import { performance } from 'node:perf_hooks';
import { DigestAuthenticator, DigestClient, computeHa1, type DigestAlgorithm, type StoredHa1 } from '@pbx/sip';

const REALM = 'pbx.example.com';
const URI = `sip:${REALM}`;
const USERS = 1000;
const REQUESTS_PER_USER = Number(process.env.DIGEST_BENCH_PER_USER ?? 50);
const now = Date.UTC(2025, 0, 1);
const clock = { now: () => now };

const store = new Map<string, StoredHa1>();
for (let i = 0; i < USERS; i++) {
  const u = `user${i}`;
  store.set(u, { ha1Md5: computeHa1('MD5', u, REALM, `pw${i}`), ha1Sha256: computeHa1('SHA-256', u, REALM, `pw${i}`) });
}

function run(algorithm: DigestAlgorithm): { perSec: number; n: number; ms: number } {
  const auth = new DigestAuthenticator({
    secret: Buffer.from('benchmark secret, thirty-two b!!'),
    nonceExpiresSec: 300,
    algorithms: [algorithm],
    clock,
    credentials: (username) => store.get(username),
  });
  // Each phone gets its own nonce and sends REQUESTS_PER_USER requests with
  // nc 1, 2, 3…; headers are built before timing so only the server is measured.
  const phones = Array.from({ length: USERS }, (_, i) => ({
    client: new DigestClient({ username: `user${i}`, password: `pw${i}` }),
    challenge: auth.challenges(REALM),
  }));
  const headers: string[] = [];
  for (let r = 0; r < REQUESTS_PER_USER; r++) {
    for (const p of phones) headers.push(p.client.authorize(p.challenge, 'REGISTER', URI));
  }
  const req = { method: 'REGISTER', requestUri: URI, realm: REALM, authorization: [''], proxy: false };
  // Warm-up on the first tenth, then time the rest.
  const warm = Math.floor(headers.length / 10);
  let i = 0;
  for (; i < warm; i++) {
    req.authorization[0] = headers[i]!;
    if (!auth.authenticate(req).ok) throw new Error(`warm-up request ${i} failed`);
  }
  const t0 = performance.now();
  for (; i < headers.length; i++) {
    req.authorization[0] = headers[i]!;
    if (!auth.authenticate(req).ok) throw new Error(`request ${i} failed`);
  }
  const ms = performance.now() - t0;
  const n = headers.length - warm;
  return { perSec: Math.round((n / ms) * 1000), n, ms };
}

function challenges(): { perSec: number; n: number; ms: number } {
  const auth = new DigestAuthenticator({
    secret: Buffer.from('benchmark secret, thirty-two b!!'),
    nonceExpiresSec: 300,
    algorithms: ['SHA-256', 'MD5'],
    clock,
    credentials: () => undefined,
  });
  const req = { method: 'REGISTER', requestUri: URI, realm: REALM, authorization: [], proxy: false };
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (auth.authenticate(req).ok) throw new Error('unexpected success');
  const ms = performance.now() - t0;
  return { perSec: Math.round((n / ms) * 1000), n, ms };
}

for (const algorithm of ['MD5', 'SHA-256'] as const) {
  const r = run(algorithm);
  console.log(`digest ${algorithm.padEnd(7)} authenticate(): ${r.perSec.toLocaleString('en-US')} verifications/s (${r.n} in ${r.ms.toFixed(0)} ms)`);
}
const c = challenges();
console.log(`digest 401 with 2 challenges:  ${c.perSec.toLocaleString('en-US')} responses/s (${c.n} in ${c.ms.toFixed(0)} ms)`);
