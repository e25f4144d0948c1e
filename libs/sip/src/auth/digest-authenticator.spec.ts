import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DigestAuthenticator,
  type AuthRejection,
  type AuthRequest,
  type AuthResult,
  type DigestAuthenticatorOptions,
} from './digest-authenticator.js';
import { checkIdentity } from './check-identity.js';
import { DigestClient } from './digest-client.js';
import { computeDigestResponse, computeHa1 } from './digest-hash.js';
import { parseDigestChallenge, type DigestChallenge } from './digest-challenge.js';
import { formatDigestCredentials, parseDigestCredentials, type DigestCredentials } from './digest-credentials.js';
import { isAuthParseError } from './auth-parse-error.js';

const REALM = 'biloxi.com';
const URI = 'sip:biloxi.com';
const T0 = Date.UTC(2025, 0, 1);

class Clock {
  t = T0;
  now(): number {
    return this.t;
  }
}

function setup(over: Partial<DigestAuthenticatorOptions> = {}) {
  const clock = new Clock();
  const users = new Map([
    ['bob', 'zanzibar'],
    ['alice', 'wonderland'],
  ]);
  const auth = new DigestAuthenticator({
    secret: Buffer.from('test secret of at least 16 bytes'),
    nonceExpiresSec: 300,
    algorithms: ['SHA-256', 'MD5'],
    clock,
    credentials: (username, realm) => {
      const pw = users.get(username);
      if (pw === undefined || realm !== REALM) return undefined;
      return { ha1Md5: computeHa1('MD5', username, realm, pw), ha1Sha256: computeHa1('SHA-256', username, realm, pw) };
    },
    ...over,
  });
  return { auth, clock };
}

function req(authorization: string[], over: Partial<AuthRequest> = {}): AuthRequest {
  return { method: 'REGISTER', requestUri: URI, realm: REALM, authorization, proxy: false, ...over };
}

function rejected(r: AuthResult): AuthRejection {
  if (r.ok) assert.fail('authenticated, expected a rejection');
  return r;
}

function challengesOf(r: AuthResult): DigestChallenge[] {
  return rejected(r).challenges.map((v) => {
    const c = parseDigestChallenge(v);
    if (isAuthParseError(c)) assert.fail(c.message);
    return c;
  });
}

/** First round: no credentials → challenges. */
function challenge(auth: DigestAuthenticator, proxy = false): string[] {
  return rejected(auth.authenticate(req([], { proxy }))).challenges;
}

function edit(value: string, f: (c: DigestCredentials) => void): string {
  const c = parseDigestCredentials(value);
  if (isAuthParseError(c)) assert.fail(c.message);
  f(c);
  return formatDigestCredentials(c);
}

describe('DigestAuthenticator: challenges', () => {
  test('RFC 3261 §22.2: no credentials → 401 with one WWW-Authenticate per algorithm, SHA-256 first (RFC 8760 §2.3)', () => {
    const { auth } = setup();
    const r = rejected(auth.authenticate(req([])));
    assert.equal(r.status, 401);
    assert.equal(r.reason, 'Unauthorized');
    assert.equal(r.header, 'WWW-Authenticate');
    assert.equal(r.failure, 'no-credentials');
    const cs = challengesOf(r);
    assert.deepEqual(cs.map((c) => c.algorithm), ['SHA-256', 'MD5']);
    for (const c of cs) {
      assert.equal(c.realm, REALM);
      assert.deepEqual(c.qop, ['auth']);
      assert.equal(c.stale, undefined);
      assert.equal(auth.nonces.check(c.nonce, T0), 'valid');
    }
  });

  test('RFC 3261 §22.3: a proxy answers 407 with Proxy-Authenticate', () => {
    const { auth } = setup();
    const r = rejected(auth.authenticate(req([], { proxy: true })));
    assert.equal(r.status, 407);
    assert.equal(r.reason, 'Proxy Authentication Required');
    assert.equal(r.header, 'Proxy-Authenticate');
    assert.equal(r.challenges.length, 2);
  });

  test('RFC 8760 §2.3: the configured preference order is the order of the challenges', () => {
    const { auth } = setup({ algorithms: ['MD5', 'SHA-256'] });
    assert.deepEqual(challengesOf(auth.authenticate(req([]))).map((c) => c.algorithm), ['MD5', 'SHA-256']);
    const only = setup({ algorithms: ['SHA-256'] }).auth;
    assert.deepEqual(challengesOf(only.authenticate(req([]))).map((c) => c.algorithm), ['SHA-256']);
  });

  test('RFC 8760 §2.3: each algorithm offered once, at least one', () => {
    assert.throws(() => setup({ algorithms: [] }), RangeError);
    assert.throws(() => setup({ algorithms: ['MD5', 'MD5'] }), RangeError);
  });
});

