import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestClient } from './digest-client.js';
import { parseDigestCredentials, type DigestCredentials } from './digest-credentials.js';
import { isAuthParseError } from './auth-parse-error.js';
import { digestHash } from './digest-algorithm.js';

function creds(v: string): DigestCredentials {
  const c = parseDigestCredentials(v);
  if (isAuthParseError(c)) assert.fail(c.message);
  return c;
}

const RFC7616_CHALLENGE = (alg: string) =>
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, ` +
  'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';

describe('DigestClient (the phone side)', () => {
  test('RFC 7616 §3.9.1: answering the example challenge reproduces the example Authorization', () => {
    const phone = new DigestClient({
      username: 'Mufasa', password: 'Circle of Life', cnonce: () => 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });
    const sha = creds(phone.authorize(RFC7616_CHALLENGE('SHA-256'), 'GET', '/dir/index.html'));
    assert.equal(sha.response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    assert.equal(sha.opaque, 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS'); // RFC 7616 §3.4: returned unchanged
    assert.equal(sha.qop, 'auth');
    assert.equal(sha.nc, '00000001');
    const md5 = new DigestClient({
      username: 'Mufasa', password: 'Circle of Life', cnonce: () => 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });
    assert.equal(creds(md5.authorize(RFC7616_CHALLENGE('MD5'), 'GET', '/dir/index.html')).response, '8ca523f5e9506fed4657c9700eebdbec');
  });

  test('RFC 8760 §2.4: the topmost supported challenge is used, ones not understood are ignored', () => {
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const v = phone.authorize(
      [
        'Bearer realm="x"',
        'Digest realm="biloxi.com", nonce="a", algorithm=SHA-512-256, qop="auth"',
        'Digest realm="biloxi.com", nonce="b", algorithm=SHA-256, qop="auth"',
        'Digest realm="biloxi.com", nonce="c", algorithm=MD5, qop="auth"',
      ],
      'REGISTER',
      'sip:biloxi.com',
    );
    const c = creds(v);
    assert.equal(c.nonce, 'b');
    assert.equal(c.algorithm, 'SHA-256');
    assert.throws(() => phone.authorize('Digest realm="r", nonce="n", algorithm=AKAv1-MD5', 'REGISTER', 'sip:r'), /no Digest challenge/);
    assert.throws(() => phone.authorize('Digest realm="r", nonce="n", qop="auth-int"', 'REGISTER', 'sip:r'), /no Digest challenge/);
  });

  test('RFC 7616 §3.4: nc increments per request with the same nonce and restarts for a new one', () => {
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const ch = (n: string) => `Digest realm="biloxi.com", nonce="${n}", algorithm=MD5, qop="auth"`;
    assert.equal(creds(phone.authorize(ch('a'), 'REGISTER', 'sip:biloxi.com')).nc, '00000001');
    assert.equal(creds(phone.authorize(ch('a'), 'REGISTER', 'sip:biloxi.com')).nc, '00000002');
    assert.equal(creds(phone.authorize(ch('b'), 'REGISTER', 'sip:biloxi.com')).nc, '00000001');
    assert.equal(creds(phone.authorize(ch('a'), 'REGISTER', 'sip:biloxi.com')).nc, '00000003');
    const x = creds(phone.authorize(ch('a'), 'REGISTER', 'sip:biloxi.com'));
    const y = creds(phone.authorize(ch('a'), 'REGISTER', 'sip:biloxi.com'));
    assert.notEqual(x.cnonce, y.cnonce);
  });

  test('RFC 2617 §3.2.2.1: a challenge without qop is answered in the RFC 2069 form (no nc, no cnonce)', () => {
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const c = creds(phone.authorize('Digest realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"', 'INVITE', 'sip:bob@biloxi.com'));
    assert.equal(c.qop, undefined);
    assert.equal(c.nc, undefined);
    assert.equal(c.cnonce, undefined);
    assert.equal(c.algorithm, undefined);
    assert.equal(c.response, 'bf57e4e0d0bffc0fbaedce64d59add5e');
  });

  test('RFC 7616 §3.4.4: userhash=true sends H(username:realm)', () => {
    const phone = new DigestClient({ username: 'bob', password: 'zanzibar' });
    const c = creds(phone.authorize('Digest realm="biloxi.com", nonce="n", algorithm=SHA-256, qop="auth", userhash=true', 'REGISTER', 'sip:biloxi.com'));
    assert.equal(c.userhash, true);
    assert.equal(c.username, digestHash('SHA-256', 'bob:biloxi.com'));
  });
});