describe('DigestAuthenticator: verification', () => {
  test('RFC 8760 §2.4: a UA answering the topmost (SHA-256) challenge is authenticated', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const r = auth.authenticate(req([phone.authorize(challenge(auth), 'REGISTER', URI)]));
    assert.deepEqual(r, { ok: true, username: 'bob', realm: REALM, algorithm: 'SHA-256' });
  });

  test('RFC 3261 §22.4: an MD5-only UA answering the MD5 challenge is authenticated', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'alice', password: 'wonderland' });
    const md5 = challenge(auth)[1]!;
    const r = auth.authenticate(req([phone.authorize(md5, 'INVITE', 'sip:bob@biloxi.com')], { method: 'INVITE', requestUri: 'sip:bob@biloxi.com' }));
    assert.deepEqual(r, { ok: true, username: 'alice', realm: REALM, algorithm: 'MD5' });
  });

  test('RFC 7616 §3.4.2: MD5-sess and SHA-256-sess credentials verify', () => {
    const { auth } = setup();
    for (const [i, name] of [[0, 'SHA-256-sess'], [1, 'MD5-sess']] as const) {
      const c = parseDigestChallenge(challenge(auth)[i]!);
      assert.ok(!isAuthParseError(c));
      const alg = i === 0 ? 'SHA-256' : 'MD5';
      const ha1 = computeHa1(alg, 'bob', REALM, 'zanzibar');
      const creds: DigestCredentials = {
        username: 'bob', realm: REALM, nonce: c.nonce, uri: URI, algorithm: name, cnonce: 'abc', qop: 'auth', nc: '00000001',
        response: computeDigestResponse({ algorithm: alg, ha1, nonce: c.nonce, nc: '00000001', cnonce: 'abc', qop: 'auth', method: 'REGISTER', uri: URI, sess: true }),
      };
      const r = auth.authenticate(req([formatDigestCredentials(creds)]));
      assert.deepEqual(r, { ok: true, username: 'bob', realm: REALM, algorithm: name });
    }
  });

  test('RFC 7616 §3.4.1: a wrong password gets a fresh challenge, not stale', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'wrong' });
    const r = auth.authenticate(req([phone.authorize(challenge(auth), 'REGISTER', URI)]));
    assert.equal(rejected(r).failure, 'bad-response');
    assert.equal(rejected(r).status, 401);
    assert.ok(challengesOf(r).every((c) => c.stale === undefined));
  });

  test('an unknown user is challenged like a wrong password', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'mallory', password: 'x' });
    const r = rejected(auth.authenticate(req([phone.authorize(challenge(auth), 'REGISTER', URI)])));
    assert.equal(r.failure, 'unknown-user');
    assert.equal(r.status, 401);
  });

  test('the response is bound to the method: credentials for REGISTER do not authorize INVITE', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = phone.authorize(challenge(auth), 'REGISTER', URI);
    assert.equal(rejected(auth.authenticate(req([v], { method: 'INVITE' }))).failure, 'bad-response');
  });

  test('the response is compared case-insensitively as hex (RFC 7616 §3.4.1 lowercase, tolerant of upper)', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = edit(phone.authorize(challenge(auth), 'REGISTER', URI), (c) => (c.response = c.response.toUpperCase()));
    assert.equal(auth.authenticate(req([v])).ok, true);
  });
});

describe('DigestAuthenticator: nonces', () => {
  test('RFC 7616 §3.3 stale: right response on an expired nonce → challenge with stale=true', () => {
    const { auth, clock } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const cs = challenge(auth);
    clock.t += 300_001;
    const r = auth.authenticate(req([phone.authorize(cs, 'REGISTER', URI)]));
    assert.equal(rejected(r).failure, 'nonce-stale');
    assert.equal(rejected(r).status, 401);
    const fresh = challengesOf(r);
    assert.ok(fresh.every((c) => c.stale === true));
    assert.equal(auth.nonces.check(fresh[0]!.nonce, clock.t), 'valid');
    // The UA retries with the new nonce without asking the user.
    assert.equal(auth.authenticate(req([phone.authorize(rejected(r).challenges, 'REGISTER', URI)])).ok, true);
  });

  test('RFC 7616 §3.3: stale=true only when the response was right — wrong password on an expired nonce is not stale', () => {
    const { auth, clock } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'wrong' });
    const cs = challenge(auth);
    clock.t += 400_000;
    const r = auth.authenticate(req([phone.authorize(cs, 'REGISTER', URI)]));
    assert.equal(rejected(r).failure, 'bad-response');
    assert.ok(challengesOf(r).every((c) => c.stale === undefined));
  });

  test('a nonce we did not issue (forged or from another server) → fresh challenge, not stale', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const forged = `Digest realm="${REALM}", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", algorithm=SHA-256, qop="auth"`;
    const r = auth.authenticate(req([phone.authorize(forged, 'REGISTER', URI)]));
    assert.equal(rejected(r).failure, 'nonce-invalid');
    assert.ok(challengesOf(r).every((c) => c.stale === undefined));
    const other = setup({ secret: Buffer.from('another secret, 16+ bytes long') }).auth;
    const r2 = auth.authenticate(req([phone.authorize(challenge(other), 'REGISTER', URI)]));
    assert.equal(rejected(r2).failure, 'nonce-invalid');
  });

  test('RFC 7616 §3.4 nc: a replayed request is refused (stale=true); the next nc is accepted', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const cs = challenge(auth);
    const first = phone.authorize(cs, 'REGISTER', URI);
    assert.equal(auth.authenticate(req([first])).ok, true);
    const replay = rejected(auth.authenticate(req([first])));
    assert.equal(replay.failure, 'nc-replay');
    assert.ok(challengesOf(replay).every((c) => c.stale === true));
    const second = phone.authorize(cs, 'REGISTER', URI);
    assert.match(second, /nc=00000002/);
    assert.equal(auth.authenticate(req([second])).ok, true);
    assert.equal(auth.authenticate(req([first])).ok, false); // an older nc after a newer one
  });

  test('RFC 7616 §3.4 nc: a bad response does not advance the counter (no lock-out by a bystander)', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const cs = challenge(auth);
    const good = phone.authorize(cs, 'REGISTER', URI);
    const attack = edit(good, (c) => {
      c.nc = 'ffffffff';
    });
    assert.equal(rejected(auth.authenticate(req([attack]))).failure, 'bad-response');
    assert.equal(auth.authenticate(req([good])).ok, true);
  });

  test('RFC 2617 §3.2.2.1 RFC 2069 clients (no qop) may reuse a nonce until it expires', () => {
    const { auth, clock } = setup({ algorithms: ['MD5'] });
    const c = parseDigestChallenge(challenge(auth)[0]!);
    assert.ok(!isAuthParseError(c));
    const ha1 = computeHa1('MD5', 'bob', REALM, 'zanzibar');
    const v = formatDigestCredentials({
      username: 'bob', realm: REALM, nonce: c.nonce, uri: URI,
      response: computeDigestResponse({ algorithm: 'MD5', ha1, nonce: c.nonce, method: 'REGISTER', uri: URI }),
    });
    assert.equal(auth.authenticate(req([v])).ok, true);
    assert.equal(auth.authenticate(req([v])).ok, true);
    clock.t += 300_001;
    assert.equal(rejected(auth.authenticate(req([v]))).failure, 'nonce-stale');
  });
});

describe('DigestAuthenticator: choosing and checking credentials', () => {
  test('RFC 3261 §22.3: credentials for another realm are ignored, so the request is challenged', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const foreign = phone.authorize(`Digest realm="atlanta.com", nonce="abc", algorithm=MD5, qop="auth"`, 'REGISTER', URI);
    const r = rejected(auth.authenticate(req([foreign])));
    assert.equal(r.failure, 'no-credentials');
    assert.equal(r.status, 401);
  });

  test('RFC 3261 §22.3: among several Authorization headers the one for our realm is used', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const foreign = phone.authorize(`Digest realm="atlanta.com", nonce="abc", algorithm=MD5, qop="auth"`, 'REGISTER', URI);
    const ours = phone.authorize(challenge(auth), 'REGISTER', URI);
    assert.equal(auth.authenticate(req(['Bearer eyJ0eXAiOiJKV1QifQ', foreign, ours])).ok, true);
    assert.equal(auth.authenticate(req([phone.authorize(challenge(auth), 'REGISTER', URI), foreign])).ok, true);
  });

  test('RFC 8760 §2.3: with credentials for two of our algorithms the preferred one is verified', () => {
    const { auth } = setup();
    const cs = challenge(auth);
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const md5 = phone.authorize(cs[1]!, 'REGISTER', URI);
    const sha = phone.authorize(cs[0]!, 'REGISTER', URI);
    const r = auth.authenticate(req([md5, sha]));
    assert.ok(r.ok);
    assert.equal(r.algorithm, 'SHA-256');
  });

  test('realm matching is case-insensitive (domain names)', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = phone.authorize(challenge(auth), 'REGISTER', URI);
    const upper = edit(v, (c) => (c.realm = 'BILOXI.COM'));
    // HA1 is looked up for the realm we challenged with, so this verifies.
    assert.deepEqual(auth.authenticate(req([upper])), { ok: true, username: 'bob', realm: REALM, algorithm: 'SHA-256' });
  });

  test('RFC 8760 §2.3: an algorithm we did not offer gets a fresh challenge', () => {
    const { auth } = setup({ algorithms: ['SHA-256'] });
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const nonce = parseDigestChallenge(challenge(auth)[0]!);
    assert.ok(!isAuthParseError(nonce));
    const md5 = phone.authorize(`Digest realm="${REALM}", nonce="${nonce.nonce}", algorithm=MD5, qop="auth"`, 'REGISTER', URI);
    assert.equal(rejected(auth.authenticate(req([md5]))).failure, 'unsupported-algorithm');
    const unknown = edit(md5, (c) => (c.algorithm = 'SHA-512-256'));
    assert.equal(rejected(auth.authenticate(req([unknown]))).failure, 'unsupported-algorithm');
    const none = edit(md5, (c) => delete c.algorithm); // absent = MD5 (RFC 7616 §3.3)
    assert.equal(rejected(auth.authenticate(req([none]))).failure, 'unsupported-algorithm');
  });

  test('qop other than auth (we offered qop="auth") gets a fresh challenge', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = edit(phone.authorize(challenge(auth), 'REGISTER', URI), (c) => (c.qop = 'auth-int'));
    assert.equal(rejected(auth.authenticate(req([v]))).failure, 'unsupported-qop');
  });

  test('RFC 7616 §3.4.4 userhash, which we never offer, gets a fresh challenge', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const c = parseDigestChallenge(challenge(auth)[0]!);
    assert.ok(!isAuthParseError(c));
    const v = phone.authorize(`Digest realm="${REALM}", nonce="${c.nonce}", algorithm=SHA-256, qop="auth", userhash=true`, 'REGISTER', URI);
    assert.equal(rejected(auth.authenticate(req([v]))).failure, 'userhash-unsupported');
  });

  test('RFC 7616 §3.4.6: a uri that is not the Request-URI → 400', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = phone.authorize(challenge(auth), 'REGISTER', 'sip:atlanta.com');
    const r = rejected(auth.authenticate(req([v])));
    assert.equal(r.status, 400);
    assert.equal(r.failure, 'uri-mismatch');
    assert.deepEqual(r.challenges, []);
  });

  test('RFC 7616 §3.4.6 with RFC 3261 §19.1.4: an equivalent spelling of the Request-URI is accepted', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = phone.authorize(challenge(auth), 'REGISTER', 'sip:BILOXI.com;Transport=UDP');
    assert.equal(auth.authenticate(req([v], { requestUri: 'sip:biloxi.com;transport=udp' })).ok, true);
  });

  test('RFC 3261 §22.4: with checkUri off a retargeted Request-URI is tolerated', () => {
    const { auth } = setup({ checkUri: false });
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = phone.authorize(challenge(auth), 'INVITE', 'sip:bob@biloxi.com');
    assert.equal(auth.authenticate(req([v], { method: 'INVITE', requestUri: 'sip:bob@192.0.2.4' })).ok, true);
  });

  test('malformed Digest credentials → 400 Bad Request without a challenge', () => {
    const { auth } = setup();
    for (const v of [
      'Digest username="bob", realm="biloxi.com", nonce="n", uri="sip:biloxi.com"', // no response
      'Digest username="bob", realm="biloxi.com"', // incomplete
      'Digest username="bob, realm=biloxi.com', // unterminated
      'Digest realm="biloxi.com", realm="biloxi.com", username="bob", nonce="n", uri="u", response="r"', // duplicate
    ]) {
      const r = rejected(auth.authenticate(req([v])));
      assert.equal(r.status, 400, v);
      assert.equal(r.reason, 'Bad Request');
      assert.equal(r.failure, 'malformed');
      assert.deepEqual(r.challenges, []);
    }
  });

  test('malformed values: wrong response length, -sess without cnonce → 400', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = phone.authorize(challenge(auth), 'REGISTER', URI);
    assert.equal(rejected(auth.authenticate(req([edit(v, (c) => (c.response = c.response.slice(0, 32)))]))).status, 400);
    assert.equal(rejected(auth.authenticate(req([edit(v, (c) => (c.response = `${c.response.slice(0, 63)}g`))]))).status, 400);
    const sess = edit(v, (c) => {
      c.algorithm = 'SHA-256-sess';
      delete c.qop;
      delete c.nc;
      delete c.cnonce;
    });
    assert.equal(rejected(auth.authenticate(req([sess]))).status, 400);
  });

  test('a malformed header next to good credentials for our realm does not spoil them', () => {
    const { auth } = setup();
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = phone.authorize(challenge(auth), 'REGISTER', URI);
    assert.equal(auth.authenticate(req(['Digest garbage', v])).ok, true);
  });

  test('an unquotable realm from the caller is refused, never thrown', () => {
    const { auth } = setup();
    assert.equal(rejected(auth.authenticate(req([], { realm: 'a\r\nb' }))).status, 400);
  });

  test('Kamailio auth_check flag 1: checkIdentity answers 403 when the user differs', () => {
    assert.equal(checkIdentity({ username: 'bob', realm: 'biloxi.com' }, { username: 'bob', domain: 'BILOXI.com' }), undefined);
    const r = checkIdentity({ username: 'bob', realm: 'biloxi.com' }, { username: 'alice' });
    assert.equal(r?.status, 403);
    assert.equal(r?.reason, 'Forbidden');
    assert.equal(r?.failure, 'identity-mismatch');
    assert.equal(checkIdentity({ username: 'bob', realm: 'biloxi.com' }, { username: 'Bob' })?.status, 403);
    assert.equal(checkIdentity({ username: 'bob', realm: 'biloxi.com' }, { username: 'bob', domain: 'atlanta.com' })?.status, 403);
  });

  test('bounded memory: the nc history stays under maxTrackedNonces', () => {
    const { auth, clock } = setup({ maxTrackedNonces: 5 });
    for (let i = 0; i < 20; i++) {
      clock.t += 1;
      const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
      assert.equal(auth.authenticate(req([phone.authorize(challenge(auth), 'REGISTER', URI)])).ok, true);
    }
    assert.ok(auth.trackedNonces <= 5);
  });
});
